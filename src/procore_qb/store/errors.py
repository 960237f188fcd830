"""Errors of the store package.

StoreError
├── NotFound        the row asked for does not exist
└── Conflict        someone else changed the row first (optimistic lock, unique key)
"""

from __future__ import annotations

__all__ = ["Conflict", "NotFound", "StoreError"]


class StoreError(Exception):
    """Root of every error raised by :mod:`procore_qb.store`."""


class NotFound(StoreError):
    """The row asked for does not exist."""


class Conflict(StoreError):
    """Someone else changed the row first, or the change would pair a record twice."""
