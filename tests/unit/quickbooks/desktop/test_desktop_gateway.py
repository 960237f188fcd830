"""Commands as qbXML parts, and pages back into results."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.domain.commands import (
    CommandResult,
    CreateCustomer,
    CreateItem,
    CreateJob,
    QueryAccounts,
    QueryItems,
    QueryJobCosts,
    QueryJobs,
)
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.domain.times import QUICKBOOKS_CLOCK_SKEW
from procore_qb.quickbooks.desktop.gateway import (
    DesktopGateway,
    marker,
    parse_request_id,
    request_id,
)
from procore_qb.quickbooks.desktop.qbxml.message import parse_response_message
from procore_qb.quickbooks.desktop.qbxml.requests import CustomerQuery

GATEWAY = DesktopGateway(page_size=50)
SINCE = datetime(2026, 11, 1, tzinfo=UTC)


def types(parts: tuple[object, ...]) -> list[str]:
    return [p.request.request_type for p in parts]  # type: ignore[attr-defined]


def test_request_ids_round_trip() -> None:
    key = "b1946ac9-2d6f-4a0e-9b1c-1f2b3c4d5e6f"
    rid = request_id(key, 3, 12)
    assert len(rid) <= 50
    assert parse_request_id(rid) == (key, 3, 12)
    assert parse_request_id("inspect") is None
    assert parse_request_id("a.b.c") is None
    assert parse_request_id(".1.2") is None
    assert parse_request_id("key.\u00b2.0") is None  # a digit to isdigit(), not to int()
    assert parse_request_id("key.with.dots.0.1") == ("key.with.dots", 0, 1)


def test_marker_is_a_stable_qbxml_guid() -> None:
    assert marker("k") == marker("k") != marker("j")
    assert len(marker("k")) == 38
    assert marker("k").startswith("{")


@pytest.mark.parametrize(
    ("command", "lookup", "expected"),
    [
        (CreateCustomer(idempotency_key="k", name="A"), False, ["CustomerAdd"]),
        (CreateCustomer(idempotency_key="k", name="A"), True, ["CustomerQuery", "CustomerAdd"]),
        (
            CreateJob(idempotency_key="k", job=QuickBooksJob(name="J", parent_full_name="A")),
            True,
            ["CustomerQuery", "CustomerAdd"],
        ),
        (
            CreateItem(idempotency_key="k", name="I", income_account_id="1"),
            True,
            ["ItemServiceQuery", "ItemServiceAdd"],
        ),
        (QueryJobs(idempotency_key="k"), False, ["CustomerQuery"]),
        (
            QueryJobs(idempotency_key="k", modified_since=SINCE),
            False,
            ["CustomerQuery", "ListDeletedQuery"],
        ),
        (
            QueryItems(idempotency_key="k"),
            False,
            ["ItemServiceQuery", "ItemOtherChargeQuery", "ItemNonInventoryQuery"],
        ),
        (QueryAccounts(idempotency_key="k"), False, ["AccountQuery"]),
        (
            QueryJobCosts(idempotency_key="k", job_ids=("J",), modified_since=SINCE),
            False,
            [
                "BillQuery",
                "CheckQuery",
                "CreditCardChargeQuery",
                "VendorCreditQuery",
                "JournalEntryQuery",
                "TxnDeletedQuery",
            ],
        ),
    ],
)
def test_parts(command: object, lookup: bool, expected: list[str]) -> None:
    assert types(GATEWAY.parts(command, needs_lookup=lookup)) == expected  # type: ignore[arg-type]


def test_a_job_under_a_parent_known_only_by_id_is_looked_up_by_its_marker() -> None:
    """The look-up after a lost answer needs no names: a parent known only by id will do."""
    job = QuickBooksJob(name="J", parent_id="80000001-1")
    parts = GATEWAY.parts(
        CreateJob(idempotency_key="k", job=job), needs_lookup=True, first_attempt_at=SINCE
    )
    assert types(parts) == ["CustomerQuery", "CustomerAdd"]
    assert parts[0].lookup


def test_job_costs_are_signed_and_filtered_to_the_jobs_asked_for() -> None:
    command = QueryJobCosts(idempotency_key="k", job_ids=("J-1",))
    parts = GATEWAY.parts(command)
    answer = parse_response_message(
        "<QBXML><QBXMLMsgsRs>"
        '<VendorCreditQueryRs requestID="k.3.0" statusCode="0" statusSeverity="Info">'
        "<VendorCreditRet><TxnID>T</TxnID><TxnDate>2026-01-01</TxnDate>"
        "<ExpenseLineRet><TxnLineID>1</TxnLineID><Amount>40.00</Amount>"
        "<CustomerRef><ListID>J-1</ListID></CustomerRef></ExpenseLineRet>"
        "<ExpenseLineRet><TxnLineID>2</TxnLineID><Amount>9.00</Amount>"
        "<CustomerRef><ListID>OTHER</ListID></CustomerRef></ExpenseLineRet>"
        "</VendorCreditRet></VendorCreditQueryRs></QBXMLMsgsRs></QBXML>"
    ).responses[0]
    outcome = GATEWAY.read_page(command, parts[3], answer)
    (line,) = outcome.partial.job_costs
    assert (line.amount, line.job_id, line.source.value) == (
        Decimal("-40.00"),
        "J-1",
        "vendor_credit",
    )


def _bill_page(command: QueryJobCosts) -> CommandResult:
    answer = parse_response_message(
        "<QBXML><QBXMLMsgsRs>"
        '<BillQueryRs requestID="k.0.0" statusCode="0" statusSeverity="Info">'
        "<BillRet><TxnID>MINE</TxnID><TxnDate>2026-01-01</TxnDate><RefNumber>B-1</RefNumber>"
        "<Memo>Sub invoice [procore-qb:requisition-4]</Memo>"
        "<ItemLineRet><TxnLineID>1</TxnLineID><ItemRef><ListID>I-1</ListID></ItemRef>"
        "<Amount>10.00</Amount><CustomerRef><ListID>J-1</ListID></CustomerRef></ItemLineRet>"
        "</BillRet>"
        "<BillRet><TxnID>MOVED</TxnID><TxnDate>2026-01-02</TxnDate>"
        "<ItemLineRet><TxnLineID>2</TxnLineID><ItemRef><ListID>I-1</ListID></ItemRef>"
        "<Amount>5.00</Amount><CustomerRef><ListID>OTHER</ListID></CustomerRef></ItemLineRet>"
        "</BillRet></BillQueryRs></QBXMLMsgsRs></QBXML>"
    ).responses[0]
    return GATEWAY.read_page(command, GATEWAY.parts(command)[0], answer).partial


def test_a_changes_only_read_names_the_transactions_without_a_line_for_the_jobs() -> None:
    """A bill whose lines were all recoded to another job holds none for the jobs asked for:
    a changes-only read names it, so the lines known of it can be dropped."""
    changes = _bill_page(QueryJobCosts(idempotency_key="k", job_ids=("J-1",), modified_since=SINCE))
    assert [line.txn_id for line in changes.job_costs] == ["MINE"]
    assert changes.deleted_ids == ("MOVED",)
    (line,) = changes.job_costs
    assert (line.ref_number, line.txn_memo, line.item_id) == (
        "B-1",
        "Sub invoice [procore-qb:requisition-4]",
        "I-1",
    )
    # A full read holds every line there is: nothing to name.
    assert _bill_page(QueryJobCosts(idempotency_key="k", job_ids=("J-1",))).deleted_ids == ()


def test_combine_prefers_an_error_and_joins_pages() -> None:
    command = QueryJobs(idempotency_key="k")
    parts = GATEWAY.parts(command)
    a = CommandResult("k", jobs=(QuickBooksJob(name="A", id="1"),))
    b = CommandResult("k", jobs=(QuickBooksJob(name="B", id="2"),))
    joined = GATEWAY.combine(command, parts, [[a, b]], as_of=SINCE)
    assert [j.name for j in joined.jobs] == ["A", "B"]
    assert joined.as_of == SINCE


_KEYS = st.from_regex(r"x[0-9]{1,6}\.[0-9]{1,3}\.(j|c|i[0-9]{1,2})", fullmatch=True)


def _ret(list_id: str, guid: str | None) -> str:
    extra = f"<ExternalGUID>{guid}</ExternalGUID>" if guid else ""
    return (
        f"<CustomerRet><ListID>{list_id}</ListID><EditSequence>1</EditSequence>"
        f"<Name>N{list_id}</Name><FullName>P:N{list_id}</FullName><IsActive>true</IsActive>"
        f"<Sublevel>1</Sublevel>{extra}</CustomerRet>"
    )


@settings(max_examples=60, deadline=None)
@given(
    key=_KEYS,
    first=st.datetimes(
        min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=datetime(2099, 1, 1),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    others=st.lists(_KEYS, max_size=5),
    ours_at=st.one_of(st.none(), st.integers(min_value=0, max_value=5)),
)
def test_the_lookup_window_and_marker_find_only_our_record(
    key: str, first: datetime, others: list[str], ours_at: int | None
) -> None:
    """The look-up asks for every record changed since the first attempt less the clock-skew
    margin, active or not, and keeps only the one carrying this command's marker, wherever
    it sits in the page and whatever it is called now."""
    command = CreateJob(idempotency_key=key, job=QuickBooksJob(name="J", parent_full_name="P"))
    lookup, add = GATEWAY.parts(command, needs_lookup=True, first_attempt_at=first)
    assert (lookup.lookup, lookup.iterates, add.lookup) == (True, True, False)
    request = lookup.request
    assert isinstance(request, CustomerQuery)
    assert request.from_modified == first - QUICKBOOKS_CLOCK_SKEW
    assert request.active_status == "All"
    assert not request.full_names
    rets = [_ret(f"{n}-1", marker(other)) for n, other in enumerate(others) if other != key]
    if ours_at is not None:
        rets.insert(min(ours_at, len(rets)), _ret("OURS-1", marker(key).lower()))
    answer = parse_response_message(
        '<QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="r.0.0" statusCode="0" '
        f'statusSeverity="Info">{"".join(rets)}</CustomerQueryRs></QBXMLMsgsRs></QBXML>'
    ).responses[0]
    outcome = GATEWAY.read_page(command, lookup, answer)
    found = [j.id for j in outcome.partial.jobs]
    assert found == ([] if ours_at is None else ["OURS-1"])
    assert GATEWAY.settles(lookup, outcome.partial) is (ours_at is not None)
    result = GATEWAY.combine(command, (lookup, add), [[outcome.partial], []])
    if ours_at is not None:
        assert [j.id for j in result.jobs] == ["OURS-1"]
