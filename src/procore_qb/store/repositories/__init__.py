"""Repositories: the only code that queries the models. Each takes a ``Session`` and never
commits: the caller's use case owns the transaction."""

from __future__ import annotations
