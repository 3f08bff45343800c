"""The sandbox tenant: an offline emulator of Entra ID sign-in and the Graph hardware OATH API.

It is a *transport*, not a code path: the portal's MSAL and Graph client send the same requests to
the same URLs as in production; only the requests adapters mounted by settings differ
(see portal.sandbox.transport). Nothing outside this package imports from it, except settings.
"""
