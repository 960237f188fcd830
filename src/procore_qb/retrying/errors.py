"""Errors of :mod:`procore_qb.retrying`."""

from __future__ import annotations

from datetime import timedelta

__all__ = ["RetryLater", "RetryingError"]


class RetryingError(Exception):
    """Root of the errors of :mod:`procore_qb.retrying`."""


class RetryLater(RetryingError):
    """The service asked to be called again after a wait longer than the policy sleeps
    in-process (a long ``Retry-After`` or rate-limit window).

    Raised instead of sleeping, so no worker thread is held for minutes. ``retry_after`` is the
    wait the service asked for; the job queue runs the job again after it (both adapters of
    ``procore_qb.jobs`` do). The original error is the ``__cause__``.
    """

    def __init__(self, message: str, *, retry_after: timedelta) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Read by the job queue: a retry, never a final failure."""
        return True
