"""Errors of the use-case layer. Domain errors (rules, permissions, transitions) pass through
unchanged; these add what only a use case can know."""

from __future__ import annotations

__all__ = ["AppError", "Conflict", "NotConnected", "NotFound", "UpstreamError"]


class AppError(Exception):
    """Root of every error raised by :mod:`procore_qb.app`."""


class NotFound(AppError):
    """The item, project or user named does not exist (in this company)."""


class Conflict(AppError):
    """The state changed underneath the request (another person acted first)."""


class NotConnected(AppError):
    """A connection the action needs (Procore, QuickBooks) is not set up or not usable."""


class UpstreamError(AppError):
    """Procore or QuickBooks refused or failed a call the action needed; ``str()`` carries
    their own words."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
