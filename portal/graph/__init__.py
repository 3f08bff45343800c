"""The portal's Microsoft Graph client: one requests session, typed errors and results."""
