"""The Online cost-line readers give what a plain reading of the same transaction gives.

The readers in ``online/job_costs.py`` are written for speed (shared values read once, lines
made with ``tuple.__new__``, references read inline); the reference below reads each line the
plain way. Hypothesis compares both on generated transactions, odd values included."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.domain.commands import JobCostLine, JobCostSource
from procore_qb.quickbooks.online.errors import QboProtocolError
from procore_qb.quickbooks.online.job_costs import (
    EXPENSE_DETAIL_TYPES,
    expense_lines,
    journal_lines,
)
from procore_qb.quickbooks.online.resources.base import ref_value

JOBS = ("58", "59", "60")


def _amount(line: Mapping[str, Any]) -> Decimal:
    """Refused when the Amount is missing, no number, or not a finite one."""
    raw = line.get("Amount", "")
    try:
        amount = Decimal(str(raw))
    except InvalidOperation as exc:
        raise QboProtocolError(f"Amount {raw!r} is no number") from exc
    if not amount.is_finite():
        raise QboProtocolError(f"Amount {amount} is not a finite number")
    return amount


def _txn_date(txn: Mapping[str, Any]) -> date:
    return date.fromisoformat(str(txn.get("TxnDate", ""))[:10])


def _name(txn: Mapping[str, Any], key: str) -> str:
    value = txn.get(key)
    return str(value.get("name", "")) if isinstance(value, Mapping) else ""


def reference_expense_lines(
    txn: Mapping[str, Any], *, source: JobCostSource, negative: bool, vendor_key: str
) -> list[JobCostLine]:
    out = []
    for line in txn.get("Line", ()):
        detail_type = line.get("DetailType")
        if detail_type not in EXPENSE_DETAIL_TYPES:
            continue
        detail = line.get(detail_type) or {}
        job_id = ref_value(detail, "CustomerRef")
        if job_id is None:
            continue
        amount = _amount(line)
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
                vendor_name=_name(txn, vendor_key),
                memo=str(line.get("Description") or txn.get("PrivateNote") or ""),
                ref_number=str(txn.get("DocNumber") or ""),
                txn_memo=str(txn.get("PrivateNote") or ""),
            )
        )
    return out


def reference_journal_lines(txn: Mapping[str, Any]) -> list[JobCostLine]:
    out = []
    for line in txn.get("Line", ()):
        if line.get("DetailType") != "JournalEntryLineDetail":
            continue
        detail = line.get("JournalEntryLineDetail") or {}
        entity = detail.get("Entity") or {}
        if entity.get("Type") not in ("Customer", "Job"):
            continue
        job_id = ref_value(entity, "EntityRef")
        if job_id is None:
            continue
        amount = _amount(line)
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
                vendor_name="",
                memo=str(line.get("Description") or txn.get("PrivateNote") or ""),
                ref_number=str(txn.get("DocNumber") or ""),
                txn_memo=str(txn.get("PrivateNote") or ""),
            )
        )
    return out


ids = st.one_of(st.sampled_from(JOBS), st.sampled_from(["", "7"]), st.integers(0, 99))
refs = st.one_of(
    st.fixed_dictionaries({"value": ids}, optional={"name": st.text(max_size=8)}),
    st.just({}),
    st.just({"value": None}),
    st.none(),
    st.text(max_size=3),
)
amounts = st.one_of(
    st.decimals(-(10**9), 10**9, places=2).map(str),
    st.floats(-1e9, 1e9, allow_nan=False).map(lambda f: round(f, 2)),
    st.integers(-(10**9), 10**9),
    st.sampled_from(["", "abc", "1e3", "NaN", "-Infinity"]),
)
texts = st.one_of(st.none(), st.text(max_size=10), st.integers(0, 9))


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


expense_details = _optional(
    CustomerRef=refs, ItemRef=refs, AccountRef=refs, ItemAccountRef=refs, BillableStatus=texts
)
expense_line = st.builds(
    lambda kind, detail, extra: {"DetailType": kind, kind: detail, **extra},
    st.sampled_from([*EXPENSE_DETAIL_TYPES, "SubTotalLineDetail"]),
    expense_details,
    _optional(Id=texts, Amount=amounts, Description=texts),
)
journal_line = st.builds(
    lambda detail, extra: {
        "DetailType": "JournalEntryLineDetail",
        "JournalEntryLineDetail": detail,
        **extra,
    },
    _optional(
        PostingType=st.sampled_from(["Debit", "Credit", "Other"]),
        AccountRef=refs,
        Entity=_optional(
            Type=st.sampled_from(["Customer", "Job", "Vendor", "Employee"]), EntityRef=refs
        ),
    ),
    _optional(Id=texts, Amount=amounts, Description=texts),
)


def _txn(lines: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda head, found: {**head, "Line": found},
        st.fixed_dictionaries(
            {"Id": st.one_of(st.text(min_size=1, max_size=4), st.integers(0, 999))},
            optional={
                "TxnDate": st.dates().map(str),
                "DocNumber": texts,
                "PrivateNote": texts,
                "VendorRef": refs,
                "EntityRef": refs,
            },
        ),
        st.lists(lines, max_size=5),
    )


def _outcome(read: Any) -> Any:
    """The lines read, or the type of the error."""
    try:
        return read()
    except (KeyError, TypeError, ValueError, AttributeError, QboProtocolError) as exc:
        return type(exc)


@settings(max_examples=300, deadline=None)
@given(_txn(expense_line), st.booleans(), st.sampled_from(["VendorRef", "EntityRef"]))
def test_expense_lines_are_the_reference_lines(
    txn: dict[str, Any], negative: bool, vendor_key: str
) -> None:
    source = JobCostSource.BILL
    expected = _outcome(
        lambda: reference_expense_lines(
            txn, source=source, negative=negative, vendor_key=vendor_key
        )
    )
    got = _outcome(
        lambda: expense_lines(txn, source=source, negative=negative, vendor_key=vendor_key)
    )
    assert got == expected
    if isinstance(expected, list):
        wanted = {"58", "7"}
        kept = _outcome(
            lambda: expense_lines(
                txn, source=source, negative=negative, vendor_key=vendor_key, wanted=wanted
            )
        )
        assert kept == [line for line in expected if line.job_id in wanted]


@settings(max_examples=300, deadline=None)
@given(_txn(journal_line))
def test_journal_lines_are_the_reference_lines(txn: dict[str, Any]) -> None:
    expected = _outcome(lambda: reference_journal_lines(txn))
    assert _outcome(lambda: journal_lines(txn)) == expected
    if isinstance(expected, list):
        kept = _outcome(lambda: journal_lines(txn, wanted={"59"}))
        assert kept == [line for line in expected if line.job_id == "59"]
