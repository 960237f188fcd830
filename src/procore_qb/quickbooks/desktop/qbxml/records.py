"""Typed readers for the ``*Ret`` elements procore-qb uses.

Readers look children up by name (QuickBooks' element order is fixed by the schema, but a
reader has no reason to depend on it) and turn qbXML text into Python values. Malformed
values raise :class:`~procore_qb.quickbooks.desktop.errors.QbxmlParseError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from procore_qb.domain.commands import AccountRecord, ItemRecord, VendorRecord
from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob
from procore_qb.quickbooks.desktop.errors import QbxmlParseError

__all__ = [
    "CompanyInfo",
    "CustomerRecord",
    "DeletedRecord",
    "HostInfo",
    "TxnLine",
    "read_account",
    "read_company",
    "read_customer",
    "read_deleted",
    "read_host",
    "read_item",
    "read_txn_lines",
    "read_vendor",
]


def _text(el: etree._Element, path: str) -> str:
    found = el.findtext(path)
    return "" if found is None else found


def _opt(el: etree._Element, path: str) -> str | None:
    found = el.findtext(path)
    return found or None


def _bool(el: etree._Element, path: str, default: bool) -> bool:
    raw = el.findtext(path)
    if raw is None:
        return default
    return raw.strip().lower() in ("true", "1")


def _date(el: etree._Element, path: str) -> date | None:
    raw = el.findtext(path)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise QbxmlParseError(f"<{path}> {raw!r} is not a date (YYYY-MM-DD)") from exc


def _datetime(el: etree._Element, path: str) -> datetime | None:
    raw = el.findtext(path)
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise QbxmlParseError(f"<{path}> {raw!r} is not a qbXML date-time") from exc


_MAX_AMOUNT_CHARS = 40
_MAX_AMOUNT_DIGITS = 15
_MAX_AMOUNT_PLACES = 10
_SUBLEVEL = re.compile(r"^[0-9]{1,4}$", re.ASCII)


def _amount(el: etree._Element, path: str) -> Decimal:
    raw = el.findtext(path)
    if not raw:
        return Decimal(0)
    text = raw.strip()
    if len(text) > _MAX_AMOUNT_CHARS:
        raise QbxmlParseError(f"<{path}> of {len(text)} characters is not an amount")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise QbxmlParseError(f"<{path}> {raw!r} is not an amount") from exc
    # Decimal reads "NaN", "Infinity" and "1E+1000000"; qbXML 13.0 AMTTYPE, PRICETYPE and
    # QUANTYPE (qbxmltypes130.xsd) are plain decimals of a few places.
    if not amount.is_finite() or amount.adjusted() >= _MAX_AMOUNT_DIGITS:
        raise QbxmlParseError(f"<{path}> {raw!r} is not an amount QuickBooks can hold")
    if int(amount.as_tuple().exponent) < -_MAX_AMOUNT_PLACES:
        raise QbxmlParseError(f"<{path}> {raw!r} has more than 10 decimal places")
    return amount


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A ``CustomerRet``: a customer (``sublevel`` 0) or a job."""

    list_id: str
    edit_sequence: str
    name: str
    full_name: str
    sublevel: int
    parent_list_id: str | None
    parent_full_name: str
    is_active: bool
    account_number: str
    bill_address: JobAddress
    job_status: JobStatus
    job_start_date: date | None
    job_projected_end_date: date | None
    external_guid: str | None
    time_modified: datetime | None

    def to_job(self) -> QuickBooksJob:
        return QuickBooksJob(
            name=self.name,
            full_name=self.full_name,
            id=self.list_id,
            version=self.edit_sequence or None,
            parent_id=self.parent_list_id,
            parent_full_name=self.parent_full_name,
            number=self.account_number,
            address=self.bill_address,
            start_date=self.job_start_date,
            projected_end_date=self.job_projected_end_date,
            status=self.job_status,
            active=self.is_active,
        )


def _address(el: etree._Element | None) -> JobAddress:
    if el is None:
        return JobAddress()
    return JobAddress(
        line1=_text(el, "Addr1"),
        line2=_text(el, "Addr2"),
        city=_text(el, "City"),
        state=_text(el, "State"),
        postal_code=_text(el, "PostalCode"),
        country=_text(el, "Country"),
    )


