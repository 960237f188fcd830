"""Errors of the mail adapter.

Hierarchy::

    NotifyError                 root of everything raised by :mod:`procore_qb.notify`
    ├── MailConfigurationError  the mail settings cannot work (fix the settings)
    ├── NotifyUsageError        called with an argument it cannot work with (fix the call)
    └── DeliveryError           the mail server did not take a message
        ├── TransientDeliveryError   try again later: server down, 4xx reply, connection lost
        │   └── ConnectionFailed     no usable connection at all (refused, TLS, login)
        └── PermanentDeliveryError   the server refused the message for good (5xx reply)

A :class:`DeliveryError` carries the server's own reply (``code`` and ``text``) when there was
one, so the outbox shows what the mail server said. Passwords never appear in messages.
"""

from __future__ import annotations

__all__ = [
    "ConnectionFailed",
    "DeliveryError",
    "MailConfigurationError",
    "NotifyError",
    "NotifyUsageError",
    "PermanentDeliveryError",
    "TransientDeliveryError",
]


class NotifyError(Exception):
    """Root of the mail adapter's errors."""


class MailConfigurationError(NotifyError, ValueError):
    """The mail settings cannot work; the message names the setting and the fix."""


class NotifyUsageError(NotifyError, ValueError):
    """A function of this package was called with an argument it cannot work with."""


class DeliveryError(NotifyError):
    """The mail server did not accept a message."""

    transient: bool = False

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class TransientDeliveryError(DeliveryError):
    """Worth trying again later: nothing is wrong with the message itself."""

    transient = True


class ConnectionFailed(TransientDeliveryError):
    """No connection to the mail server could be opened or kept (it affects the whole batch)."""


class PermanentDeliveryError(DeliveryError):
    """The server refused the message for good; sending it again would get the same answer."""
