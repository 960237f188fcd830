"""Typed readers for the ``*Ret`` elements procore-qb uses.

Readers look children up by path (QuickBooks' element order is fixed by the schema, but a
reader has no reason to depend on it) and turn qbXML text into Python values. Malformed
values raise :class:`~procore_qb.quickbooks.desktop.errors.QbxmlParseError`.

A reader takes a record either as a parsed element (the tree parser's, looked up with
``findtext``: the reference reading) or as a
:class:`~procore_qb.quickbooks.desktop.qbxml.scanner.RawRecord` (its markup, flattened in one
pass by :func:`record_fields`, several times faster; markup the flattening does not take is
parsed by the tree parser). Both give the same values: the property tests check it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol, TypeAlias

from lxml import etree

from procore_qb.domain.commands import AccountRecord, ItemRecord, VendorRecord
from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob
from procore_qb.quickbooks.desktop.errors import QbxmlParseError
from procore_qb.quickbooks.desktop.qbxml.scanner import RawRecord, decode_text

__all__ = [
    "CompanyInfo",
    "CustomerRecord",
    "DeletedRecord",
    "Fields",
    "HostInfo",
    "Record",
    "TxnLine",
    "amount_value",
    "fields_of",
    "read_account",
    "read_company",
    "read_customer",
    "read_deleted",
    "read_host",
    "read_item",
    "read_txn_lines",
    "read_vendor",
]


class Fields(Protocol):
    """A record's values by path, as ``findtext`` reads them: the text of the first element
    at ``path`` in document order (``""`` when it has none), None when there is none."""

    @property
    def tag(self) -> str: ...

    def get(self, path: str) -> str | None: ...

    def every(self, path: str) -> list[str]:
        """The text of every element at ``path``, in document order."""


Record: TypeAlias = "etree._Element | RawRecord | Fields"


class _ElementFields:
    """The reference: ``findtext`` on the parsed element."""

    __slots__ = ("_el", "tag")

    def __init__(self, el: etree._Element) -> None:
        self._el = el
        self.tag = str(el.tag)

    def get(self, path: str) -> str | None:
        return self._el.findtext(path)

    def every(self, path: str) -> list[str]:
        return [found.text or "" for found in self._el.iterfind(path)]


_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
# One token per leaf element (with the text after it), per start tag of an element with
# children (with its own text) and per end tag; anything else (attributes, comments, CDATA,
# empty-element tags) is the last group, and the record goes to the tree parser.
_TOKEN = re.compile(rf"<({_NAME})>([^<]*)(</\1>)?[^<]*|</({_NAME})>[^<]*|(<[^<]*)")
_BAD_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,10}|#x[0-9A-Fa-f]{1,8});)")
_MAX_FLAT_DEPTH = 2


class _FlatFields:
    """The values of a record's markup at paths of one or two steps, from one pass."""

    __slots__ = ("_pairs", "_values", "tag")

    def __init__(self, tag: str, pairs: list[tuple[str, str]]) -> None:
        self.tag = tag
        self._pairs = pairs
        values: dict[str, str] = {}
        for path, value in pairs:
            values.setdefault(path, value)
        self._values = values

    def get(self, path: str) -> str | None:
        return self._values.get(path)

    def every(self, path: str) -> list[str]:
        return [value for found, value in self._pairs if found == path]


class _Unflat(Exception):
    """The markup is not one the flattening takes."""


def _flatten(record: RawRecord) -> _FlatFields:
    text, start, end = record.text, record.start, record.end
    if not record.checked and "]" in record.markup and "]]>" in record.markup:
        raise _Unflat
    decode = record.references and text.find("&", start, end) != -1
    if decode and _BAD_AMPERSAND.search(text, start, end) is not None:
        raise _Unflat
    pairs: list[tuple[str, str]] = []
    stack: list[str] = []
    closed_root = False
    for name, value, closed, end_name, other in _TOKEN.findall(text, start, end):
        if other or closed_root:
            raise _Unflat
        if end_name:
            if not stack or stack.pop() != end_name:
                raise _Unflat
            closed_root = not stack
            continue
        depth = len(stack)
        if depth == 0:
            if name != record.tag or closed:
                raise _Unflat
        elif depth <= _MAX_FLAT_DEPTH:
            path = name if depth == 1 else f"{stack[1]}/{name}"
            pairs.append((path, decode_text(value) if decode else value))
        if not closed:
            stack.append(name)
    if not closed_root:
        raise _Unflat
    return _FlatFields(record.tag, pairs)


def record_fields(record: RawRecord) -> Fields:
    """The values of ``record``, flattened from its markup; markup the flattening does not
    take (comments, CDATA, attributes, empty-element tags) is parsed by the tree parser."""
    try:
        return _flatten(record)
    except _Unflat:
        return _ElementFields(record.element())


def fields_of(record: Record) -> Fields:
    """The fields of a parsed element (reference reading), a raw record or fields."""
    if isinstance(record, RawRecord):
        return record_fields(record)
    if isinstance(record, etree._Element):
        return _ElementFields(record)
    return record


def _text(el: Fields, path: str) -> str:
    found = el.get(path)
    return "" if found is None else found


def _opt(el: Fields, path: str) -> str | None:
    found = el.get(path)
    return found or None


def _bool(el: Fields, path: str, default: bool) -> bool:
    raw = el.get(path)
    if raw is None:
        return default
    return raw.strip().lower() in ("true", "1")