def _require(el: etree._Element, path: str) -> str:
    value = el.findtext(path)
    if not value:
        raise QbxmlParseError(f"<{el.tag}> has no {path}")
    return value


def read_customer(ret: etree._Element) -> CustomerRecord:
    status_raw = _text(ret, "JobStatus") or JobStatus.NONE.value
    try:
        status = JobStatus(status_raw)
    except ValueError as exc:
        raise QbxmlParseError(f"<JobStatus> {status_raw!r} is not a qbXML job status") from exc
    sublevel_raw = _text(ret, "Sublevel") or "0"
    if _SUBLEVEL.match(sublevel_raw) is None:
        shown = sublevel_raw[:40] + ("..." if len(sublevel_raw) > 40 else "")
        raise QbxmlParseError(f"<Sublevel> {shown!r} is not a small number")
    return CustomerRecord(
        list_id=_require(ret, "ListID"),
        # Optional in the schema (absent when IncludeRetElement leaves it out).
        edit_sequence=_text(ret, "EditSequence"),
        name=_require(ret, "Name"),
        full_name=_text(ret, "FullName") or _text(ret, "Name"),
        sublevel=int(sublevel_raw),
        parent_list_id=_opt(ret, "ParentRef/ListID"),
        parent_full_name=_text(ret, "ParentRef/FullName"),
        is_active=_bool(ret, "IsActive", True),
        account_number=_text(ret, "AccountNumber"),
        bill_address=_address(ret.find("BillAddress")),
        job_status=status,
        job_start_date=_date(ret, "JobStartDate"),
        job_projected_end_date=_date(ret, "JobProjectedEndDate"),
        external_guid=_opt(ret, "ExternalGUID"),
        time_modified=_datetime(ret, "TimeModified"),
    )


_ITEM_TYPES = {
    "ItemServiceRet": "service",
    "ItemOtherChargeRet": "other_charge",
    "ItemNonInventoryRet": "non_inventory",
}


def read_item(ret: etree._Element) -> ItemRecord:
    item_type = _ITEM_TYPES.get(str(ret.tag))
    if item_type is None:
        raise QbxmlParseError(f"<{ret.tag}> is not an item type procore-qb reads")
    description = (
        _text(ret, "SalesOrPurchase/Desc")
        or _text(ret, "SalesAndPurchase/PurchaseDesc")
        or _text(ret, "SalesAndPurchase/SalesDesc")
    )
    return ItemRecord(
        id=_require(ret, "ListID"),
        name=_require(ret, "Name"),
        full_name=_text(ret, "FullName") or _text(ret, "Name"),
        version=_text(ret, "EditSequence"),
        item_type=item_type,
        description=description,
        active=_bool(ret, "IsActive", True),
    )


def read_account(ret: etree._Element) -> AccountRecord:
    return AccountRecord(
        id=_require(ret, "ListID"),
        name=_require(ret, "Name"),
        full_name=_text(ret, "FullName") or _text(ret, "Name"),
        account_type=_text(ret, "AccountType"),
        active=_bool(ret, "IsActive", True),
    )


def read_vendor(ret: etree._Element) -> VendorRecord:
    return VendorRecord(
        id=_require(ret, "ListID"),
        name=_require(ret, "Name"),
        version=_text(ret, "EditSequence"),
        active=_bool(ret, "IsActive", True),
    )


@dataclass(frozen=True, slots=True)
class DeletedRecord:
    """A ``ListDeletedRet`` (``id`` = ListID) or ``TxnDeletedRet`` (``id`` = TxnID)."""

    kind: str
    id: str
    time_deleted: datetime | None
    full_name: str = ""


def read_deleted(ret: etree._Element) -> DeletedRecord:
    if ret.tag == "ListDeletedRet":
        return DeletedRecord(
            kind=_text(ret, "ListDelType"),
            id=_require(ret, "ListID"),
            time_deleted=_datetime(ret, "TimeDeleted"),
            full_name=_text(ret, "FullName"),
        )
    if ret.tag == "TxnDeletedRet":
        return DeletedRecord(
            kind=_text(ret, "TxnDelType"),
            id=_require(ret, "TxnID"),
            time_deleted=_datetime(ret, "TimeDeleted"),
        )
    raise QbxmlParseError(f"<{ret.tag}> is not a deleted-object record")


