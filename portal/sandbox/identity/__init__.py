"""The sandbox tenant's identity provider: Entra's discovery, keys and token endpoints.

A plain `handle(SandboxRequest) -> SandboxResponse` core (app.py) served in-process for
https://login.microsoftonline.com and over the dev server under /sandbox/login/. The browser side
of sign-in (authorize and logout pages) lives in portal.sandbox.views, built on authorize.py.
"""
