"""List endpoints: ``filters[...]``, ``sort``, and paging with Procore's headers.

Rules (spec procore-api.md):

* §1.4 (D-filter): ``filters[<attr>]=value``; arrays as ``filters[<attr>][]=v1&...`` (we also take
  a comma list, as ``filters[id]`` documents "IDs"); several filters combine with AND;
  ``filters[created_at]``/``filters[updated_at]`` are ISO 8601 ranges joined with ``...`` in the
  forms ``YYYY-MM-DD...YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM:SSZ...`` and ``…+XX:00...…+XX:00``;
  ``sort=<field>`` with comma-separated fields (a leading ``-`` sorts descending).
* §1.3 (D-pagination): ``page`` (1-based) and ``per_page``; headers ``Total``, ``Per-Page`` and
  ``Link`` with ``first``/``prev``/``next``/``last``: page 1 has next and last, the last page has
  no next, middle pages have all four. ``per_page`` above the cap is lowered to the cap (Procore
  recommends at most 2,000) and ``Per-Page`` reports the size actually used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from operator import itemgetter
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import URL, QueryParams

from procore_qb.sandbox.procore.errors import BadRequest

__all__ = [
    "apply_filters",
    "filter_values",
    "page_of",
    "parse_range",
    "sort_records",
]

Record = dict[str, Any]


def filter_values(query: QueryParams, name: str) -> list[str] | None:
    """Values of ``filters[name]`` (``[]`` array form or comma list); None when absent."""
    values = query.getlist(f"filters[{name}][]") + query.getlist(f"filters[{name}]")
    if not values:
        return None
    out: list[str] = []
    for value in values:
        # "filters[id]=[1,2]" is the collection's own example for cost codes (S-postman).
        text = value.strip().removeprefix("[").removesuffix("]")
        out.extend(part.strip() for part in text.split(",") if part.strip())
    return out


def _parse_instant(text: str, *, end: bool) -> datetime:
    text = text.strip().replace(" ", "+")  # '+' decoded as a space in a query string
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.min, tzinfo=UTC)
            return moment + timedelta(days=1) - timedelta(microseconds=1) if end else moment
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(
            f"'{text}' is not an ISO 8601 date or date-time; use YYYY-MM-DD or "
            "YYYY-MM-DDTHH:MM:SSZ (or an offset such as +02:00)"
        ) from exc
    if parsed.tzinfo is None:
        raise BadRequest(f"'{text}' has no time zone; end it with Z or an offset like +02:00")
    return parsed.astimezone(UTC)


def parse_range(name: str, text: str) -> tuple[datetime, datetime]:
    """``a...b`` as an inclusive range of instants (a whole day when a date is given)."""
    parts = text.split("...")
    if len(parts) != 2:
        raise BadRequest(
            f"filters[{name}] must be a range 'start...end' (three dots), e.g. "
            "2026-01-01T00:00:00Z...2026-01-31T23:59:59Z; got "
            f"'{text}'"
        )
    start = _parse_instant(parts[0], end=False)
    stop = _parse_instant(parts[1], end=True)
    if stop < start:
        raise BadRequest(f"filters[{name}] ends before it starts: '{text}'")
    return start, stop


def _truthy(name: str, text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise BadRequest(f"filters[{name}] must be true or false; got '{text}'")


def apply_filters(
    records: Iterable[Record],
    query: QueryParams,
    *,
    extra: dict[str, Callable[[Record, list[str]], bool]] | None = None,
) -> list[Record]:
    """Keep records matching every supported filter: id, origin_id, created_at, updated_at, synced,
    plus the resource's ``extra`` ones (name -> predicate over the filter's values)."""
    tests: list[Callable[[Record], bool]] = []
    ids = filter_values(query, "id")
    if ids is not None:
        try:
            wanted_ids = {int(v) for v in ids}
        except ValueError as exc:
            raise BadRequest(f"filters[id] takes integer ids; got {ids}") from exc
        tests.append(lambda r: r["id"] in wanted_ids)
    origins = filter_values(query, "origin_id")
    if origins is not None:
        wanted_origins = set(origins)
        tests.append(lambda r: r.get("origin_id") in wanted_origins)
    for stamp in ("created_at", "updated_at"):
        raw = query.get(f"filters[{stamp}]")
        if raw is not None:
            tests.append(_in_range(stamp, *parse_range(stamp, raw)))
    synced = query.get("filters[synced]")
    if synced is not None:
        want = _truthy("synced", synced)
        tests.append(lambda r: (r.get("origin_id") is not None) == want)
    for name, predicate in (extra or {}).items():
        values = filter_values(query, name)
        if values is not None:
            tests.append(_bind(predicate, values))
    if not tests:
        return list(records)
    if len(tests) == 1:
        only = tests[0]
        return [r for r in records if only(r)]
    return [r for r in records if all(t(r) for t in tests)]


def sort_records(records: list[Record], query: QueryParams, default: str = "id") -> list[Record]:
    fields = [f.strip() for f in (query.get("sort") or default).split(",") if f.strip()]
    for spec in reversed(fields):
        desc = spec.startswith("-")
        key = spec.lstrip("-")
        if {type(r.get(key)) for r in records} <= {int}:
            # Integers alone (ids, the default sort): every record has the key, and its
            # value orders them as ``_sort_key``'s (False, value) does, ties kept in place.
            records.sort(key=itemgetter(key), reverse=desc)
        else:
            records.sort(key=_sort_key(key), reverse=desc)
    return records


def _in_range(stamp: str, lo: datetime, hi: datetime) -> Callable[[Record], bool]:
    def test(record: Record) -> bool:
        return bool(lo <= record[stamp] <= hi)

    return test


def _bind(
    predicate: Callable[[Record, list[str]], bool], values: list[str]
) -> Callable[[Record], bool]:
    def test(record: Record) -> bool:
        return predicate(record, values)

    return test


def _sort_key(key: str) -> Callable[[Record], tuple[bool, Any]]:
    def sort_key(record: Record) -> tuple[bool, Any]:
        value = record.get(key)
        return (value is None, _sortable(value))

    return sort_key


def _sortable(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    if value is None or isinstance(value, bool):
        return 0
    return value


def _int_param(query: QueryParams, name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise BadRequest(f"{name} must be a positive integer; got '{raw}'") from exc
    if value < 1:
        raise BadRequest(f"{name} must be a positive integer; got '{raw}'")
    return value


def page_of(
    records: Sequence[Record],
    url: URL,
    query: QueryParams,
    *,
    default_per_page: int,
    max_per_page: int,
) -> tuple[Sequence[Record], dict[str, str]]:
    """The requested page and its ``Total``/``Per-Page``/``Link`` headers."""
    page = _int_param(query, "page", 1)
    per_page = min(_int_param(query, "per_page", default_per_page), max_per_page)
    total = len(records)
    last = max(1, -(-total // per_page))
    chunk = records[(page - 1) * per_page : page * per_page]

    def link(n: int) -> str:
        items = [(k, v) for k, v in query.multi_items() if k not in ("page", "per_page")]
        items += [("page", str(n)), ("per_page", str(per_page))]
        return str(url.replace(query=urlencode(items)))

    # Page 2's "prev" would equal "first", and Procore's example for page 2 shows only first,
    # next and last (D-pagination).
    rels: list[tuple[str, int]] = []
    if page > 1:
        rels.append(("first", 1))
    if page > 2:
        rels.append(("prev", min(page - 1, last)))
    if page < last:
        rels += [("next", page + 1), ("last", last)]
    headers = {"Total": str(total), "Per-Page": str(per_page)}
    if rels:
        headers["Link"] = ", ".join(f'<{link(n)}>; rel="{rel}"' for rel, n in rels)
    return chunk, headers