@dataclass(frozen=True, slots=True)
class TxnLine:
    """One line of a cost transaction, with the header facts it needs. ``amount`` is as
    QuickBooks shows it (positive); ``debit`` is False for journal credit lines."""

    txn_type: str
    txn_id: str
    line_id: str
    txn_date: date
    amount: Decimal
    customer_id: str | None
    item_id: str | None
    account_id: str | None
    payee_name: str
    memo: str
    debit: bool = True


def read_txn_lines(ret: etree._Element) -> list[TxnLine]:
    """The lines of a ``BillRet``, ``CheckRet``, ``CreditCardChargeRet``,
    ``CreditCardCreditRet``, ``VendorCreditRet`` or ``JournalEntryRet``, including the item
    lines inside item groups."""
    tag = str(ret.tag)
    if not tag.endswith("Ret"):
        raise QbxmlParseError(f"<{tag}> is not a transaction record")
    txn_type = tag[:-3]
    txn_id = _require(ret, "TxnID")
    txn_date = _date(ret, "TxnDate")
    if txn_date is None:
        raise QbxmlParseError(f"<{tag}> {txn_id} has no TxnDate")
    payee = _text(ret, "VendorRef/FullName") or _text(ret, "PayeeEntityRef/FullName")
    header_memo = _text(ret, "Memo")
    lines: list[TxnLine] = []
    if txn_type == "JournalEntry":
        for line in ret:
            if line.tag not in ("JournalDebitLine", "JournalCreditLine"):
                continue
            lines.append(
                TxnLine(
                    txn_type=txn_type,
                    txn_id=txn_id,
                    line_id=_text(line, "TxnLineID"),
                    txn_date=txn_date,
                    amount=_amount(line, "Amount"),
                    customer_id=_opt(line, "EntityRef/ListID"),
                    item_id=None,
                    account_id=_opt(line, "AccountRef/ListID"),
                    payee_name=_text(line, "EntityRef/FullName"),
                    memo=_text(line, "Memo") or header_memo,
                    debit=line.tag == "JournalDebitLine",
                )
            )
        return lines
    item_lines = list(ret.iterfind("ItemLineRet")) + list(
        ret.iterfind("ItemGroupLineRet/ItemLineRet")
    )
    for line in ret.iterfind("ExpenseLineRet"):
        lines.append(
            TxnLine(
                txn_type=txn_type,
                txn_id=txn_id,
                line_id=_require(line, "TxnLineID"),
                txn_date=txn_date,
                amount=_amount(line, "Amount"),
                customer_id=_opt(line, "CustomerRef/ListID"),
                item_id=None,
                account_id=_opt(line, "AccountRef/ListID"),
                payee_name=payee,
                memo=_text(line, "Memo") or header_memo,
            )
        )
    for line in item_lines:
        lines.append(
            TxnLine(
                txn_type=txn_type,
                txn_id=txn_id,
                line_id=_require(line, "TxnLineID"),
                txn_date=txn_date,
                amount=_amount(line, "Amount"),
                customer_id=_opt(line, "CustomerRef/ListID"),
                item_id=_opt(line, "ItemRef/ListID"),
                account_id=None,
                payee_name=payee,
                memo=_text(line, "Desc") or header_memo,
            )
        )
    return lines


@dataclass(frozen=True, slots=True)
class HostInfo:
    product_name: str
    major_version: str
    minor_version: str
    country: str
    supported_versions: tuple[str, ...]


def read_host(ret: etree._Element) -> HostInfo:
    return HostInfo(
        product_name=_text(ret, "ProductName"),
        major_version=_text(ret, "MajorVersion"),
        minor_version=_text(ret, "MinorVersion"),
        country=_text(ret, "Country"),
        supported_versions=tuple(v.text or "" for v in ret.iterfind("SupportedQBXMLVersion")),
    )


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    company_name: str
    legal_company_name: str


def read_company(ret: etree._Element) -> CompanyInfo:
    return CompanyInfo(
        company_name=_text(ret, "CompanyName"),
        legal_company_name=_text(ret, "LegalCompanyName"),
    )
