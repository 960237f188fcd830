"""Filters, ranges, sort and paging headers of the simulator's list endpoints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import URL, QueryParams

from procore_qb.sandbox.procore.errors import BadRequest
from procore_qb.sandbox.procore.listing import (
    _sort_key,
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


SORT_VALUES = st.one_of(
    st.integers(min_value=-5, max_value=5),
    st.none(),
    st.booleans(),
    st.sampled_from(["a", "B", "b"]),
    st.floats(min_value=-5, max_value=5),
)


@settings(max_examples=300)
@given(
    st.lists(st.one_of(st.integers(min_value=-5, max_value=5), SORT_VALUES), max_size=12),
    st.sampled_from(["id", "-id", "n", "-n", "n,id", "-n,-id"]),
    st.booleans(),
)
def test_sort_is_the_keyed_sort(values: list[Any], sort: str, only_ints: bool) -> None:
    # Lists of integers alone take a quicker path; it must order them (ties too) as
    # the keyed sort does.
    if only_ints:
        values = [v if type(v) is int else 0 for v in values]
    data = [{"id": n, "n": v} for n, v in enumerate(values)]
    want = list(data)
    try:
        for spec in reversed(sort.split(",")):
            want.sort(key=_sort_key(spec.lstrip("-")), reverse=spec.startswith("-"))
    except TypeError:  # strings and numbers do not compare, either way
        with pytest.raises(TypeError):
            sort_records(list(data), QueryParams(f"sort={sort}"))
        return
    got = sort_records(list(data), QueryParams(f"sort={sort}"))
    assert [r["id"] for r in got] == [r["id"] for r in want]
