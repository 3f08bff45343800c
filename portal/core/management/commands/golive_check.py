"""Check a production configuration before go-live, and say in plain words what is missing.

    python manage.py golive_check --registered-redirect-uri https://tokens.example.org/auth/callback

Runs with the same environment as the web processes. Prints one line per finding (OK, FAIL, WARN,
or a note) and exits non-zero when anything must be fixed first. It never prints a secret.
It doesn't run Django's start-up checks first (a misconfigured portal would stop there with a
terse message); it reports them itself, among its own findings, in the last section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core import checks as django_checks
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http.request import validate_host
from django.urls import reverse

from portal.core.health import discovery_url, fetch_discovery_document
from portal.graph.transport import build_session
from portal.identity.sealing import encryption_keys, invalid_keys

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104  # nosec B104: compared, not bound
# Delegated permissions that only an administrator can consent to for the organisation.
# The portal's own start-up checks (portal.core.checks) that the sections above already explain.
_REPORTED_ABOVE = {
    "portal.E001",
    "portal.E002",
    "portal.E003",
    "portal.E004",
    "portal.E005",
    "portal.notifications.E001",
}
_ADMIN_CONSENT = {
    "UserAuthenticationMethod.ReadWrite.All",
    "User.Read.All",
    "Policy.ReadWrite.AuthenticationMethod",
}


@dataclass
class Report:
    lines: list[tuple[str, str]] = field(default_factory=list)
    failures: int = 0
    warnings: int = 0

    def section(self, title: str) -> None:
        self.lines.append(("section", title))

    def ok(self, text: str) -> None:
        self.lines.append(("OK", text))

    def fail(self, text: str) -> None:
        self.failures += 1
        self.lines.append(("FAIL", text))

    def warn(self, text: str) -> None:
        self.warnings += 1
        self.lines.append(("WARN", text))

    def note(self, text: str) -> None:
        self.lines.append(("", text))


class Command(BaseCommand):
    help = "Check the production configuration (tenant, secrets, database, redirect URI) before go-live."
    requires_system_checks: list[str] = []  # reported below, in plain words, instead of stopping here

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--registered-redirect-uri",
            action="append",
            default=[],
            metavar="URI",
            help="A redirect URI registered on the app registration (Authentication → Web); repeatable.",
        )
        parser.add_argument(
            "--offline",
            action="store_true",
            help="Don't contact Entra ID or Graph (only the local configuration is checked).",
        )
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait for Entra ID / Graph.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = Report()
        self._mode(report)
        self._app_registration(report)
        self._web(report)
        self._database(report)
        self._cache(report)
        self._static_and_imports(report)
        self._identity_provider(report, options["registered_redirect_uri"], options["offline"], options["timeout"])
        self._mail(report, options["offline"], options["timeout"])
        self._django_checks(report)
        self._print(report)
        if report.failures:
            raise CommandError(f"{report.failures} problem(s) to fix before go-live (marked FAIL above).", returncode=1)
        self.stdout.write(self.style.SUCCESS("Ready for go-live: nothing marked FAIL."))

    # --- sections ---------------------------------------------------------------------------------

    def _mode(self, report: Report) -> None:
        report.section("Mode")
        if settings.SANDBOX_CONFLICT:
            report.fail("PORTAL_SANDBOX is on while a real tenant is configured: unset PORTAL_SANDBOX.")
        elif settings.SANDBOX_ENABLED:
            report.fail(
                "The portal runs on its built-in sandbox tenant, because ENTRA_TENANT_ID, ENTRA_CLIENT_ID "
                "and ENTRA_CLIENT_SECRET are not set. Set them to use your Entra tenant."
            )
        else:
            report.ok("A real Entra tenant is configured (the sandbox is off).")
        if settings.DEBUG:
            report.fail("DJANGO_DEBUG is on: error pages would show internals to anyone. Remove it.")
        else:
            report.ok("Debug mode is off.")

    def _app_registration(self, report: Report) -> None:
        report.section("Tenant and app registration")
        if settings.SANDBOX_ENABLED:
            report.note("(sandbox values: skipped)")
            return
        tenant, client, secret = settings.ENTRA_TENANT_ID, settings.ENTRA_CLIENT_ID, settings.ENTRA_CLIENT_SECRET
        if not tenant:
            report.fail(
                "ENTRA_TENANT_ID is not set: copy the Directory (tenant) ID from the app registration's Overview."
            )
        elif not _GUID.match(tenant):
            report.fail(
                "ENTRA_TENANT_ID must be the Directory (tenant) ID, a GUID. A domain name, 'common' or "
                "'organizations' doesn't work: the portal checks every sign-in against this ID."
            )
        else:
            report.ok("ENTRA_TENANT_ID is a Directory (tenant) ID.")
        if not client:
            report.fail(
                "ENTRA_CLIENT_ID is not set: copy the Application (client) ID from the app registration's Overview."
            )
        elif not _GUID.match(client):
            report.fail("ENTRA_CLIENT_ID must be the Application (client) ID, a GUID.")
        else:
            report.ok("ENTRA_CLIENT_ID is an Application (client) ID.")
        if not secret:
            report.fail(
                "ENTRA_CLIENT_SECRET is not set: create a client secret (Certificates & secrets) and use its Value."
            )
        elif _GUID.match(secret):
            report.fail(
                "ENTRA_CLIENT_SECRET looks like the secret's ID (a GUID), not its Value: copy the Value "
                "column (shown only right after the secret is created)."
            )
        else:
            report.ok("ENTRA_CLIENT_SECRET is set (not shown).")

    def _web(self, report: Report) -> None:
        report.section("Web address, secrets and proxies")
        base = urlsplit(settings.PORTAL_BASE_URL)
        if base.scheme != "https":
            report.fail(f"PORTAL_BASE_URL must start with https:// (it is {settings.PORTAL_BASE_URL}).")
        else:
            report.ok(f"PORTAL_BASE_URL is https: {settings.PORTAL_BASE_URL}")
        if base.path not in ("", "/") or base.query or base.fragment:
            report.fail("PORTAL_BASE_URL must be only scheme and host (the portal is served from the root path).")
        if (base.hostname or "") in _LOCAL_HOSTS:
            report.fail("PORTAL_BASE_URL points at this machine: use the address people type in their browser.")
        if base.hostname and not validate_host(base.hostname, settings.ALLOWED_HOSTS):
            report.fail(f"DJANGO_ALLOWED_HOSTS doesn't include {base.hostname}: every request would be refused.")
        elif "*" in settings.ALLOWED_HOSTS:
            report.warn("DJANGO_ALLOWED_HOSTS contains '*': list the portal's host name instead.")
        else:
            report.ok(f"DJANGO_ALLOWED_HOSTS accepts {base.hostname}.")
        if settings.SECRET_KEY_MISSING and not settings.SANDBOX_ENABLED:
            report.fail("DJANGO_SECRET_KEY is not set: use a long random value, the same on every instance.")
        elif len(settings.SECRET_KEY) < 50:
            report.fail("DJANGO_SECRET_KEY is shorter than 50 characters: use a long random value.")
        else:
            report.ok("DJANGO_SECRET_KEY is set (not shown).")
        proxies = settings.TRUSTED_PROXY_COUNT
        if proxies:
            report.ok(f"TRUSTED_PROXY_COUNT={proxies}: client addresses are read from X-Forwarded-For.")
        else:
            report.note(
                "TRUSTED_PROXY_COUNT is 0: logs and the audit trail record the socket address. Behind a "
                "load balancer, set it to the number of proxies that append to X-Forwarded-For."
            )

    def _database(self, report: Report) -> None:
        report.section("Database")
        if settings.DATABASES[DEFAULT_DB_ALIAS]["ENGINE"] == "django.db.backends.sqlite3":
            report.fail(
                "DATABASE_URL is not set (or is SQLite): production needs PostgreSQL, shared by every "
                "instance and the worker, e.g. postgres://portal:…@db.example.org:5432/portal."
            )
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:  # any driver error: say what it was, in one line
            report.fail(f"Cannot use the database: {_one_line(exc)}")
            return
        report.ok(f"The database answers ({connection.vendor}).")
        if pending:
            report.fail(f"{len(pending)} database migration(s) not applied: run `python manage.py migrate`.")
        else:
            report.ok("All database migrations are applied.")

    def _cache(self, report: Report) -> None:
        report.section("Cache")
        backend = str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1]
        if backend == "LocMemCache":
            report.note("Per-process cache (CACHE_URL unset): fine, nothing shared between instances lives in it.")
            return
        try:
            cache.set("golive-check", "1", 10)
            working = cache.get("golive-check") == "1"
        except Exception as exc:  # a missing cache table or an unreachable Redis
            report.fail(
                f"The cache ({backend}) doesn't work: {_one_line(exc)}. "
                "For a db:// CACHE_URL run `python manage.py createcachetable`."
            )
            return
        if working:
            report.ok(f"The cache works ({backend}).")
        else:
            report.fail(f"The cache ({backend}) accepted a value but didn't return it.")

    def _static_and_imports(self, report: Report) -> None:
        report.section("Static files and imports")
        if not settings.HASHED_STATIC:
            report.warn(
                "PORTAL_HASHED_STATIC is off: static files are served uncompressed and without cache-busting names."
            )
        elif not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
            report.fail(
                "Static files were not collected: run `python manage.py collectstatic --no-input` when "
                "building (every page fails without them)."
            )
        else:
            report.ok("Static files are collected (compressed, content-hashed).")
        keys = encryption_keys(settings.PORTAL_ENCRYPTION_KEYS)
        if not keys:
            report.fail(
                "PORTAL_ENCRYPTION_KEYS is not set: sign-ins (refresh tokens) and uploaded seed files "
                "can't be stored sealed."
            )
        elif invalid_keys(keys):
            report.fail("PORTAL_ENCRYPTION_KEYS is not a list of Fernet keys (not shown).")
        else:
            report.ok(f"PORTAL_ENCRYPTION_KEYS is set: {len(keys)} key(s), the first seals (not shown).")
        if settings.ENCRYPTION_KEYS_FROM_DEPRECATED_NAME:
            report.warn(
                "The key comes from IMPORT_ENCRYPTION_KEY, a deprecated name: rename it PORTAL_ENCRYPTION_KEYS."
            )

    def _mail(self, report: Report, offline: bool, timeout: float) -> None:
        report.section("Mail (notifications)")
        transport = settings.MAIL_TRANSPORT
        if settings.MAIL_TRANSPORT_UNKNOWN:
            report.fail(f'MAIL_TRANSPORT={transport!r} is not a mail transport: use "graph", "smtp" or leave it empty.')
            return
        if not transport:
            report.warn(
                "MAIL_TRANSPORT is not set: the portal sends no mail, so nobody hears that a token was assigned "
                'to them or changed on their account. Set it to "graph" or "smtp" (README, "Connect your tenant").'
            )
            return
        if not settings.MAIL_FROM:
            report.fail("MAIL_FROM is not set: the address notifications come from (e.g. Token Desk <tokens@…>).")
        if offline:
            report.note(f"(--offline: the {transport} mail transport was not contacted)")
            return
        if transport == "smtp":
            self._smtp(report, timeout)
        else:
            self._graph_mail(report)

    def _smtp(self, report: Report, timeout: float) -> None:
        import smtplib
        import ssl

        host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
        where = f"{host}:{port}"
        try:
            smtp_class = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
            with smtp_class(host, port, timeout=timeout) as server:
                server.ehlo()
                if settings.EMAIL_USE_TLS and not settings.EMAIL_USE_SSL:
                    server.starttls(context=ssl.create_default_context())
                    server.ehlo()
                if settings.EMAIL_HOST_USER:
                    server.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        except smtplib.SMTPAuthenticationError as exc:
            report.fail(
                f"The mail relay {where} refused the login of EMAIL_HOST_USER (SMTP {exc.smtp_code}): check "
                "EMAIL_HOST_USER and EMAIL_HOST_PASSWORD."
            )
            return
        except smtplib.SMTPNotSupportedError:
            report.fail(
                f"The mail relay {where} offers no STARTTLS (or no login): set EMAIL_USE_SSL for port 465, or "
                "EMAIL_USE_TLS=0 only for a relay on a trusted network."
            )
            return
        except (smtplib.SMTPException, OSError) as exc:
            report.fail(
                f"The mail relay {where} could not be reached ({type(exc).__name__}): check EMAIL_HOST, EMAIL_PORT "
                "and the firewall."
            )
            return
        security = "TLS" if settings.EMAIL_USE_SSL else "STARTTLS" if settings.EMAIL_USE_TLS else "no encryption"
        login = "logged in as EMAIL_HOST_USER" if settings.EMAIL_HOST_USER else "no login"
        report.ok(f"The mail relay {where} answers ({security}, {login}).")
        if not (settings.EMAIL_USE_SSL or settings.EMAIL_USE_TLS):
            report.warn("Mail goes to the relay unencrypted (EMAIL_USE_TLS=0): only on a trusted network.")

    def _graph_mail(self, report: Report) -> None:
        from portal.identity.msal_client import AppTokenUnavailable, app_access_token, app_token_roles

        mailbox = settings.MAIL_GRAPH_MAILBOX
        try:
            token = app_access_token(fresh=True)
        except AppTokenUnavailable as exc:
            report.fail(
                f"Entra ID gave the app no token of its own for sending mail ({exc.error}): check "
                "ENTRA_CLIENT_SECRET, and that the app registration may use the client-credentials grant."
            )
            return
        except Exception as exc:  # a transport failure: say so, never a traceback
            report.fail(f"Entra ID could not be reached for the app's own token ({type(exc).__name__}).")
            return
        if "Mail.Send" not in app_token_roles(token):
            report.fail(
                "The app's token has no Mail.Send application permission: add Microsoft Graph → Application "
                "permissions → Mail.Send to the app registration and grant admin consent."
            )
            return
        report.ok(f"The app may send mail through Microsoft Graph (Mail.Send); it sends from {mailbox}.")
        report.note(
            'Limit it to that mailbox with an Exchange application access policy (README, "Connect your tenant").'
        )

    def _identity_provider(self, report: Report, registered: list[str], offline: bool, timeout: float) -> None:
        report.section("Sign-in with Entra ID")
        # Imported here: portal.identity is an app above core; only this report needs it.
        from portal.identity.signin import redirect_uri

        ours = redirect_uri()
        signed_out = settings.PORTAL_BASE_URL + reverse("identity:signed_out")
        report.note(f"Redirect URI the portal sends (register it, platform Web): {ours}")
        report.note(f"Post-logout redirect URI (register it too, as a second Web redirect URI): {signed_out}")
        if registered:
            if ours in registered:
                report.ok("The redirect URI matches one registered on the app registration.")
            else:
                near = [uri for uri in registered if uri.rstrip("/").lower() == ours.rstrip("/").lower()]
                hint = f" ({near[0]} differs only in case or a trailing slash: Entra compares exactly)" if near else ""
                report.fail(
                    f"The redirect URI {ours} is not among those registered{hint}. Add it under "
                    "Authentication → Platform configurations → Web, or correct PORTAL_BASE_URL."
                )
            if signed_out not in registered:
                report.warn(
                    f"{signed_out} is not registered: Entra won't send people back to the portal after they sign out."
                )
        else:
            report.note("(pass --registered-redirect-uri URI to compare it with the app registration)")
        scopes = [*settings.EMPLOYEE_SCOPES, *settings.ADMIN_SCOPES]
        report.note(
            "Delegated permissions to grant: "
            + ", ".join(f"{scope}{' (admin consent)' if scope in _ADMIN_CONSENT else ''}" for scope in scopes)
        )
        if offline:
            report.note("(--offline: Entra ID and Graph not contacted)")
            return
        if not settings.ENTRA_TENANT_ID:
            report.fail("Entra's discovery document can't be fetched without ENTRA_TENANT_ID.")
            return
        host = urlsplit(discovery_url()).hostname
        try:
            document = fetch_discovery_document(timeout=timeout)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            report.fail(
                f"{host} answered HTTP {status} for the tenant's discovery document: check ENTRA_TENANT_ID "
                "(a tenant that doesn't exist answers 400)."
            )
            return
        except (requests.RequestException, ValueError) as exc:
            report.fail(
                f"Entra's discovery document could not be fetched from {host} ({type(exc).__name__}): this "
                "machine needs outbound HTTPS to login.microsoftonline.com and graph.microsoft.com "
                "(firewall, HTTPS_PROXY)."
            )
            return
        report.ok(f"Entra's discovery document was fetched from {host}.")
        expected_issuer = f"{settings.ENTRA_AUTHORITY_HOST}/{settings.ENTRA_TENANT_ID}/v2.0"
        if document.get("issuer") != expected_issuer:
            report.fail(
                f"The tenant's issuer is {document.get('issuer')!r}, not {expected_issuer!r}: check ENTRA_TENANT_ID."
            )
        authorize = urlsplit(str(document["authorization_endpoint"]))
        token = urlsplit(str(document["token_endpoint"]))
        report.note(f"Authorization endpoint host: {authorize.hostname}; token endpoint host: {token.hostname}")
        if not settings.SANDBOX_ENABLED and authorize.scheme != "https":
            report.fail("The authorization endpoint is not https.")
        self._graph_reachable(report, timeout)

    def _graph_reachable(self, report: Report, timeout: float) -> None:
        # Any HTTP answer proves the route (an unauthenticated request is answered 401); only a
        # transport failure means Graph is out of reach.
        url = f"{settings.GRAPH_BASE_URL}/me"
        try:
            with build_session(timeout=timeout) as session:
                status = session.get(url).status_code
        except requests.RequestException as exc:
            report.fail(f"Microsoft Graph ({urlsplit(url).hostname}) could not be reached ({type(exc).__name__}).")
            return
        report.ok(f"Microsoft Graph answers ({urlsplit(url).hostname}, HTTP {status} without a token, as expected).")

    def _django_checks(self, report: Report) -> None:
        report.section("Django's deployment checks (manage.py check --deploy)")
        messages = django_checks.run_checks(include_deployment_checks=True)
        shown = [
            m
            for m in messages
            if not m.is_silenced() and m.level >= django_checks.WARNING and m.id not in _REPORTED_ABOVE
        ]
        for message in shown:
            text = f"{message.msg}{' ' + message.hint if message.hint else ''} [{message.id}]"
            if message.is_serious():
                report.fail(text)
            else:
                report.warn(text)
        if not shown:
            report.ok("No errors or warnings.")

    def _print(self, report: Report) -> None:
        styles = {"OK": self.style.SUCCESS, "FAIL": self.style.ERROR, "WARN": self.style.WARNING}
        self.stdout.write(f"Go-live check for {settings.PORTAL_BASE_URL}")
        for kind, text in report.lines:
            if kind == "section":
                self.stdout.write(f"\n{text}")
            else:
                label = styles[kind](f"{kind:<5}") if kind in styles else " " * 5
                self.stdout.write(f"  {label} {text}")
        self.stdout.write(f"\n{report.failures} to fix, {report.warnings} warning(s).")


def _one_line(exc: BaseException) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
