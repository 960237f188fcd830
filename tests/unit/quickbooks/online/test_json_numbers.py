"""Numbers at the QuickBooks Online boundary: the client refuses the NaN and Infinity tokens
that Python's JSON decoder would read, the cost-line readers refuse amounts that are not
finite numbers, and finite amounts reach the lines exactly."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.domain.commands import JobCostSource
from procore_qb.quickbooks.online.errors import QboProtocolError
from procore_qb.quickbooks.online.job_costs import expense_lines, journal_lines
from procore_qb.quickbooks.online.query import Query

from .helpers import TIME, make_client

PLACEHOLDER = "__number__"
TOKENS = ("NaN", "Infinity", "-Infinity")


def _bill(amount: Any, line_id: str = "1") -> dict[str, Any]:
    return {
        "Id": "100",
        "TxnDate": "2026-11-01",
        "VendorRef": {"value": "5", "name": "Ready Mix Co"},
        "Line": [
            {
                "Id": line_id,
                "Amount": amount,
                "DetailType": "ItemBasedExpenseLineDetail",
                "ItemBasedExpenseLineDetail": {
                    "ItemRef": {"value": "30"},
                    "CustomerRef": {"value": "58"},
                },
            }
        ],
        "TotalAmt": amount,
    }


def _page_text(bills: list[dict[str, Any]]) -> str:
    return json.dumps({"QueryResponse": {"Bill": bills, "startPosition": 1}, "time": TIME})


def _client_answering(text: str) -> Any:
    return make_client(
        lambda _request: httpx2.Response(
            200, content=text.encode(), headers={"content-type": "application/json"}
        )
    )


def _read_page(text: str) -> list[dict[str, Any]]:
    pages = list(_client_answering(text).query_pages(Query("Bill")))
    return [bill for page in pages for bill in page]


finite_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=10,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(finite_json, min_size=1, max_size=4),
    st.sampled_from(TOKENS),
    st.data(),
)
def test_a_nan_or_infinity_token_anywhere_in_an_answer_is_refused(
    others: list[Any], token: str, data: st.DataObject
) -> None:
    """Wherever the token stands (an amount, a total, deep in an unread field), the whole
    answer is refused with the rule and the fix, never read as a float."""
    where = data.draw(st.integers(0, len(others)))
    values: list[Any] = [*others]
    values.insert(where, PLACEHOLDER)
    bills = [_bill(value, line_id=str(n)) for n, value in enumerate(values)]
    text = _page_text(bills).replace(json.dumps(PLACEHOLDER), token, 1)
    with pytest.raises(QboProtocolError) as raised:
        _read_page(text)
    message = str(raised.value)
    assert token in message
    assert "RFC 8259" in message
    assert "PROCORE_QB_QBO__API_BASE_URL" in message


@settings(max_examples=150, deadline=None)
@given(st.lists(finite_json, max_size=4))
def test_answers_without_those_tokens_decode_as_json_does(values: list[Any]) -> None:
    bills = [_bill(value, line_id=str(n)) for n, value in enumerate(values)]
    text = _page_text(bills)
    assert _read_page(text) == json.loads(text)["QueryResponse"]["Bill"]


amounts = st.decimals(
    min_value=Decimal("-99999999999.99"),
    max_value=Decimal("99999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=5))
def test_amounts_reach_the_cost_lines_exactly(values: list[Decimal]) -> None:
    """Amounts travel as JSON numbers and are decoded as floats; a cost line's amount is the
    Decimal of the float's shortest text, which is the amount QuickBooks sent (13 digits at
    most, well within a float's 15)."""
    bills = [_bill(PLACEHOLDER, line_id=str(n)) for n in range(len(values))]
    text = _page_text(bills)
    for value in values:
        text = text.replace(json.dumps(PLACEHOLDER), str(value), 2)
    read = _read_page(text)
    lines = [
        line
        for bill in read
        for line in expense_lines(
            bill, source=JobCostSource.BILL, negative=False, vendor_key="VendorRef"
        )
    ]
    assert [line.amount for line in lines] == values


def _no_number(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return True
    return False


not_finite = st.one_of(
    st.sampled_from([float("nan"), float("inf"), float("-inf")]),
    st.sampled_from(["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "-Inf"]),
    # No number at all: QuickBooks always sends an Amount on a line coded to a job.
    st.sampled_from(["", "abc", None, True, {}, [], {"value": "1"}]),
    st.text(max_size=8).filter(_no_number),
)


@settings(max_examples=100, deadline=None)
@given(not_finite, st.booleans())
def test_a_cost_line_amount_that_is_no_finite_number_is_refused(amount: Any, journal: bool) -> None:
    if journal:
        txn: dict[str, Any] = {
            "Id": "7",
            "TxnDate": "2026-11-01",
            "Line": [
                {
                    "Id": "3",
                    "Amount": amount,
                    "DetailType": "JournalEntryLineDetail",
                    "JournalEntryLineDetail": {
                        "PostingType": "Debit",
                        "AccountRef": {"value": "60"},
                        "Entity": {"Type": "Customer", "EntityRef": {"value": "58"}},
                    },
                }
            ],
        }
        read = lambda: journal_lines(txn)  # noqa: E731
    else:
        txn = _bill(amount, line_id="3")
        read = lambda: expense_lines(  # noqa: E731
            txn, source=JobCostSource.BILL, negative=True, vendor_key="VendorRef"
        )
    with pytest.raises(QboProtocolError) as raised:
        read()
    message = str(raised.value)
    assert "not a finite number" in message
    assert "line '3' of transaction" in message
    assert "PROCORE_QB_QBO__API_BASE_URL" in message


def test_a_cost_line_without_an_amount_is_refused_not_left_out() -> None:
    bill = _bill("1.00", line_id="3")
    del bill["Line"][0]["Amount"]
    with pytest.raises(QboProtocolError, match=r"line '3' of transaction .* not a finite number"):
        expense_lines(bill, source=JobCostSource.BILL, negative=False, vendor_key="VendorRef")


def test_a_number_too_large_for_a_float_is_refused_as_an_amount() -> None:
    """Python's decoder reads 1e400 as an infinite float: the reader refuses it."""
    text = _page_text([_bill(PLACEHOLDER)]).replace(json.dumps(PLACEHOLDER), "1e400")
    (bill,) = _read_page(text)
    with pytest.raises(QboProtocolError, match="not a finite number"):
        expense_lines(bill, source=JobCostSource.BILL, negative=False, vendor_key="VendorRef")


def test_a_line_not_read_is_not_refused_for_its_amount() -> None:
    """Only the lines coded to a job wanted are read; another line's amount is not looked at."""
    bill = _bill("NaN")
    assert (
        expense_lines(
            bill, source=JobCostSource.BILL, negative=False, vendor_key="VendorRef", wanted={"59"}
        )
        == []
    )
