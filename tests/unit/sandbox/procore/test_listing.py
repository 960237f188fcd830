"""Filters, ranges, sort and paging headers of the simulator's list endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.datastructures import URL, QueryParams

from procore_qb.sandbox.procore.errors import BadRequest
from procore_qb.sandbox.procore.listing import (
    apply_filters,
    filter_values,
    page_of,
    parse_range,
    sort_records,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def rows() -> list[dict[str, Any]]:
    return [
        {
            "id": n,
            "name": f"P{n}",
            "origin_id": None if n % 2 else f"O{n}",
            "created_at": T0,
            "updated_at": T0 + timedelta(days=n),
        }
        for n in range(1, 7)
    ]


def test_filter_values_forms() -> None:
    assert filter_values(QueryParams("filters[id]=1,2"), "id") == ["1", "2"]
    assert filter_values(QueryParams("filters[id][]=1&filters[id][]=2"), "id") == ["1", "2"]
    assert filter_values(QueryParams("filters[id]=[1,2]"), "id") == ["1", "2"]
    assert filter_values(QueryParams("x=1"), "id") is None


def test_parse_range_forms() -> None:
    lo, hi = parse_range("updated_at", "2026-01-02...2026-01-03")
    assert lo == datetime(2026, 1, 2, tzinfo=UTC)
    assert hi == datetime(2026, 1, 4, tzinfo=UTC) - timedelta(microseconds=1)
    lo, hi = parse_range("updated_at", "2026-01-02T10:00:00+02:00...2026-01-02T12:00:00Z")
    assert lo == datetime(2026, 1, 2, 8, tzinfo=UTC)
    assert hi == datetime(2026, 1, 2, 12, tzinfo=UTC)
    # A '+' that arrived as a space in a query string still means an offset.
    lo, _ = parse_range("updated_at", "2026-01-02T10:00:00 02:00...2026-01-03")
    assert lo == datetime(2026, 1, 2, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["2026-01-01", "a...b", "2026-01-01T00:00:00...2026-01-02", "2026-01-03...2026-01-01"]
)
def test_parse_range_refuses(text: str) -> None:
    with pytest.raises(BadRequest):
        parse_range("updated_at", text)


def test_apply_filters_combines_with_and() -> None:
    query = QueryParams("filters[updated_at]=2026-01-03...2026-01-06&filters[synced]=true")
    assert [r["id"] for r in apply_filters(rows(), query)] == [2, 4]
    query = QueryParams("filters[origin_id]=O4&filters[id]=4,5")
    assert [r["id"] for r in apply_filters(rows(), query)] == [4]


def test_extra_filters_and_unknown_ones() -> None:
    query = QueryParams("filters[name]=P3&filters[colour]=red")
    got = apply_filters(rows(), query, extra={"name": lambda r, v: r["name"] in v})
    assert [r["id"] for r in got] == [3]


def test_sort_fields() -> None:
    data = rows()
    assert [r["id"] for r in sort_records(data, QueryParams("sort=-id"))] == [6, 5, 4, 3, 2, 1]
    assert [r["id"] for r in sort_records(data, QueryParams("sort=origin_id,id"))][:3] == [2, 4, 6]


def test_page_headers_and_cap() -> None:
    data = rows()
    url = URL("http://sim/rest/v1.0/projects?company_id=1&page=2&per_page=2")
    chunk, headers = page_of(data, url, QueryParams(url.query), default_per_page=1, max_per_page=2)
    assert [r["id"] for r in chunk] == [3, 4]
    assert headers["Total"] == "6"
    assert headers["Per-Page"] == "2"
    assert 'rel="first"' in headers["Link"]
    assert 'rel="prev"' not in headers["Link"]
    assert "company_id=1" in headers["Link"]
    single = URL("http://sim/x")
    _, headers = page_of(data, single, QueryParams(""), default_per_page=10, max_per_page=10)
    assert "Link" not in headers
    assert headers["Per-Page"] == "10"
