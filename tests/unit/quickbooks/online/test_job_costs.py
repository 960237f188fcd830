from __future__ import annotations

import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx2

from procore_qb.domain.commands import JobCostSource, QueryJobCosts
from procore_qb.quickbooks.online.client import QboClient
from procore_qb.quickbooks.online.gateway import OnlineGateway
from procore_qb.quickbooks.online.resources.bills import BillResource
from procore_qb.quickbooks.online.resources.journal_entries import JournalEntryResource
from procore_qb.quickbooks.online.resources.purchases import PurchaseResource
from procore_qb.quickbooks.online.resources.vendor_credits import VendorCreditResource

from .helpers import TIME, json_response, make_client


def item_line(line_id: str, amount: str, job: str | None, item: str = "30") -> dict[str, object]:
    detail: dict[str, object] = {"ItemRef": {"value": item, "name": "Concrete"}}
    if job:
        detail["CustomerRef"] = {"value": job}
    return {
        "Id": line_id,
        "Amount": amount,
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": detail,
    }


def account_line(line_id: str, amount: str, job: str) -> dict[str, object]:
    return {
        "Id": line_id,
        "Amount": amount,
        "DetailType": "AccountBasedExpenseLineDetail",
        "AccountBasedExpenseLineDetail": {
            "AccountRef": {"value": "60"},
            "CustomerRef": {"value": job},
        },
    }


def test_bill_lines_coded_to_jobs_add_cost() -> None:
    bill = {
        "Id": "100",
        "TxnDate": "2026-11-01",
        "VendorRef": {"value": "5", "name": "Ready Mix Co"},
        "Line": [
            item_line("1", "250.00", "58"),
            item_line("2", "10", None),
            account_line("3", "40.5", "59"),
        ],
    }
    lines = BillResource.cost_lines(bill)
    assert [(ln.job_id, ln.amount, ln.item_id, ln.account_id) for ln in lines] == [
        ("58", Decimal("250.00"), "30", None),
        ("59", Decimal("40.5"), None, "60"),
    ]
    assert lines[0].source is JobCostSource.BILL
    assert lines[0].vendor_name == "Ready Mix Co"
    assert lines[0].txn_date == date(2026, 11, 1)


def test_vendor_credit_and_card_credit_reduce_cost() -> None:
    credit = {"Id": "7", "TxnDate": "2026-11-02", "Line": [item_line("1", "25", "58")]}
    assert VendorCreditResource.cost_lines(credit)[0].amount == Decimal("-25")
    refund = {
        "Id": "8",
        "TxnDate": "2026-11-02",
        "PaymentType": "CreditCard",
        "Credit": True,
        "Line": [item_line("1", "5", "58")],
    }
    line = PurchaseResource.cost_lines(refund)[0]
    assert line.amount == Decimal("-5")
    assert line.source is JobCostSource.CREDIT_CARD_CREDIT
    charge = {**refund, "Credit": False}
    assert PurchaseResource.cost_lines(charge)[0].amount == Decimal("5")
    check = {
        **refund,
        "PaymentType": "Check",
        "Credit": False,
        "EntityRef": {"value": "5", "name": "Lumber"},
    }
    assert PurchaseResource.cost_lines(check)[0].source is JobCostSource.CHECK
    assert PurchaseResource.cost_lines(check)[0].vendor_name == "Lumber"


def test_journal_entry_signs_follow_posting_type() -> None:
    def je_line(line_id: str, posting: str, entity_type: str, amount: str) -> dict[str, object]:
        return {
            "Id": line_id,
            "Amount": amount,
            "DetailType": "JournalEntryLineDetail",
            "JournalEntryLineDetail": {
                "PostingType": posting,
                "AccountRef": {"value": "61"},
                "Entity": {"Type": entity_type, "EntityRef": {"value": "58"}},
            },
        }

    entry = {
        "Id": "9",
        "TxnDate": "2026-11-03",
        "Line": [
            je_line("0", "Debit", "Customer", "100"),
            je_line("1", "Credit", "Customer", "30"),
            je_line("2", "Credit", "Vendor", "70"),
        ],
    }
    lines = JournalEntryResource.cost_lines(entry)
    assert [ln.amount for ln in lines] == [Decimal("100"), Decimal("-30")]
    assert all(ln.source is JobCostSource.JOURNAL_ENTRY for ln in lines)


