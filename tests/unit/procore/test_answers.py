"""Reading Procore's answers: ids, amounts, text and objects, and what a malformed one says."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given

from procore_qb.procore.answers import (
    MAX_AMOUNT,
    MAX_ID,
    amount,
    answer_list,
    answer_object,
    opt_id,
    opt_text,
    read_id,
    shown,
    to_id,
)
from procore_qb.procore.errors import ProcoreError, ProcoreProtocolError
from procore_qb.procore.sync import SyncResult

from .json_values import json_values


@pytest.mark.parametrize(
    ("sent", "expected"),
    [(1, 1), (42, 42), ("42", 42), (42.0, 42), (MAX_ID, MAX_ID), (str(MAX_ID), MAX_ID)],
)
def test_ids_procore_sends_are_read(sent: Any, expected: int) -> None:
    assert to_id(sent, field="id", what="project") == expected


@pytest.mark.parametrize(
    ("sent", "text"),
    [
        ("abc", "Procore sent a budget line whose cost_code_id is 'abc', not a number"),
        (True, "Procore sent a budget line whose cost_code_id is true, not a number"),
        (12.5, "Procore sent a budget line whose cost_code_id is 12.5, not a whole number"),
        (-3, "Procore sent a budget line whose cost_code_id is -3, not an id between 1 and 2^63-1"),
        (0, "Procore sent a budget line whose cost_code_id is 0, not an id between 1 and 2^63-1"),
        (" 12", "Procore sent a budget line whose cost_code_id is ' 12', not a number"),
        ("١٢", "Procore sent a budget line whose cost_code_id is '١٢', not a number"),
        ([12], "Procore sent a budget line whose cost_code_id is [12], not a number"),
        ({"id": 1}, 'Procore sent a budget line whose cost_code_id is {"id": 1}, not a number'),
    ],
)
def test_an_id_that_is_no_id_is_refused_with_what_was_sent(sent: Any, text: str) -> None:
    with pytest.raises(ProcoreProtocolError) as caught:
        to_id(sent, field="cost_code_id", what="budget line")
    assert str(caught.value) == text
    assert caught.value.resource == "budget line"
    assert caught.value.field == "cost_code_id"


def test_ids_beyond_64_bits_are_refused() -> None:
    for sent in (MAX_ID + 1, str(MAX_ID + 1), "1" * 20, 2.0**60, 10**5000):
        with pytest.raises(ProcoreProtocolError):
            to_id(sent, field="id", what="project")


def test_what_was_sent_is_shortened_in_the_message() -> None:
    with pytest.raises(ProcoreProtocolError) as caught:
        to_id("x" * 10_000, field="id", what="direct cost")
    assert len(str(caught.value)) < 120
    assert caught.value.sent.endswith("…")
    assert shown(10**5000) == "(a number)"


def test_a_missing_id_names_the_resource_and_field() -> None:
    with pytest.raises(ProcoreProtocolError, match=r"^Procore sent a cost type without its id$"):
        read_id({"name": "Other"}, "id", what="cost type")
    with pytest.raises(ProcoreProtocolError, match=r"^Procore sent an ERP job cost without its id"):
        read_id({"id": None}, "id", what="ERP job cost")


def test_optional_ids_and_text_read_missing_null_and_empty_as_none() -> None:
    for row in ({}, {"f": None}, {"f": ""}):
        assert opt_id(row, "f", what="project") is None
        assert opt_text(row, "f", what="project") is None
    assert opt_id({"f": "7"}, "f", what="project") == 7
    assert opt_text({"f": "80-A"}, "f", what="project") == "80-A"
    with pytest.raises(ProcoreProtocolError, match=r"origin_id is 12, not text"):
        opt_text({"origin_id": 12}, "origin_id", what="cost code")


def test_amounts_are_finite_bounded_decimals() -> None:
    assert amount({"a": "9.50"}, "a", what="budget line") == Decimal("9.50")
    assert amount({"a": 12}, "a", what="budget line") == Decimal(12)
    assert amount({"a": 0.1}, "a", what="budget line") == Decimal("0.1")
    assert amount({}, "a", what="budget line") == Decimal(0)
    assert amount({"a": str(MAX_AMOUNT)}, "a", what="budget line") == MAX_AMOUNT
    for sent in ("NaN", "Infinity", float("inf"), "1e16", 10**16, "abc", True, [1], "9" * 41):
        with pytest.raises(ProcoreProtocolError, match=r"^Procore sent a budget line whose a is"):
            amount({"a": sent}, "a", what="budget line")


def test_objects_and_lists_of_objects() -> None:
    assert answer_object({"id": 1}, "project") == {"id": 1}
    with pytest.raises(ProcoreProtocolError) as caught:
        answer_object([1, 2], "project")
    assert str(caught.value) == (
        "Procore sent a list ([1, 2]) where a project belongs, not a JSON object"
    )
    assert answer_list(None, "webhook") == []
    with pytest.raises(ProcoreProtocolError, match=r"where a list of webhooks belongs"):
        answer_list({"id": 1}, "webhook")
    with pytest.raises(ProcoreProtocolError, match=r"text \('x'\) where a webhook belongs"):
        answer_list([{"id": 1}, "x"], "webhook")


@given(json_values)
def test_any_json_value_is_an_id_or_a_protocol_error(value: Any) -> None:
    try:
        got = to_id(value, field="id", what="project")
    except ProcoreProtocolError as refused:
        error = refused
    else:
        error = None
    if error is not None:
        assert error.resource == "project"
        assert str(error).startswith("Procore sent a project whose id is ")
        return
    assert type(got) is int
    assert 1 <= got <= MAX_ID
    assert not isinstance(value, bool)
    assert got == (int(value) if isinstance(value, int | float) else int(str(value)))


@given(json_values)
def test_any_json_value_is_an_amount_or_a_protocol_error(value: Any) -> None:
    try:
        got = amount({"amount": value}, "amount", what="direct cost line item")
    except ProcoreProtocolError:
        return
    assert got.is_finite()
    assert abs(got) <= MAX_AMOUNT


def test_a_sync_answer_of_the_wrong_shape_is_refused() -> None:
    for body, text in [
        ([], "Procore sent a list ([]) where a sync answer belongs, not a JSON object"),
        ({"entities": 3}, "Procore sent a sync answer whose entities is not a list"),
        ({"errors": "boom"}, "Procore sent a sync answer whose errors is not a list"),
        ({"entities": [1]}, "a number (1) where a sync answer entities item belongs"),
    ]:
        with pytest.raises(ProcoreProtocolError) as caught:
            SyncResult().merge(body)
        assert text in str(caught.value)
    result = SyncResult()
    result.merge({"entities": None})
    assert result.entities == []
    assert result.calls == 1


def test_ids_by_origin_checks_what_it_reads() -> None:
    result = SyncResult(
        entities=[{"id": 5, "origin_id": "BILL-1"}, {"id": "6", "origin_id": "BILL-2"}, {"id": 7}]
    )
    assert result.ids_by_origin(what="direct cost") == {"BILL-1": 5, "BILL-2": 6}
    result.entities.append({"id": "x", "origin_id": "BILL-3"})
    with pytest.raises(ProcoreProtocolError, match=r"^Procore sent a direct cost whose id is 'x'"):
        result.ids_by_origin(what="direct cost")


def test_a_protocol_error_is_a_procore_error_and_nothing_else() -> None:
    assert issubclass(ProcoreProtocolError, ProcoreError)
    assert not issubclass(ProcoreProtocolError, ValueError | KeyError | TypeError)
