from __future__ import annotations


class MailDeliveryError(Exception):
    """A message was not delivered. `retry`: trying again later may work. `unconfirmed`: the send may
    have happened (its answer was lost), so it must not be repeated."""

    def __init__(self, message: str, *, retry: bool, unconfirmed: bool = False) -> None:
        super().__init__(message)
        self.retry = retry and not unconfirmed
        self.unconfirmed = unconfirmed