# ----------------------------------------------------------------------------- streaming


def _paging_client(bills: int, calls: list[str], cdc_objects: int = 0) -> QboClient:
    """Bills of two lines each in pages of at most 1,000; no other transactions."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(request.url.path)
        if request.url.path.endswith("/cdc"):
            changed = [_bill(n) for n in range(cdc_objects)]
            response = {"QueryResponse": [{"Bill": changed}]}
            return json_response(200, {"CDCResponse": [response], "time": TIME})
        query = request.content.decode()
        entity = query.split(" FROM ")[1].split()[0]
        start = int(query.split("STARTPOSITION ")[1].split()[0])
        size = int(query.split("MAXRESULTS ")[1].split()[0])
        rows = (
            [_bill(n) for n in range(start - 1, min(bills, start - 1 + size))]
            if entity == "Bill"
            else []
        )
        return json_response(200, {"QueryResponse": {entity: rows}, "time": TIME})

    return make_client(handler)


def _bill(n: int) -> dict[str, object]:
    return {
        "Id": str(n),
        "TxnDate": "2026-11-01",
        "VendorRef": {"value": "5", "name": "Ace"},
        "Line": [item_line(f"{n}-1", "10.00", "J1"), account_line(f"{n}-2", "2.50", "J2")],
    }


def test_job_costs_are_read_a_page_at_a_time() -> None:
    calls: list[str] = []
    gateway = OnlineGateway(_paging_client(2_500, calls))
    read = gateway.stream_job_costs(QueryJobCosts(idempotency_key="k", job_ids=("J1",)))
    lines = iter(read)
    first = next(lines)
    assert (first.txn_id, first.job_id, first.amount) == ("0", "J1", Decimal("10.00"))
    # The first page, and at most the next one, read ahead while the caller has the first.
    assert 1 <= len(calls) <= 2
    rest = list(lines)
    assert len(rest) == 2_499
    # Bills: pages of 1,000, 1,000 and 500; Purchase, VendorCredit, JournalEntry: one each.
    assert len(calls) == read.calls == 6
    assert read.full_read
    assert read.as_of is not None


def test_streamed_job_costs_are_what_execute_returns() -> None:
    command = QueryJobCosts(idempotency_key="k", job_ids=("J1", "J2"))
    streamed = list(OnlineGateway(_paging_client(1_200, [])).stream_job_costs(command))
    [executed] = OnlineGateway(_paging_client(1_200, [])).execute([command])
    assert executed.job_costs == tuple(streamed)
    assert len(streamed) == 2_400


def test_streaming_memory_does_not_grow_with_the_number_of_lines() -> None:
    """Peak memory while streaming 6,000 bills is that of streaming 2,000: the page in hand
    and the one read ahead, whatever the number of pages."""
    command = QueryJobCosts(idempotency_key="k", job_ids=("J1", "J2"))

    def peak(bills: int) -> int:
        gateway = OnlineGateway(_paging_client(bills, []))
        tracemalloc.start()
        try:
            assert sum(1 for _ in gateway.stream_job_costs(command)) == 2 * bills
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(2_000), peak(6_000)
    assert large < small * 1.5, (small, large)


def test_a_cdc_answer_at_the_cap_is_read_again_in_full_pages() -> None:
    since = datetime.now(UTC) - timedelta(days=1)
    command = QueryJobCosts(idempotency_key="k", job_ids=("J1",), modified_since=since)
    calls: list[str] = []
    read = OnlineGateway(_paging_client(1_500, calls, cdc_objects=1_000)).stream_job_costs(command)
    assert len(list(read)) == 1_500
    assert read.full_read
    assert read.deleted_ids == ()
    assert calls[0].endswith("/cdc")
    assert len(calls) == 1 + 2 + 3
    calls.clear()
    read = OnlineGateway(_paging_client(1_500, calls, cdc_objects=10)).stream_job_costs(command)
    assert len(list(read)) == 10
    assert not read.full_read
    assert len(calls) == 1
