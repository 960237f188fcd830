from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from procore_qb.quickbooks.online.query import Query, QueryError, literal


def test_render_page() -> None:
    q = (
        Query("Customer")
        .where("Job", "=", True)
        .where("Active", "IN", [True, False])
        .order_by("Id")
    )
    assert q.render(1001, 1000) == (
        "SELECT * FROM Customer WHERE Job = true AND Active IN (true, false) ORDERBY Id"
        " STARTPOSITION 1001 MAXRESULTS 1000"
    )


def test_count() -> None:
    assert (
        Query("Item").where("Type", "=", "Service").render_count()
        == "SELECT COUNT(*) FROM Item WHERE Type = 'Service'"
    )


def test_quotes_are_escaped() -> None:
    q = Query("Customer").where("DisplayName", "=", "O'Brien's \\ Shop")
    assert q.render() == (
        "SELECT * FROM Customer WHERE DisplayName = 'O\\'Brien\\'s \\\\ Shop'"
        " STARTPOSITION 1 MAXRESULTS 1000"
    )


def test_literals() -> None:
    assert literal(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "'2026-01-02T03:04:05+00:00'"
    assert literal(date(2026, 1, 2)) == "'2026-01-02'"
    assert literal(Decimal("1.50")) == "1.50"
    assert literal(7) == "7"
    with pytest.raises(QueryError, match="timezone-aware"):
        literal(datetime(2026, 1, 2))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("prop", "op", "value", "message"),
    [
        ("DisplayName", "OR", "x", "not supported"),
        ("Name; DROP", "=", "x", "not a property path"),
        ("Name", "LIKE", "abc", "wildcard"),
        ("Id", "IN", [], "at least one"),
        ("Id", "IN", "1,2", "list"),
        ("Id", "=", ["1"], "one value"),
    ],
)
def test_unsupported_grammar_is_refused(prop: str, op: str, value: object, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        Query("Customer").where(prop, op, value)  # type: ignore[arg-type]


def test_paging_limits() -> None:
    with pytest.raises(QueryError, match="1-based"):
        Query("Customer").render(0, 10)
    with pytest.raises(QueryError, match="MAXRESULTS"):
        Query("Customer").render(1, 1001)
    with pytest.raises(QueryError, match="entity"):
        Query("customer where 1=1")


def test_like_and_order_desc() -> None:
    q = (
        Query("Vendor")
        .where("DisplayName", "like", "Ac%")
        .order_by("MetaData.LastUpdatedTime", descending=True)
    )
    assert q.render(1, 10) == (
        "SELECT * FROM Vendor WHERE DisplayName LIKE 'Ac%' ORDERBY MetaData.LastUpdatedTime DESC"
        " STARTPOSITION 1 MAXRESULTS 10"
    )
