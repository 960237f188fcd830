"""Job-cost lines from QuickBooks Online transactions (spec §A.5).

A cost row is one transaction line coded to a job: the line's ``CustomerRef`` (expense lines) or,
on a journal entry, ``Entity.EntityRef`` when ``Entity.Type`` is Customer or Job. The cost code
is the line's ``ItemRef`` (item lines); account lines keep their ``AccountRef`` for an account
mapping. Signs: bills, checks and card charges add cost; vendor credits and card credits
(``Purchase.Credit=true``) reduce it; journal-entry debits add and credits reduce.
``BillPayment`` only settles a bill and is not a cost.

These readers run once per line of every transaction read, hundreds of thousands a second:
what the lines of a transaction share is read once, when its first line coded to a job is
found (a transaction without one is not read further, as before), and each line is made with
``tuple.__new__`` (``JobCostLine`` is a named tuple: the same object, without the call of its
generated ``__new__``). ``wanted``, when given, keeps only the lines of those jobs.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from procore_qb.domain.commands import JobCostLine, JobCostSource
from procore_qb.quickbooks.online.errors import QboProtocolError

__all__ = ["EXPENSE_DETAIL_TYPES", "expense_lines", "journal_lines"]

EXPENSE_DETAIL_TYPES = ("ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail")
_JOB_ENTITY_TYPES = frozenset({"Customer", "Job"})
_NEW = tuple.__new__
_FIELDS = (
    "source", "txn_id", "line_id", "txn_date", "job_id", "amount", "item_id", "account_id",
    "vendor_name", "memo", "ref_number", "txn_memo",
)  # fmt: skip
if JobCostLine._fields != _FIELDS:  # pragma: no cover
    raise ImportError(
        "JobCostLine changed: online/job_costs.py makes it from its values in field order"
    )


def _ref(obj: Mapping[str, Any], key: str) -> str | None:
    """``obj[key]["value"]`` as text, or None (as resources.base.ref_value; JSON objects are
    dicts, checked first because ``isinstance(x, Mapping)`` is slow)."""
    value = obj.get(key)
    if (type(value) is dict or isinstance(value, Mapping)) and value.get("value") not in (
        None,
        "",
    ):
        return str(value["value"])
    return None


def _amount(line: Mapping[str, Any], txn: Mapping[str, Any]) -> Decimal:
    """The line's ``Amount``. A line coded to a job always has one, a finite decimal (XSD
    ``Finance.xsd``: ``Line.Amount``, required on expense and journal entry lines); a line
    without one, with text that is no number, or with "NaN", "Infinity" or the infinite float
    that Python's JSON decoder makes of 1e400 is refused with the transaction rather than
    left out, so no cost goes missing unnoticed (the client already refuses the NaN and
    Infinity tokens)."""
    raw = line.get("Amount", "")
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        amount = None
    if amount is not None and amount.is_finite():
        return amount
    raise QboProtocolError(
        f"QuickBooks Online sent line {line.get('Id')!r} of transaction {txn.get('Id')!r} with "
        f"Amount {raw!r}, which is not a finite number: QuickBooks amounts are finite decimals, "
        "so the transaction is refused; check that PROCORE_QB_QBO__API_BASE_URL is QuickBooks "
        "Online's own address"
    )


def _txn_date(txn: Mapping[str, Any]) -> date:
    return date.fromisoformat(str(txn.get("TxnDate", ""))[:10])


def _name(txn: Mapping[str, Any], key: str) -> str:
    value = txn.get(key)
    return str(value.get("name", "")) if isinstance(value, Mapping) else ""


def _shared(txn: Mapping[str, Any]) -> tuple[str, date, str, str]:
    """What the lines of ``txn`` share: its Id, TxnDate, DocNumber and PrivateNote."""
    return (
        str(txn["Id"]),
        _txn_date(txn),
        str(txn.get("DocNumber") or ""),
        str(txn.get("PrivateNote") or ""),
    )


def expense_lines(
    txn: Mapping[str, Any],
    *,
    source: JobCostSource,
    negative: bool,
    vendor_key: str,
    wanted: Container[str] | None = None,
) -> list[JobCostLine]:
    """Cost lines of a Bill, Purchase or VendorCredit (item- and account-based lines)."""
    out: list[JobCostLine] = []
    shared: tuple[str, date, str, str] | None = None
    txn_id, txn_date, ref_number, txn_memo, vendor = "", date.min, "", "", ""
    for line in txn.get("Line", ()):
        detail_type = line.get("DetailType")
        if detail_type not in EXPENSE_DETAIL_TYPES:
            continue
        detail = line.get(detail_type) or {}
        # _ref(detail, "CustomerRef") inline, for the dicts JSON decodes to.
        customer = detail.get("CustomerRef")
        if type(customer) is dict:
            job_id = customer.get("value")
            if job_id is None or job_id == "":
                continue
            if type(job_id) is not str:
                job_id = str(job_id)
        else:
            job_id = _ref(detail, "CustomerRef")
            if job_id is None:
                continue
        if wanted is not None and job_id not in wanted:
            continue
        amount = _amount(line, txn)
        if shared is None:
            shared = _shared(txn)
            txn_id, txn_date, ref_number, txn_memo = shared
            vendor = _name(txn, vendor_key)
        line_id = line.get("Id", "")
        memo = line.get("Description") or txn_memo
        out.append(
            _NEW(
                JobCostLine,
                (
                    source,
                    txn_id,
                    line_id if type(line_id) is str else str(line_id),
                    txn_date,
                    job_id,
                    -amount if negative else amount,
                    _ref(detail, "ItemRef") if "ItemRef" in detail else None,
                    (_ref(detail, "AccountRef") if "AccountRef" in detail else None)
                    or (_ref(detail, "ItemAccountRef") if "ItemAccountRef" in detail else None),
                    vendor,
                    memo if type(memo) is str else str(memo),
                    ref_number,
                    txn_memo,
                ),
            )
        )
    return out


def journal_lines(
    txn: Mapping[str, Any], *, wanted: Container[str] | None = None
) -> list[JobCostLine]:
    """Cost lines of a JournalEntry: debits add, credits reduce."""
    out: list[JobCostLine] = []
    shared: tuple[str, date, str, str] | None = None
    txn_id, txn_date, ref_number, txn_memo = "", date.min, "", ""
    for line in txn.get("Line", ()):
        if line.get("DetailType") != "JournalEntryLineDetail":
            continue
        detail = line.get("JournalEntryLineDetail") or {}
        entity = detail.get("Entity") or {}
        if entity.get("Type") not in _JOB_ENTITY_TYPES:
            continue
        job_id = _ref(entity, "EntityRef")
        if job_id is None or (wanted is not None and job_id not in wanted):
            continue
        amount = _amount(line, txn)
        posting = detail.get("PostingType")
        if posting not in ("Debit", "Credit"):
            continue
        if shared is None:
            shared = _shared(txn)
            txn_id, txn_date, ref_number, txn_memo = shared
        out.append(
            _NEW(
                JobCostLine,
                (
                    JobCostSource.JOURNAL_ENTRY,
                    txn_id,
                    str(line.get("Id", "")),
                    txn_date,
                    job_id,
                    amount if posting == "Debit" else -amount,
                    None,
                    _ref(detail, "AccountRef"),
                    # Lines coded to a job have a Customer or Job entity, never a vendor.
                    "",
                    str(line.get("Description") or txn_memo),
                    ref_number,
                    txn_memo,
                ),
            )
        )
    return out
