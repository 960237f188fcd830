"""The query parser alone."""

from __future__ import annotations

from decimal import Decimal

import pytest

from procore_qb.sandbox.qbo.errors import QboFault
from procore_qb.sandbox.qbo.query import parse


def test_full_grammar() -> None:
    query = parse(
        "SELECT * FROM Customer WHERE Job = true AND DisplayName LIKE 'A%' "
        "AND Id IN ('1', '2') ORDER BY DisplayName DESC, Id STARTPOSITION 11 MAXRESULTS 10"
    )
    assert query.entity == "Customer"
    assert not query.count
    assert [(c.prop, c.op, c.values) for c in query.where] == [
        ("Job", "=", [True]),
        ("DisplayName", "LIKE", ["A%"]),
        ("Id", "IN", ["1", "2"]),
    ]
    assert query.order == [("DisplayName", True), ("Id", False)]
    assert query.start == 11
    assert query.max_results == 10


def test_count_and_numbers() -> None:
    query = parse("select count(*) from Bill where TotalAmt > 10.5")
    assert query.count
    assert query.where[0].values == [Decimal("10.5")]


def test_keywords_are_case_insensitive_and_strings_unescape() -> None:
    query = parse("select * from Vendor where DisplayName = 'Bob\\'s' orderby Id")
    assert query.where[0].values == ["Bob's"]
    assert query.order == [("Id", False)]


@pytest.mark.parametrize(
    "text",
    [
        "select * from Customer where A = 1 or B = 2",
        "select * from Customer, Vendor",
        "select DisplayName from Customer",
        "select * from Customer where Id in ('1'",
        "select * from Customer maxresults 1.5",
        "select * from Customer where A like 5",
        "select * from Customer where A = 1 and",
        "delete from Customer",
        "select * from Customer where A = #",
    ],
)
def test_syntax_errors_are_4000(text: str) -> None:
    with pytest.raises(QboFault) as caught:
        parse(text)
    assert caught.value.code == "4000"
    assert caught.value.detail.startswith("QueryParserError: ")
