"""Typed builders for the qbXML requests procore-qb sends.

Each request knows its element order from ``qbxmlops130.xsd`` (QuickBooks rejects out-of-order
elements) and checks the lengths and enumerations the schema sets, raising
:class:`~procore_qb.quickbooks.desktop.errors.QbxmlBuildError` that names the field and the rule.
:meth:`Request.element` returns the ``<...Rq>`` element with its ``requestID`` (and iterator
attributes for queries that support iterators); :mod:`.message` wraps requests into a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import ClassVar, Literal

from lxml import etree

from procore_qb.quickbooks.desktop.errors import QbxmlBuildError

__all__ = [
    "MAX_REQUEST_ID",
    "AccountQuery",
    "ActiveStatus",
    "Address",
    "BillQuery",
    "CheckQuery",
    "CompanyQuery",
    "CreditCardChargeQuery",
    "CreditCardCreditQuery",
    "CustomerAdd",
    "CustomerMod",
    "CustomerQuery",
    "HostQuery",
    "ItemNonInventoryQuery",
    "ItemOtherChargeQuery",
    "ItemServiceAdd",
    "ItemServiceQuery",
    "Iterator",
    "JournalEntryQuery",
    "ListDeletedQuery",
    "Ref",
    "Request",
    "TxnDeletedQuery",
    "VendorCreditQuery",
    "VendorQuery",
    "format_datetime",
]

MAX_REQUEST_ID = 50
"""qbXML status 1060: a requestID is at most 50 characters (spec §B.8)."""

Iterator = Literal["Start", "Continue", "Stop"]
ActiveStatus = Literal["ActiveOnly", "InactiveOnly", "All"]
JOB_STATUSES = ("Awarded", "Closed", "InProgress", "None", "NotAwarded", "Pending")


def format_datetime(value: datetime) -> str:
    """A qbXML ``DATETIMETYPE``: seconds precision with a numeric UTC offset (no ``Z``)."""
    if value.tzinfo is None:
        raise QbxmlBuildError("a qbXML date-time needs a time zone; pass an aware datetime")
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _check_len(field: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise QbxmlBuildError(
            f"{field} is {len(value)} characters; QuickBooks allows at most {limit} "
            f"(qbxml130.xsd). Shorten {value[:20]!r}..."
        )
    return value


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def _bool(value: bool) -> str:
    return "true" if value else "false"


@dataclass(frozen=True, slots=True)
class Ref:
    """A list reference (``ParentRef``, ``AccountRef``, ...): ListID wins over FullName."""

    list_id: str | None = None
    full_name: str | None = None

    def append(self, parent: etree._Element, tag: str, *, max_full_name: int = 209) -> None:
        if not self.list_id and not self.full_name:
            raise QbxmlBuildError(f"{tag} needs a ListID or a FullName")
        ref = _sub(parent, tag)
        if self.list_id:
            _sub(ref, "ListID", _check_len(f"{tag}/ListID", self.list_id, 36))
        if self.full_name:
            _sub(ref, "FullName", _check_len(f"{tag}/FullName", self.full_name, max_full_name))


@dataclass(frozen=True, slots=True)
class Address:
    """``BillAddress``/``ShipAddress`` (qbXML ``AddressType``)."""

    addr1: str = ""
    addr2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""

    def append(self, parent: etree._Element, tag: str) -> None:
        el = _sub(parent, tag)
        for name, value, limit in (
            ("Addr1", self.addr1, 41),
            ("Addr2", self.addr2, 41),
            ("City", self.city, 31),
            ("State", self.state, 21),
            ("PostalCode", self.postal_code, 13),
            ("Country", self.country, 31),
        ):
            if value:
                _sub(el, name, _check_len(f"{tag}/{name}", value, limit))


def _check_name(field: str, value: str, limit: int) -> str:
    if not value.strip():
        raise QbxmlBuildError(f"{field} is empty; QuickBooks needs a name")
    if ":" in value:
        raise QbxmlBuildError(
            f"{field} {value!r} contains ':', which QuickBooks uses to separate a parent "
            "from its children in FullName; remove the colon"
        )
    return _check_len(field, value, limit)


class Request:
    """A qbXML request. Subclasses set ``request_type`` (``CustomerAdd``, ...) and fill
    :meth:`_fill`."""

    request_type: ClassVar[str]
    supports_iterator: ClassVar[bool] = False

    def element(
        self,
        request_id: str,
        *,
        iterator: Iterator | None = None,
        iterator_id: str | None = None,
    ) -> etree._Element:
        """The ``<{request_type}Rq requestID=...>`` element."""
        if not request_id or len(request_id) > MAX_REQUEST_ID:
            raise QbxmlBuildError(
                f"requestID must be 1-{MAX_REQUEST_ID} characters (QuickBooks status 1060), "
                f"got {request_id!r}"
            )
        rq = etree.Element(f"{self.request_type}Rq", requestID=request_id)
        if iterator is not None:
            if not self.supports_iterator:
                raise QbxmlBuildError(f"{self.request_type} does not support iterators")
            rq.set("iterator", iterator)
            if iterator != "Start":
                if not iterator_id:
                    raise QbxmlBuildError(f"iterator={iterator} needs the iteratorID")
                rq.set("iteratorID", iterator_id)
        self._fill(rq)
        return rq

    def _fill(self, rq: etree._Element) -> None:
        raise QbxmlBuildError(f"{type(self).__name__} cannot be built")


@dataclass(frozen=True, slots=True)
class HostQuery(Request):
    request_type: ClassVar[str] = "HostQuery"

    def _fill(self, rq: etree._Element) -> None:
        return None


@dataclass(frozen=True, slots=True)
class CompanyQuery(Request):
    request_type: ClassVar[str] = "CompanyQuery"

    def _fill(self, rq: etree._Element) -> None:
        return None


def _job_fields(
    body: etree._Element,
    *,
    account_number: str | None,
    job_status: str | None,
    job_start_date: date | None,
    job_projected_end_date: date | None,
    job_type: Ref | None,
) -> None:
    if account_number is not None:
        _sub(body, "AccountNumber", _check_len("AccountNumber", account_number, 99))
    if job_status is not None:
        if job_status not in JOB_STATUSES:
            raise QbxmlBuildError(
                f"JobStatus {job_status!r} is not one of {', '.join(JOB_STATUSES)}"
            )
        _sub(body, "JobStatus", job_status)
    if job_start_date is not None:
        _sub(body, "JobStartDate", job_start_date.isoformat())
    if job_projected_end_date is not None:
        _sub(body, "JobProjectedEndDate", job_projected_end_date.isoformat())
    if job_type is not None:
        job_type.append(body, "JobTypeRef", max_full_name=159)


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerAdd(Request):
    """Add a customer, or a job when ``parent`` is set. ``external_guid`` (``{...}`` GUID) is
    stored by QuickBooks on the record and returned in ``CustomerRet/ExternalGUID``."""

    request_type: ClassVar[str] = "CustomerAdd"
    name: str
    is_active: bool = True
    parent: Ref | None = None
    bill_address: Address | None = None
    ship_address: Address | None = None
    account_number: str | None = None
    job_status: str | None = None
    job_start_date: date | None = None
    job_projected_end_date: date | None = None
    job_type: Ref | None = None
    external_guid: str | None = None

    def _fill(self, rq: etree._Element) -> None:
        body = _sub(rq, "CustomerAdd")
        _sub(body, "Name", _check_name("Name", self.name, 41))
        _sub(body, "IsActive", _bool(self.is_active))
        if self.parent is not None:
            self.parent.append(body, "ParentRef")
        if self.bill_address is not None:
            self.bill_address.append(body, "BillAddress")
        if self.ship_address is not None:
            self.ship_address.append(body, "ShipAddress")
        _job_fields(
            body,
            account_number=self.account_number or None,
            job_status=self.job_status,
            job_start_date=self.job_start_date,
            job_projected_end_date=self.job_projected_end_date,
            job_type=self.job_type,
        )
        if self.external_guid is not None:
            _sub(body, "ExternalGUID", self.external_guid)


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerMod(Request):
    """Change a customer or job. Only the fields given (not None) change; ``edit_sequence``
    must be the one from the last read, or QuickBooks answers 3200."""

    request_type: ClassVar[str] = "CustomerMod"
    list_id: str
    edit_sequence: str
    name: str | None = None
    is_active: bool | None = None
    parent: Ref | None = None
    bill_address: Address | None = None
    ship_address: Address | None = None
    account_number: str | None = None
    job_status: str | None = None
    job_start_date: date | None = None
    job_projected_end_date: date | None = None
    job_type: Ref | None = None

    def _fill(self, rq: etree._Element) -> None:
        body = _sub(rq, "CustomerMod")
        _sub(body, "ListID", _check_len("ListID", self.list_id, 36))
        _sub(body, "EditSequence", _check_len("EditSequence", self.edit_sequence, 16))
        if self.name is not None:
            _sub(body, "Name", _check_name("Name", self.name, 41))
        if self.is_active is not None:
            _sub(body, "IsActive", _bool(self.is_active))
        if self.parent is not None:
            self.parent.append(body, "ParentRef")
        if self.bill_address is not None:
            self.bill_address.append(body, "BillAddress")
        if self.ship_address is not None:
            self.ship_address.append(body, "ShipAddress")
        _job_fields(
            body,
            account_number=self.account_number,
            job_status=self.job_status,
            job_start_date=self.job_start_date,
            job_projected_end_date=self.job_projected_end_date,
            job_type=self.job_type,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemServiceAdd(Request):
    """Add a service item (a cost code). With both accounts the item is bought and sold
    (``SalesAndPurchase``); with one it is ``SalesOrPurchase`` on that account."""

    request_type: ClassVar[str] = "ItemServiceAdd"
    name: str
    description: str = ""
    is_active: bool = True
    parent: Ref | None = None
    income_account: Ref | None = None
    expense_account: Ref | None = None
    external_guid: str | None = None

    def _fill(self, rq: etree._Element) -> None:
        body = _sub(rq, "ItemServiceAdd")
        _sub(body, "Name", _check_name("Name", self.name, 31))
        _sub(body, "IsActive", _bool(self.is_active))
        if self.parent is not None:
            self.parent.append(body, "ParentRef", max_full_name=159)
        desc = _check_len("Desc", self.description, 4095)
        if self.income_account is not None and self.expense_account is not None:
            both = _sub(body, "SalesAndPurchase")
            if desc:
                _sub(both, "SalesDesc", desc)
            self.income_account.append(both, "IncomeAccountRef", max_full_name=159)
            if desc:
                _sub(both, "PurchaseDesc", desc)
            self.expense_account.append(both, "ExpenseAccountRef", max_full_name=159)
        else:
            account = self.income_account or self.expense_account
            if account is None:
                raise QbxmlBuildError(
                    "ItemServiceAdd needs an account: give an income account, an expense "
                    "account or both (QuickBooks requires SalesOrPurchase or SalesAndPurchase)"
                )
            one = _sub(body, "SalesOrPurchase")
            if desc:
                _sub(one, "Desc", desc)
            account.append(one, "AccountRef", max_full_name=159)
        if self.external_guid is not None:
            _sub(body, "ExternalGUID", self.external_guid)


def _modified(
    parent: etree._Element, from_modified: datetime | None, to_modified: datetime | None
) -> None:
    if from_modified is not None:
        _sub(parent, "FromModifiedDate", format_datetime(from_modified))
    if to_modified is not None:
        _sub(parent, "ToModifiedDate", format_datetime(to_modified))


@dataclass(frozen=True, slots=True, kw_only=True)
class _ListQuery(Request):
    """A list query: by ``list_ids``, by ``full_names``, or by the list filter."""

    supports_iterator: ClassVar[bool] = True
    list_ids: Sequence[str] = ()
    full_names: Sequence[str] = ()
    max_returned: int | None = None
    active_status: ActiveStatus | None = None
    from_modified: datetime | None = None
    to_modified: datetime | None = None

    def _fill(self, rq: etree._Element) -> None:
        if self.list_ids and self.full_names:
            raise QbxmlBuildError(
                f"{self.request_type} takes ListIDs or FullNames, not both (schema choice)"
            )
        by_id = self.list_ids or self.full_names
        if by_id and (self.max_returned or self.active_status or self.from_modified):
            raise QbxmlBuildError(
                f"{self.request_type}: ListID/FullName and the list filter exclude each other"
            )
        for list_id in self.list_ids:
            _sub(rq, "ListID", _check_len("ListID", list_id, 36))
        for full_name in self.full_names:
            _sub(rq, "FullName", full_name)
        if self.max_returned is not None:
            if self.max_returned < 1:
                raise QbxmlBuildError("MaxReturned must be at least 1")
            _sub(rq, "MaxReturned", str(self.max_returned))
        if self.active_status is not None:
            _sub(rq, "ActiveStatus", self.active_status)
        _modified(rq, self.from_modified, self.to_modified)


@dataclass(frozen=True, slots=True, kw_only=True)
class CustomerQuery(_ListQuery):
    request_type: ClassVar[str] = "CustomerQuery"


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorQuery(_ListQuery):
    request_type: ClassVar[str] = "VendorQuery"


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemServiceQuery(_ListQuery):
    request_type: ClassVar[str] = "ItemServiceQuery"


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemOtherChargeQuery(_ListQuery):
    request_type: ClassVar[str] = "ItemOtherChargeQuery"


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemNonInventoryQuery(_ListQuery):
    request_type: ClassVar[str] = "ItemNonInventoryQuery"


ACCOUNT_TYPES = (
    "AccountsPayable",
    "AccountsReceivable",
    "Bank",
    "CostOfGoodsSold",
    "CreditCard",
    "Equity",
    "Expense",
    "FixedAsset",
    "Income",
    "LongTermLiability",
    "NonPosting",
    "OtherAsset",
    "OtherCurrentAsset",
    "OtherCurrentLiability",
    "OtherExpense",
    "OtherIncome",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountQuery(_ListQuery):
    """Accounts, optionally of the given ``account_types`` (no iterator in qbXML 13.0)."""

    request_type: ClassVar[str] = "AccountQuery"
    supports_iterator: ClassVar[bool] = False
    account_types: Sequence[str] = ()

    def _fill(self, rq: etree._Element) -> None:
        _ListQuery._fill(self, rq)
        for account_type in self.account_types:
            if account_type not in ACCOUNT_TYPES:
                raise QbxmlBuildError(f"AccountType {account_type!r} is not a qbXML account type")
            _sub(rq, "AccountType", account_type)


@dataclass(frozen=True, slots=True, kw_only=True)
class _TxnQuery(Request):
    """A transaction query with its lines, by ``txn_ids`` or by the transaction filter."""

    supports_iterator: ClassVar[bool] = True
    txn_ids: Sequence[str] = ()
    max_returned: int | None = None
    from_modified: datetime | None = None
    to_modified: datetime | None = None
    include_line_items: bool = True

    def _fill(self, rq: etree._Element) -> None:
        if self.txn_ids and (self.max_returned or self.from_modified or self.to_modified):
            raise QbxmlBuildError(
                f"{self.request_type}: TxnID and the transaction filter exclude each other"
            )
        for txn_id in self.txn_ids:
            _sub(rq, "TxnID", _check_len("TxnID", txn_id, 36))
        if self.max_returned is not None:
            if self.max_returned < 1:
                raise QbxmlBuildError("MaxReturned must be at least 1")
            _sub(rq, "MaxReturned", str(self.max_returned))
        if self.from_modified is not None or self.to_modified is not None:
            _modified(_sub(rq, "ModifiedDateRangeFilter"), self.from_modified, self.to_modified)
        _sub(rq, "IncludeLineItems", _bool(self.include_line_items))


@dataclass(frozen=True, slots=True, kw_only=True)
class BillQuery(_TxnQuery):
    request_type: ClassVar[str] = "BillQuery"


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckQuery(_TxnQuery):
    request_type: ClassVar[str] = "CheckQuery"


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditCardChargeQuery(_TxnQuery):
    request_type: ClassVar[str] = "CreditCardChargeQuery"


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditCardCreditQuery(_TxnQuery):
    request_type: ClassVar[str] = "CreditCardCreditQuery"


@dataclass(frozen=True, slots=True, kw_only=True)
class VendorCreditQuery(_TxnQuery):
    request_type: ClassVar[str] = "VendorCreditQuery"


@dataclass(frozen=True, slots=True, kw_only=True)
class JournalEntryQuery(_TxnQuery):
    request_type: ClassVar[str] = "JournalEntryQuery"


def _deleted_range(
    rq: etree._Element, from_deleted: datetime | None, to_deleted: datetime | None
) -> None:
    if from_deleted is None and to_deleted is None:
        return
    rng = _sub(rq, "DeletedDateRangeFilter")
    if from_deleted is not None:
        _sub(rng, "FromDeletedDate", format_datetime(from_deleted))
    if to_deleted is not None:
        _sub(rng, "ToDeletedDate", format_datetime(to_deleted))


@dataclass(frozen=True, slots=True, kw_only=True)
class ListDeletedQuery(Request):
    """List objects deleted in a date range (``ListDelType`` such as ``Customer``)."""

    request_type: ClassVar[str] = "ListDeletedQuery"
    types: Sequence[str]
    from_deleted: datetime | None = None
    to_deleted: datetime | None = None

    def _fill(self, rq: etree._Element) -> None:
        if not self.types:
            raise QbxmlBuildError("ListDeletedQuery needs at least one ListDelType")
        for list_type in self.types:
            _sub(rq, "ListDelType", list_type)
        _deleted_range(rq, self.from_deleted, self.to_deleted)


@dataclass(frozen=True, slots=True, kw_only=True)
class TxnDeletedQuery(Request):
    """Transactions deleted in a date range (``TxnDelType`` such as ``Bill``)."""

    request_type: ClassVar[str] = "TxnDeletedQuery"
    types: Sequence[str]
    from_deleted: datetime | None = None
    to_deleted: datetime | None = None

    def _fill(self, rq: etree._Element) -> None:
        if not self.types:
            raise QbxmlBuildError("TxnDeletedQuery needs at least one TxnDelType")
        for txn_type in self.types:
            _sub(rq, "TxnDelType", txn_type)
        _deleted_range(rq, self.from_deleted, self.to_deleted)
