"""The sandbox tenant under /sandbox/ (mounted by portal.urls only when the sandbox is on).

The browser sign-in and sign-out pages are listed before the catch-all that relays the
identity provider's machine endpoints (discovery, keys, token), so they win for their paths.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from portal.sandbox import views

app_name = "sandbox"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/sign-in", views.token_sign_in, name="token_sign_in"),
    path("users/", views.users, name="users"),
    path("users/<uuid:user_id>/", views.user_change, name="user_change"),
    path("outbox/", views.outbox, name="outbox"),
    path("login/<str:tenant>/oauth2/v2.0/authorize", views.authorize, name="authorize"),
    path("login/<str:tenant>/oauth2/v2.0/logout", views.logout, name="logout"),
    path("login/<path:rest>", views.login_endpoint, name="login_endpoint"),
    path("graph/", views.graph_endpoint, name="graph_root"),
    path("graph/<path:rest>", views.graph_endpoint, name="graph_endpoint"),
]
