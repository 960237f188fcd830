"""The domain reads no clock: callers pass times in, and they must say their time zone."""

from __future__ import annotations

from datetime import datetime

__all__ = ["require_aware"]


def require_aware(at: datetime) -> datetime:
    """Return ``at`` if it is timezone-aware; raise ``ValueError`` for a naive time."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"times passed to the domain must be timezone-aware, got {at!r}")
    return at
