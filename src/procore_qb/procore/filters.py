"""Query parameters for Procore's list filters (spec procore-api §1.4).

``filters[<attr>]=value``; arrays as ``filters[<attr>][]=v1&filters[<attr>][]=v2``; date-time
ranges as ISO 8601 ``start...end``
(developers.procore.com/documentation/filtering-on-list-actions).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from procore_qb.procore.errors import ProcoreUsageError

__all__ = ["FilterValue", "QueryValue", "filter_params", "time_range"]

QueryValue = str | int | bool | Sequence[str | int]
FilterValue = str | int | bool | Sequence[str | int] | tuple[datetime, datetime] | None


def _instant(value: datetime | date) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ProcoreUsageError(
                "filter times must be timezone-aware (Procore compares in UTC); "
                "pass datetime(..., tzinfo=UTC)"
            )
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def time_range(start: datetime | date, end: datetime | date) -> str:
    """``start...end`` as Procore's ``filters[updated_at]`` and ``filters[created_at]`` take it."""
    if type(start) is not type(end):
        raise ProcoreUsageError("a time range needs two dates or two datetimes, not one of each")
    if start > end:
        raise ProcoreUsageError(f"time range starts after it ends: {start} > {end}")
    return f"{_instant(start)}...{_instant(end)}"


def filter_params(**filters: FilterValue) -> dict[str, QueryValue]:
    """``filter_params(updated_at=(a, b), origin_id="X", id=[1, 2])`` as query parameters.

    None values are left out; booleans become ``true``/``false``; a (start, end) pair of
    datetimes becomes a range; other sequences become ``filters[attr][]``.
    """
    params: dict[str, QueryValue] = {}
    for name, value in filters.items():
        if value is None:
            continue
        if isinstance(value, bool):
            params[f"filters[{name}]"] = "true" if value else "false"
        elif isinstance(value, str | int):
            params[f"filters[{name}]"] = value
        elif (
            isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, date) for v in value)
        ):
            start, end = value
            params[f"filters[{name}]"] = time_range(start, end)  # type: ignore[arg-type]
        else:
            params[f"filters[{name}][]"] = [v for v in value if isinstance(v, str | int)]
    return params
