from __future__ import annotations

from django.urls import path

from portal.identity import views

app_name = "identity"
urlpatterns = [
    path("sign-in", views.sign_in, name="sign_in"),
    path("callback", views.callback, name="callback"),
    path("sign-out", views.sign_out, name="sign_out"),
    path("signed-out", views.signed_out, name="signed_out"),
]
