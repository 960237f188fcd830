"""Checking request bodies against the field names Procore's API documents for each request.

Each resource module declares, per request, the keys Procore's published collection shows in its
body; :func:`check_fields` refuses anything else before a call is sent, so a typo cannot be
silently dropped by Procore. A contract test compares these sets with the collection.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from procore_qb.procore.errors import ProcoreUsageError

__all__ = ["check_fields"]


def check_fields(what: str, item: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """``item`` as a dict, or :class:`ProcoreUsageError` naming the fields Procore does not take."""
    allowed_set = frozenset(allowed)
    # One set operation in C when every key is known (each item of a sync call of 1,000 is
    # checked); the unknown keys are only listed for the refusal.
    if not allowed_set.issuperset(item):
        unknown = sorted(k for k in item if k not in allowed_set)
        raise ProcoreUsageError(
            f"{what} does not take {', '.join(unknown)}; "
            f"allowed fields are: {', '.join(sorted(allowed_set))}"
        )
    return dict(item)
