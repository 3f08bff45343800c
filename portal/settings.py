"""Settings, all from environment variables (documented in README.md, "Configuration").

No Entra tenant configured → the portal runs against the built-in sandbox tenant. A real tenant
together with PORTAL_SANDBOX=1 is refused by a system check (portal.core.checks).
"""

from __future__ import annotations

import os
import secrets
import sys
from email.utils import parseaddr
from pathlib import Path

import dj_database_url

from portal.core.logging import handlers_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Tenant and mode -------------------------------------------------------------------------------

SANDBOX_TENANT_ID = "8a1f0c2e-5b7d-4e3a-9c61-2d4e6f8a0b1c"
SANDBOX_CLIENT_ID = "3f6b2c1d-9e8a-4b7c-a5d4-1e2f3a4b5c6d"

ENTRA_TENANT_ID = env_str("ENTRA_TENANT_ID")
ENTRA_CLIENT_ID = env_str("ENTRA_CLIENT_ID")
ENTRA_CLIENT_SECRET = env_str("ENTRA_CLIENT_SECRET")
REAL_TENANT_CONFIGURED = bool(ENTRA_TENANT_ID or ENTRA_CLIENT_ID or ENTRA_CLIENT_SECRET)

# The sandbox is the default whenever no tenant is configured. Asking for both is a configuration
# error that portal.core.checks reports at start-up (we never guess which one was meant).
SANDBOX_ENABLED = env_bool("PORTAL_SANDBOX", default=not REAL_TENANT_CONFIGURED)
SANDBOX_CONFLICT = SANDBOX_ENABLED and REAL_TENANT_CONFIGURED

if SANDBOX_ENABLED and not REAL_TENANT_CONFIGURED:
    ENTRA_TENANT_ID = SANDBOX_TENANT_ID
    ENTRA_CLIENT_ID = SANDBOX_CLIENT_ID
    # Per-installation random secret: the portal and its sandbox tenant share it through this file,
    # like an app registration's secret shared between Entra and the app.
    _sandbox_secret_file = VAR_DIR / "sandbox-client-secret"
    if not _sandbox_secret_file.exists():
        _sandbox_secret_file.write_text(secrets.token_urlsafe(32))
        _sandbox_secret_file.chmod(0o600)
    ENTRA_CLIENT_SECRET = _sandbox_secret_file.read_text().strip()

ENTRA_AUTHORITY_HOST = "https://login.microsoftonline.com"
GRAPH_BASE_URL = "https://graph.microsoft.com/beta"
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Core Django -----------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", default=False)

_secret_key = env_str("DJANGO_SECRET_KEY")
if not _secret_key and (SANDBOX_ENABLED or TESTING):
    _key_file = VAR_DIR / "django-secret-key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    _secret_key = _key_file.read_text().strip()
# Empty in production without DJANGO_SECRET_KEY: portal.core.checks refuses to start.
SECRET_KEY = _secret_key or "unset-" + secrets.token_urlsafe(40)
SECRET_KEY_MISSING = not _secret_key

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "portal.core",
    "portal.identity",
    "portal.audit",
    "portal.program",
    "portal.lifecycle",
    "portal.selfservice",
    "portal.tokenadmin",
    "portal.imports",
    "portal.notifications",
]
if SANDBOX_ENABLED:
    INSTALLED_APPS.append("portal.sandbox")