def _date(el: Fields, path: str) -> date | None:
    raw = el.get(path)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise QbxmlParseError(f"<{path}> {raw!r} is not a date (YYYY-MM-DD)") from exc


def _datetime(el: Fields, path: str) -> datetime | None:
    raw = el.get(path)
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


def amount_value(raw: str | None, path: str) -> Decimal:
    """An AMTTYPE value: ``Decimal(0)`` when absent or empty; refused when not a plain
    decimal QuickBooks can hold."""
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
    if "e" in text or "E" in text or "_" in text:
        places = -int(amount.as_tuple().exponent)
    else:
        # A plain decimal's exponent is its number of places (as_tuple() is slow).
        dot = text.find(".")
        places = 0 if dot == -1 else len(text) - dot - 1
    if places > _MAX_AMOUNT_PLACES:
        raise QbxmlParseError(f"<{path}> {raw!r} has more than 10 decimal places")
    return amount


def _amount(el: Fields, path: str) -> Decimal:
    return amount_value(el.get(path), path)


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


def _address(el: Fields, path: str) -> JobAddress:
    return JobAddress(
        line1=_text(el, f"{path}/Addr1"),
        line2=_text(el, f"{path}/Addr2"),
        city=_text(el, f"{path}/City"),
        state=_text(el, f"{path}/State"),
        postal_code=_text(el, f"{path}/PostalCode"),
        country=_text(el, f"{path}/Country"),
    )


def _require(el: Fields, path: str) -> str:
    value = el.get(path)
    if not value:
        raise QbxmlParseError(f"<{el.tag}> has no {path}")
    return value


def read_customer(record: Record) -> CustomerRecord:
    ret = fields_of(record)
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
        bill_address=_address(ret, "BillAddress"),
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


def read_item(record: Record) -> ItemRecord:
    ret = fields_of(record)
    item_type = _ITEM_TYPES.get(ret.tag)
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


def read_account(record: Record) -> AccountRecord:
    ret = fields_of(record)
    return AccountRecord(
        id=_require(ret, "ListID"),
        name=_require(ret, "Name"),
        full_name=_text(ret, "FullName") or _text(ret, "Name"),
        account_type=_text(ret, "AccountType"),
        active=_bool(ret, "IsActive", True),
    )


def read_vendor(record: Record) -> VendorRecord:
    ret = fields_of(record)
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


def read_deleted(record: Record) -> DeletedRecord:
    ret = fields_of(record)
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
    ref_number: str = ""
    txn_memo: str = ""


def read_txn_lines(element: etree._Element) -> list[TxnLine]:
    """The lines of a ``BillRet``, ``CheckRet``, ``CreditCardChargeRet``,
    ``CreditCardCreditRet``, ``VendorCreditRet`` or ``JournalEntryRet``, including the item
    lines inside item groups (the reference reading;
    :func:`~procore_qb.quickbooks.desktop.qbxml.costs.job_cost_lines` is the fast one)."""
    ret = _ElementFields(element)
    tag = ret.tag
    if not tag.endswith("Ret"):
        raise QbxmlParseError(f"<{tag}> is not a transaction record")
    txn_type = tag[:-3]
    txn_id = _require(ret, "TxnID")
    txn_date = _date(ret, "TxnDate")
    if txn_date is None:
        raise QbxmlParseError(f"<{tag}> {txn_id} has no TxnDate")
    payee = _text(ret, "VendorRef/FullName") or _text(ret, "PayeeEntityRef/FullName")
    header_memo = _text(ret, "Memo")
    ref_number = _text(ret, "RefNumber")
    lines: list[TxnLine] = []
    if txn_type == "JournalEntry":
        for child in element:
            if child.tag not in ("JournalDebitLine", "JournalCreditLine"):
                continue
            line = _ElementFields(child)
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
                    # The line's EntityRef is who it is for (on a job's line, the
                    # customer:job itself), not a payee: a journal line has none.
                    payee_name="",
                    memo=_text(line, "Memo") or header_memo,
                    debit=line.tag == "JournalDebitLine",
                    ref_number=ref_number,
                    txn_memo=header_memo,
                )
            )
        return lines
    item_lines = list(element.iterfind("ItemLineRet")) + list(
        element.iterfind("ItemGroupLineRet/ItemLineRet")
    )
    for child in element.iterfind("ExpenseLineRet"):
        line = _ElementFields(child)
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
                ref_number=ref_number,
                txn_memo=header_memo,
            )
        )
    for child in item_lines:
        line = _ElementFields(child)
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
                ref_number=ref_number,
                txn_memo=header_memo,
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


def read_host(record: Record) -> HostInfo:
    ret = fields_of(record)
    return HostInfo(
        product_name=_text(ret, "ProductName"),
        major_version=_text(ret, "MajorVersion"),
        minor_version=_text(ret, "MinorVersion"),
        country=_text(ret, "Country"),
        supported_versions=tuple(ret.every("SupportedQBXMLVersion")),
    )


@dataclass(frozen=True, slots=True)
class CompanyInfo:
    company_name: str
    legal_company_name: str


def read_company(record: Record) -> CompanyInfo:
    ret = fields_of(record)
    return CompanyInfo(
        company_name=_text(ret, "CompanyName"),
        legal_company_name=_text(ret, "LegalCompanyName"),
    )
