from __future__ import annotations

from datetime import date
from decimal import Decimal

from procore_qb.domain.commands import JobCostSource
from procore_qb.quickbooks.online.resources.bills import BillResource
from procore_qb.quickbooks.online.resources.journal_entries import JournalEntryResource
from procore_qb.quickbooks.online.resources.purchases import PurchaseResource
from procore_qb.quickbooks.online.resources.vendor_credits import VendorCreditResource


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