MIDDLEWARE = [
    # Outermost, so that every answer carries them: Django's own 400 for a bad Host (raised inside
    # CommonMiddleware, or SecurityMiddleware's https redirect), static files, the probes.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.core.middleware.RequestIdMiddleware",
    "portal.core.middleware.ProbeMiddleware",  # /healthz, /readyz: before host checks and sessions
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # after sessions, before CommonMiddleware (Django's docs)
    "django.middleware.common.CommonMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.web.middleware.SessionLifetimeMiddleware",
    "portal.web.middleware.PreferencesMiddleware",  # the browser's time zone; remembers language and zone
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "identity.User"
LOGIN_URL = "identity:sign_in"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "portal.web.context_processors.portal",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------------------

_sqlite_options = {
    # WAL + IMMEDIATE transactions: several worker processes (web, task worker) share the file and a
    # write transaction takes the lock up front instead of failing half-way with "database is locked".
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASES = {
    # Persistent connections (DATABASE_CONN_MAX_AGE seconds, one per gunicorn thread) checked before
    # reuse, so a database restart or a load balancer's idle cut costs one reconnect, not a 500.
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    ),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(_sqlite_options)
    DATABASES["default"]["CONN_MAX_AGE"] = 0

if SANDBOX_ENABLED:
    # The sandbox tenant keeps its own state in its own database, like a real tenant would: a
    # portal transaction that rolls back never rolls back what "Microsoft" already did.
    DATABASES["sandbox"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("SANDBOX_DATABASE_PATH", str(VAR_DIR / "sandbox.sqlite3")),
        "OPTIONS": dict(_sqlite_options),
        "TEST": {"NAME": None},
    }
    DATABASE_ROUTERS = ["portal.sandbox.router.SandboxRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches -------------------------------------------------------------------------------------------


def cache_from_url(url: str) -> dict[str, object]:
    """CACHE_URL → a CACHES entry: `db://<table>` (run `createcachetable`), `redis://…` / `rediss://…`
    (needs the optional `redis` package), `locmem://` or empty for a per-process cache."""
    import importlib.util

    from django.core.exceptions import ImproperlyConfigured

    scheme, _, rest = url.partition("://")
    if not url or scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if scheme == "db":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": rest or "portal_cache"}
    if scheme in {"redis", "rediss"}:
        if importlib.util.find_spec("redis") is None:
            raise ImproperlyConfigured("CACHE_URL is a redis:// URL but the `redis` package is not installed.")
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured(f"CACHE_URL scheme {scheme!r} is not supported (db://, redis://, locmem://).")


# Nothing the portal must share between instances lives in the cache: sessions (with the pending
# MSAL auth-code flows and the MSAL token cache), rate-limit counters and import progress are
# database rows. So the per-process default is safe with several instances; CACHE_URL moves the
# cache to the database or Redis for anything added later that must be shared.
CACHES = {"default": cache_from_url(env_str("CACHE_URL"))}

# --- Sessions and cookies --------------------------------------------------------------------------

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_MAX_HOURS", 10) * 3600
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie; the token travels in hx-headers on <body>
_https = PORTAL_BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SESSION_COOKIE_NAME = "__Host-portal-session" if _https else "portal-session"
CSRF_COOKIE_NAME = "__Host-portal-csrf" if _https else "portal-csrf"

# --- Security headers ------------------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "portal.core.views.csrf_failure"  # plain words and a next step, not Django's page
SECURE_SSL_REDIRECT = _https and env_bool("DJANGO_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = False
# Preloading commits the organisation's whole domain to https in browsers, hard to undo: that is the
# domain owner's decision, not this portal's, so `check --deploy` is told not to ask for it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"

# Where the browser goes to sign in and out: Entra's authority, or the sandbox tenant's pages.
SIGN_IN_ORIGIN = PORTAL_BASE_URL if SANDBOX_ENABLED else ENTRA_AUTHORITY_HOST
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # A form may post here, and sign-in/sign-out redirect from a form to the identity provider.
        "form-action": ["'self'", SIGN_IN_ORIGIN],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# --- Behind a load balancer ----------------------------------------------------------------------

# Production runs behind a load balancer that terminates TLS. It must *set* (not append to)
# X-Forwarded-Proto, which is how Django learns the request came in over https.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _https else None
# The Host header is what ALLOWED_HOSTS checks; X-Forwarded-Host is caller-controlled on many load
# balancers, and every absolute URL the portal builds comes from PORTAL_BASE_URL anyway.
USE_X_FORWARDED_HOST = False
# How many proxies append to X-Forwarded-For in front of the portal (0: use the socket address);
# portal.core.http.client_ip reads the hop that many places from the right.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Load balancer probes come over plain http on the instance's own address: answer, don't redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
READINESS_TIMEOUT_SECONDS = env_float("READINESS_TIMEOUT_SECONDS", 3.0)
READINESS_CACHE_SECONDS = env_float("READINESS_CACHE_SECONDS", 5.0)

# --- Static files ----------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves compressed, content-hashed files collected at build time (collectstatic);
# the sandbox demo and the tests serve straight from static/ without a build step.
HASHED_STATIC = env_bool("PORTAL_HASHED_STATIC", default=not SANDBOX_ENABLED)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if HASHED_STATIC
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not HASHED_STATIC

# --- I18N ------------------------------------------------------------------------------------------

# README "Languages and time zones". English is the source language (the msgids); a person's language
# comes from Django's language cookie (the switch on every page), else the browser's Accept-Language,
# else LANGUAGE_CODE. To add a language: add it here, `make messages`, translate locale/<code>/.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.core.formats"]  # the English date formats (portal/core/formats/en)
LANGUAGE_COOKIE_NAME = "portal-language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = _https
# The portal's own zone: the fallback when the browser did not say which zone it is in (a cookie
# written by static/js/timezone.js, activated by portal.web.middleware.PreferencesMiddleware), and
# the zone of every time in a mail to someone whose zone the portal does not know.
TIME_ZONE = env_str("PORTAL_TIME_ZONE", "UTC")
TIME_ZONE_COOKIE_NAME = "portal-tz"
USE_I18N = True
USE_TZ = True

# --- Background tasks ------------------------------------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Periodic work (portal.core.periodic, run by `manage.py worker`) ------------------------------

# How often the worker looks for due periodic jobs (each job has its own interval).
PERIODIC_TICK_SECONDS = env_float("PERIODIC_TICK_SECONDS", 60.0)
# Audit events older than this many days are deleted; 0 keeps the trail for ever (the default).
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 0)

# --- Portal behaviour ------------------------------------------------------------------------------

GRAPH_TIMEOUT_SECONDS = env_float("GRAPH_TIMEOUT_SECONDS", 10.0)
GRAPH_MAX_RETRIES = env_int("GRAPH_MAX_RETRIES", 3)
GRAPH_MAX_RETRY_WAIT_SECONDS = env_float("GRAPH_MAX_RETRY_WAIT_SECONDS", 8.0)
# Background jobs (imports) use the same retry policy, tuned patient: portal.graph.retry.RetryPolicy.for_jobs().
GRAPH_JOB_MAX_RETRIES = env_int("GRAPH_JOB_MAX_RETRIES", 6)
GRAPH_JOB_MAX_RETRY_WAIT_SECONDS = env_float("GRAPH_JOB_MAX_RETRY_WAIT_SECONDS", 120.0)
GRAPH_JOB_MAX_TOTAL_WAIT_SECONDS = env_float("GRAPH_JOB_MAX_TOTAL_WAIT_SECONDS", 600.0)

CODE_ATTEMPT_LIMIT = env_int("CODE_ATTEMPT_LIMIT", 5)
CODE_ATTEMPT_WINDOW_SECONDS = env_int("CODE_ATTEMPT_WINDOW_MINUTES", 15) * 60
# The longer cap (per person and per token, 24 hours; 0 = off): see SECURITY.md for why.
CODE_ATTEMPT_DAILY_LIMIT = env_int("CODE_ATTEMPT_DAILY_LIMIT", 10)

# The token program (portal.program): how often the snapshot is refreshed, when the queue speaks up.
PROGRAM_REFRESH_MINUTES = env_int("PROGRAM_REFRESH_MINUTES", 60)
# DIGEST_PENDING_DAYS, the administrators' digest's own threshold before the digest listed this queue,
# still counts when PROGRAM_NOT_ACTIVATED_DAYS is not set (deprecated: warning portal.notifications.W001).
DIGEST_PENDING_DAYS_SET = bool(env_str("DIGEST_PENDING_DAYS"))
PROGRAM_NOT_ACTIVATED_DAYS = env_int("PROGRAM_NOT_ACTIVATED_DAYS", env_int("DIGEST_PENDING_DAYS", 14))
PROGRAM_NOT_USED_DAYS = env_int("PROGRAM_NOT_USED_DAYS", 30)
PROGRAM_NEVER_USED_DAYS = env_int("PROGRAM_NEVER_USED_DAYS", 14)
PROGRAM_LOW_STOCK = env_int("PROGRAM_LOW_STOCK", 10)
# The administrator's sign-in the periodic refresh uses is erased this many days after their "Refresh
# now", or after this many days unused (Entra's refresh tokens expire after 90 days unused anyway);
# 0 switches a limit off. Each build of the snapshot is recorded, kept PROGRAM_RUN_RETENTION_DAYS.
PROGRAM_SIGN_IN_MAX_DAYS = env_int("PROGRAM_SIGN_IN_MAX_DAYS", 30)
PROGRAM_SIGN_IN_IDLE_DAYS = env_int("PROGRAM_SIGN_IN_IDLE_DAYS", 90)
PROGRAM_RUN_RETENTION_DAYS = env_int("PROGRAM_RUN_RETENTION_DAYS", 30)

EMPLOYEE_SCOPES = ["User.Read", "UserAuthenticationMethod.ReadWrite"]
ADMIN_SCOPES = [
    # Not ReadBasic: the token program reads holders' accountEnabled and department, which
    # User.ReadBasic.All does not return.
    "User.Read.All",
    "UserAuthenticationMethod.ReadWrite.All",
    "Policy.ReadWrite.AuthenticationMethod",
]

# --- HTTP transport --------------------------------------------------------------------------------

# Prefix → adapter factory. In sandbox mode the portal's sessions answer these hosts in-process and
# refuse every other URL (HTTP_REFUSE_UNMOUNTED), so nothing can leak to a real Microsoft host.
if SANDBOX_ENABLED:
    HTTP_TRANSPORT_ADAPTERS = {
        "https://login.microsoftonline.com/": "portal.sandbox.transport.identity_adapter",
        "https://graph.microsoft.com/": "portal.sandbox.transport.graph_adapter",
    }
    HTTP_REFUSE_UNMOUNTED = True
else:
    HTTP_TRANSPORT_ADAPTERS = {}
    HTTP_REFUSE_UNMOUNTED = False

# --- Sandbox tenant behaviour (see README "The sandbox tenant") ------------------------------------

SANDBOX = {
    "TENANT_ID": SANDBOX_TENANT_ID,
    "CLIENT_ID": SANDBOX_CLIENT_ID,
    "CLIENT_SECRET": ENTRA_CLIENT_SECRET if SANDBOX_ENABLED else "",
    "REDIRECT_URIS": [PORTAL_BASE_URL + "/auth/callback"],
    "POST_LOGOUT_REDIRECT_URIS": [PORTAL_BASE_URL + "/", PORTAL_BASE_URL + "/auth/signed-out"],
    "BROWSER_BASE_URL": PORTAL_BASE_URL + "/sandbox",
    # Faults
    "LATENCY_MS": env_int("SANDBOX_LATENCY_MS", 0),
    "THROTTLE_RATE": env_float("SANDBOX_429_RATE", 0.0),
    "UNAVAILABLE_RATE": env_float("SANDBOX_503_RATE", 0.0),
    "RETRY_AFTER_SECONDS": env_float("SANDBOX_RETRY_AFTER_SECONDS", 1.0),
    "FAULT_SEED": env_str("SANDBOX_FAULT_SEED") or None,
    "CALLER_DIES_AFTER_WRITES": 0,  # tests only: see portal.sandbox.graph.faults
    # Emulation choices where the docs are silent
    # Accepted clock drift of a code, in time steps either side. At sign-in Entra allows about a minute
    # (30 s tokens) or two (60 s); at activation it documents about ±1 day (30 s) or ±2 days (60 s),
    # which is 2,880 steps for both intervals.
    "TOTP_WINDOW_STEPS": env_int("SANDBOX_TOTP_WINDOW_STEPS", 1),
    "ACTIVATION_WINDOW_STEPS": env_int("SANDBOX_ACTIVATION_WINDOW_STEPS", 2880),
    "DELETED_USER_RELEASES_TOKENS": env_bool("SANDBOX_DELETED_USER_RELEASES_TOKENS", False),
    "PAGE_SIZE": env_int("SANDBOX_PAGE_SIZE", 100),
    "MAX_TOP": env_int("SANDBOX_MAX_TOP", 999),
    "BULK_STATUS": env_int("SANDBOX_BULK_STATUS", 200),
    "WRONG_CODE_SETS_FAILED_ACTIVATION": env_bool("SANDBOX_WRONG_CODE_SETS_FAILED", True),
    "UNIQUE_SERIALS": env_bool("SANDBOX_UNIQUE_SERIALS", True),
    "MAX_METHODS_PER_USER": env_int("SANDBOX_MAX_METHODS_PER_USER", 0),  # 0 = no limit
    "ACCEPT_PER_METHOD_SCOPES": env_bool("SANDBOX_ACCEPT_PER_METHOD_SCOPES", True),
    "STEP_UP_AFTER_SECONDS": env_int("SANDBOX_STEP_UP_AFTER_MINUTES", 10) * 60,  # 0 = never
    "ACCESS_TOKEN_LIFETIME_SECONDS": env_int("SANDBOX_ACCESS_TOKEN_LIFETIME_SECONDS", 3600),
    "AUTH_CODE_LIFETIME_SECONDS": 600,
    "REQUEST_LOG": env_bool("SANDBOX_REQUEST_LOG", True),
    # Application permissions (app roles) the administrator consented to for the portal's app
    # registration: what a client-credentials token carries in `roles`. Empty = none granted.
    "APP_ROLES": env_list("SANDBOX_APP_ROLES", "Mail.Send"),
    # Mailboxes (UPNs) that exist but can't be used through Graph: sendMail from them answers
    # 404 MailboxNotEnabledForRESTAPI, as for an unlicensed, inactive or on-premises mailbox.
    "MAILBOXES_NOT_ENABLED": env_list("SANDBOX_MAILBOXES_NOT_ENABLED", ""),
    # The sandbox outbox keeps this many messages (the oldest go first).
    "OUTBOX_KEEP": env_int("SANDBOX_OUTBOX_KEEP", 500),
    # Temporary Access Pass policy (authenticationMethodConfigurations/TemporaryAccessPass); Entra's
    # defaults: enabled here so the demo can show it, 1 h default and minimum, 8 h maximum, 8 characters.
    "TAP_STATE": env_str("SANDBOX_TAP_STATE", "enabled"),  # "enabled" or "disabled"
    "TAP_DEFAULT_LIFETIME_MINUTES": env_int("SANDBOX_TAP_DEFAULT_LIFETIME_MINUTES", 60),
    "TAP_MIN_LIFETIME_MINUTES": env_int("SANDBOX_TAP_MIN_LIFETIME_MINUTES", 60),
    "TAP_MAX_LIFETIME_MINUTES": env_int("SANDBOX_TAP_MAX_LIFETIME_MINUTES", 480),
    "TAP_DEFAULT_LENGTH": env_int("SANDBOX_TAP_DEFAULT_LENGTH", 8),
    "TAP_USABLE_ONCE": env_bool("SANDBOX_TAP_USABLE_ONCE", False),  # policy: every pass is one-time
    "TAP_REPLACE_EXISTING": env_bool("SANDBOX_TAP_REPLACE_EXISTING", True),  # beta docs; off → 409
    # Shifts the sandbox's clock for pass validity and sign-in age (step-up): tests and demos travel in
    # time instead of waiting; 0 = real time.
    "CLOCK_OFFSET_SECONDS": env_int("SANDBOX_CLOCK_OFFSET_SECONDS", 0),
}

# --- Mail and notifications (portal.notifications; README "Connect your tenant") ----------------

# How mail leaves: "graph" (sendMail as the application, from MAIL_GRAPH_MAILBOX, with the app
# registration's client credentials and the Mail.Send application permission), "smtp" (a relay,
# EMAIL_HOST...), or empty: no mail is sent and nobody is notified. The sandbox default is "graph":
# its sendMail keeps every message in the sandbox outbox (/sandbox/outbox/).
MAIL_TRANSPORT = env_str("MAIL_TRANSPORT", "graph" if SANDBOX_ENABLED else "").lower()
_MAIL_BACKENDS = {
    "graph": "portal.notifications.graph_backend.GraphMailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "": "django.core.mail.backends.dummy.EmailBackend",
}
MAIL_TRANSPORT_UNKNOWN = MAIL_TRANSPORT not in _MAIL_BACKENDS  # refused by a system check
EMAIL_BACKEND = _MAIL_BACKENDS.get(MAIL_TRANSPORT, _MAIL_BACKENDS[""])
MAIL_FROM = env_str("MAIL_FROM", "Token Desk <tokens@contoso-sandbox.example>" if SANDBOX_ENABLED else "")
DEFAULT_FROM_EMAIL = MAIL_FROM or "webmaster@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The mailbox (UPN or object id) Graph sends from; by default the address in MAIL_FROM.
MAIL_GRAPH_MAILBOX = env_str("MAIL_GRAPH_MAILBOX") or parseaddr(MAIL_FROM)[1]
# SMTP: Django's own settings, from variables of the same names.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)  # STARTTLS (port 587)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # TLS from the first byte (port 465)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)

# Kinds of notification switched off, comma-separated (portal.notifications.models.Kind values):
# token_assigned, token_added, token_activated, token_removed, activation_reminder,
# token_lost_or_broken, admin_digest.
NOTIFICATIONS_OFF = env_list("NOTIFICATIONS_OFF", "")
# Who to contact when a security notice describes a change the person didn't make.
HELPDESK_CONTACT = env_str("PORTAL_HELPDESK_CONTACT", "your IT helpdesk")
# Where pages send someone who needs a person (e.g. code entry paused): a https:// or mailto: link,
# shown with PORTAL_HELPDESK_CONTACT as its text; empty: the text alone (other schemes: portal.core.checks).
HELPDESK_URL = env_str("PORTAL_HELPDESK_URL", "")
# Reminders while a token stays assigned but not activated: after N days, then every N days, at most M.
REMINDER_AFTER_DAYS = env_int("REMINDER_AFTER_DAYS", 3)
REMINDER_MAX = env_int("REMINDER_MAX", 2)
# The administrators' digest of the needs-attention queue (its rules: PROGRAM_*_DAYS): addresses,
# "daily" or "weekly", and how many items of each rule it names (the queue has the rest).
DIGEST_TO = env_list("DIGEST_TO", "isaiah.langer@contoso-sandbox.example" if SANDBOX_ENABLED else "")
DIGEST_EVERY = env_str("DIGEST_EVERY", "weekly").lower()
DIGEST_ITEMS_PER_RULE = env_int("DIGEST_ITEMS_PER_RULE", 5)
# Records of sent and undeliverable mail (addresses, serials, sign-in names) and of finished activation
# reminders are deleted after this many days (0: kept for ever).
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 90)
# Delivery: attempts per message, the first retry's wait (doubling, at most an hour), and how long a
# send may take before the message counts as "unconfirmed" (never sent twice: shown to admins).
MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 6)
MAIL_RETRY_SECONDS = env_int("MAIL_RETRY_SECONDS", 60)
MAIL_SENDING_LEASE_SECONDS = env_int("MAIL_SENDING_LEASE_SECONDS", 600)

# --- Logging ---------------------------------------------------------------------------------------

LOG_FORMAT = env_str("PORTAL_LOG_FORMAT", "text")  # "json" in production
LOGGING_CONFIG = "portal.core.logging.configure"  # dictConfig + Python warnings into the same handlers
LOGGING = {
    **handlers_config(LOG_FORMAT),
    "root": {"handlers": ["console"], "level": env_str("PORTAL_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default gives the dev server's logger no handler and no propagation, so its
        # warnings went to Python's last-resort handler: raw, with query strings. Route them here.
        "django.server": {"level": "WARNING", "propagate": True},
        # urllib3 logs full URLs at DEBUG; keep it quiet so query strings never reach a log line.
        "urllib3": {"level": "WARNING"},
        "msal": {"level": "WARNING"},
    },
}

# --- Imports (bulk seed-file import and bulk assignment jobs, portal.imports) ----------------------

# An upload larger than this is refused before its body is read (Content-Length, then a streaming
# upload handler for bodies that don't announce their length).
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 50_000)
# Tokens per bulk PATCH (assignments: per group of $batch calls), and chunks in flight at once.
IMPORT_CHUNK_SIZE = env_int("IMPORT_CHUNK_SIZE", 100)
IMPORT_CONCURRENCY = env_int("IMPORT_CONCURRENCY", 4)
# A running job renews its lease well within this; a lease left to expire means its worker died.
IMPORT_LEASE_SECONDS = env_int("IMPORT_LEASE_SECONDS", 60)
# Dry runs nobody confirmed are deleted (with their encrypted secrets) after this long.
IMPORT_DRAFT_HOURS = env_int("IMPORT_DRAFT_HOURS", 24)


# --- Sealing (portal.identity.sealing) -----------------------------------------------------------------

# Fernet key(s) sealing everything the portal keeps but must not store in clear: the MSAL token
# cache in each session, an admin's delegated sign-in while an import job needs it, seed secrets.
# Comma-separated: the first seals, all unseal (rotation). Production must set it (system check
# portal.E004). IMPORT_ENCRYPTION_KEY, the earlier import-only name, is still read (warning
# portal.W001). The sandbox and the tests generate a key into var/, as they do the secret key.
PORTAL_ENCRYPTION_KEYS = env_list("PORTAL_ENCRYPTION_KEYS", "")
ENCRYPTION_KEYS_FROM_DEPRECATED_NAME = not PORTAL_ENCRYPTION_KEYS and bool(env_list("IMPORT_ENCRYPTION_KEY", ""))
if ENCRYPTION_KEYS_FROM_DEPRECATED_NAME:
    PORTAL_ENCRYPTION_KEYS = env_list("IMPORT_ENCRYPTION_KEY", "")
if not PORTAL_ENCRYPTION_KEYS and (SANDBOX_ENABLED or TESTING):
    _encryption_key_file = VAR_DIR / "portal-encryption-key"
    if not _encryption_key_file.exists():
        from cryptography.fernet import Fernet

        _encryption_key_file.write_text(Fernet.generate_key().decode())
        _encryption_key_file.chmod(0o600)
    PORTAL_ENCRYPTION_KEYS = [_encryption_key_file.read_text().strip()]
