"""Errors of the store package.

StoreError
├── NotFound        the row asked for does not exist
├── Conflict        someone else changed the row first (optimistic lock, unique key)
└── InvalidQuery    a repository was asked for something it cannot answer (fix the call)
"""

from __future__ import annotations

__all__ = ["Conflict", "InvalidQuery", "NotFound", "StoreError"]


class StoreError(Exception):
    """Root of every error raised by :mod:`procore_qb.store`."""


class NotFound(StoreError):
    """The row asked for does not exist."""


class Conflict(StoreError):
    """Someone else changed the row first, or the change would pair a record twice."""


class InvalidQuery(StoreError, ValueError):
    """A repository was asked for something it cannot answer: an unknown state, a bad limit."""
