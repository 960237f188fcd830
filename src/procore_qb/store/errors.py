"""Errors of the store package.

StoreError
├── NotFound              the row asked for does not exist
├── Conflict              someone else changed the row first (optimistic lock, unique key)
├── InvalidQuery          a repository was asked for something it cannot answer (fix the call)
└── DatabaseUnavailable   the database URL is unusable, the server unreachable, the file damaged
"""

from __future__ import annotations

__all__ = ["Conflict", "DatabaseUnavailable", "InvalidQuery", "NotFound", "StoreError"]


class StoreError(Exception):
    """Root of every error raised by :mod:`procore_qb.store`."""


class NotFound(StoreError):
    """The row asked for does not exist."""


class Conflict(StoreError):
    """Someone else changed the row first, or the change would pair a record twice."""


class InvalidQuery(StoreError, ValueError):
    """A repository was asked for something it cannot answer: an unknown state, a bad limit."""


class DatabaseUnavailable(StoreError):
    """The database cannot be used at all: its URL, its server or its file. The message is one
    line that says how to fix it."""
