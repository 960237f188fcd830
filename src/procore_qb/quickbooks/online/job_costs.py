"""Job-cost lines from QuickBooks Online transactions (spec §A.5).

A cost row is one transaction line coded to a job: the line's ``CustomerRef`` (expense lines) or,
on a journal entry, ``Entity.EntityRef`` when ``Entity.Type`` is Customer or Job. The cost code
is the line's ``ItemRef`` (item lines); account lines keep their ``AccountRef`` for an account
mapping. Signs: bills, checks and card charges add cost; vendor credits and card credits
(``Purchase.Credit=true``) reduce it; journal-entry debits add and credits reduce.
``BillPayment`` only settles a bill and is not a cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from procore_qb.domain.commands import JobCostLine, JobCostSource
from procore_qb.quickbooks.online.resources.base import ref_value

__all__ = ["EXPENSE_DETAIL_TYPES", "expense_lines", "journal_lines"]

EXPENSE_DETAIL_TYPES = ("ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail")
_JOB_ENTITY_TYPES = frozenset({"Customer", "Job"})


def _amount(line: Mapping[str, Any]) -> Decimal | None:
    try:
        return Decimal(str(line.get("Amount", "")))
    except InvalidOperation:
        return None


def _txn_date(txn: Mapping[str, Any]) -> date:
    return date.fromisoformat(str(txn.get("TxnDate", ""))[:10])


def _name(txn: Mapping[str, Any], key: str) -> str:
    value = txn.get(key)
    return str(value.get("name", "")) if isinstance(value, Mapping) else ""


def expense_lines(
    txn: Mapping[str, Any],
    *,
    source: JobCostSource,
    negative: bool,
    vendor_key: str,
) -> list[JobCostLine]:
    """Cost lines of a Bill, Purchase or VendorCredit (item- and account-based lines)."""
    out: list[JobCostLine] = []
    vendor = _name(txn, vendor_key)
    for line in txn.get("Line", ()):
        detail_type = line.get("DetailType")
        if detail_type not in EXPENSE_DETAIL_TYPES:
            continue
        detail = line.get(detail_type) or {}
        job_id = ref_value(detail, "CustomerRef")
        amount = _amount(line)
        if job_id is None or amount is None:
            continue
        out.append(
            JobCostLine(
                source=source,
                txn_id=str(txn["Id"]),
                line_id=str(line.get("Id", "")),
                txn_date=_txn_date(txn),
                job_id=job_id,
                amount=-amount if negative else amount,
                item_id=ref_value(detail, "ItemRef"),
                account_id=ref_value(detail, "AccountRef") or ref_value(detail, "ItemAccountRef"),
                vendor_name=vendor,
                memo=str(line.get("Description") or txn.get("PrivateNote") or ""),
                ref_number=str(txn.get("DocNumber") or ""),
                txn_memo=str(txn.get("PrivateNote") or ""),
            )
        )
    return out


def journal_lines(txn: Mapping[str, Any]) -> list[JobCostLine]:
    """Cost lines of a JournalEntry: debits add, credits reduce."""
    out: list[JobCostLine] = []
    for line in txn.get("Line", ()):
        if line.get("DetailType") != "JournalEntryLineDetail":
            continue
        detail = line.get("JournalEntryLineDetail") or {}
        entity = detail.get("Entity") or {}
        if entity.get("Type") not in _JOB_ENTITY_TYPES:
            continue
        job_id = ref_value(entity, "EntityRef")
        amount = _amount(line)
        if job_id is None or amount is None:
            continue
        posting = detail.get("PostingType")
        if posting not in ("Debit", "Credit"):
            continue
        out.append(
            JobCostLine(
                source=JobCostSource.JOURNAL_ENTRY,
                txn_id=str(txn["Id"]),
                line_id=str(line.get("Id", "")),
                txn_date=_txn_date(txn),
                job_id=job_id,
                amount=amount if posting == "Debit" else -amount,
                item_id=None,
                account_id=ref_value(detail, "AccountRef"),
                vendor_name=_name(entity, "EntityRef") if entity.get("Type") == "Vendor" else "",
                memo=str(line.get("Description") or txn.get("PrivateNote") or ""),
                ref_number=str(txn.get("DocNumber") or ""),
                txn_memo=str(txn.get("PrivateNote") or ""),
            )
        )
    return out
