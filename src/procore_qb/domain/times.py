"""The domain reads no clock: callers pass times in, and they must say their time zone."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["QUICKBOOKS_CLOCK_SKEW", "require_aware"]

QUICKBOOKS_CLOCK_SKEW = timedelta(minutes=10)
"""How far the QuickBooks Desktop machine's clock may be from ours. QuickBooks stamps
``TimeModified`` from the workstation clock (spec quickbooks-api.md §B.7), so a read of what
changed "since" one of our times starts this much earlier: a job-list refresh, and the look-up
after a lost answer. Reading a record twice is harmless."""


def require_aware(at: datetime) -> datetime:
    """Return ``at`` if it is timezone-aware; raise ``ValueError`` for a naive time."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"times passed to the domain must be timezone-aware, got {at!r}")
    return at
