"""The Desktop gateway: commands of :mod:`procore_qb.domain.commands` as qbXML requests,
and qbXML responses back as :class:`~procore_qb.domain.commands.CommandResult`.

A command becomes one or more *parts* (qbXML requests) that travel in the same message (but
a write that waits for its look-up, below). Each
part's ``requestID`` is ``"{idempotency_key}.{part}.{page}"`` (:func:`request_id`), at most 50
characters, so every response maps back to its command. A query part that pages with an
iterator stays open until ``iteratorRemainingCount`` is 0; the Web Connector session keeps
the pages and :meth:`DesktopGateway.combine` joins them.

**Lost responses.** A command whose outcome is unknown (``needs_lookup``: its answer was lost
when the Web Connector session ended, procore-qb restarted before storing it, or QuickBooks
stopped before answering) is looked up first, in two phases: the first message carries only
the look-up; the write goes out in a later ``sendRequestXML``, and only when the look-up did
not settle the command.

* ``CreateJob``/``CreateCustomer``: ``CustomerQuery``; ``CreateItem``: ``ItemServiceQuery``;
  each with ``ActiveStatus`` All and ``FromModifiedDate`` = the command's first attempt less
  :data:`~procore_qb.domain.times.QUICKBOOKS_CLOCK_SKEW` (the margin a job-list refresh uses),
  paged with an iterator. Every ``CustomerAdd``/``ItemServiceAdd`` we send carries
  ``ExternalGUID`` = :func:`marker` (a GUID derived from the idempotency key; the element
  exists in both Add requests in qbXML 13.0 and QuickBooks returns it in the ``*Ret``, spec
  quickbooks-api.md §B.2). A record added by the first attempt was created, and so last
  modified, after that attempt began, whatever happened to it since: renamed, moved, made
  inactive. A record with our marker in the window means the first Add went through: it is
  the result, and no second Add is sent. The look-up does not use the name, so a rename in
  QuickBooks in between cannot make a second record.
* ``UpdateJob``: ``CustomerQuery`` by ListID; a record that already holds the values we asked
  for means the first Mod went through (or was not needed): it is the result, and the Mod is
  not repeated. Otherwise the Mod goes out; if it is refused as stale (3200) and the
  look-up found the record holding our values, that record is still the result.
* A look-up QuickBooks refuses ends the command with its error, rather than writing blind.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import astuple, dataclass, replace
from datetime import datetime

from procore_qb.domain.commands import (
    Command,
    CommandError,
    CommandResult,
    CreateCustomer,
    CreateItem,
    CreateJob,
    JobCostLine,
    JobCostSource,
    QueryAccounts,
    QueryCustomers,
    QueryItems,
    QueryJobCosts,
    QueryJobs,
    QueryVendors,
    UpdateJob,
)
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.domain.times import QUICKBOOKS_CLOCK_SKEW
from procore_qb.quickbooks.desktop.errors import DesktopError, QbxmlParseError
from procore_qb.quickbooks.desktop.qbxml.costs import job_cost_lines
from procore_qb.quickbooks.desktop.qbxml.message import (
    Response,
    parse_response_message,
    response_of,
)
from procore_qb.quickbooks.desktop.qbxml.parsing import DEFAULT_LIMITS, XmlLimits
from procore_qb.quickbooks.desktop.qbxml.records import (
    fields_of,
    read_account,
    read_customer,
    read_deleted,
    read_item,
    read_vendor,
)
from procore_qb.quickbooks.desktop.qbxml.requests import (
    AccountQuery,
    ActiveStatus,
    Address,
    BillQuery,
    CheckQuery,
    CreditCardChargeQuery,
    CustomerAdd,
    CustomerMod,
    CustomerQuery,
    ItemNonInventoryQuery,
    ItemOtherChargeQuery,
    ItemServiceAdd,
    ItemServiceQuery,
    JournalEntryQuery,
    ListDeletedQuery,
    Ref,
    Request,
    TxnDeletedQuery,
    VendorCreditQuery,
    VendorQuery,
)
from procore_qb.quickbooks.desktop.qbxml.scanner import RawRecord, ResponseHead, scan

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DesktopGateway",
    "PageOutcome",
    "Part",
    "marker",
    "parse_request_id",
    "request_id",
]

DEFAULT_PAGE_SIZE = 500
"""``MaxReturned`` per iterator page."""

_MARKER_NAMESPACE = uuid.UUID("5d1f0b8e-3c1a-4e57-9a55-2f0c6c1b7a10")

# Codes worth another attempt later: QuickBooks busy or not available (spec §B.8: 1000
# internal error, 1010 system not available).
_RETRIABLE = {1000, 1010}


def marker(idempotency_key: str) -> str:
    """The ``ExternalGUID`` we stamp on records we add for the command ``idempotency_key``."""
    return "{" + str(uuid.uuid5(_MARKER_NAMESPACE, idempotency_key)).upper() + "}"


MAX_REQUEST_ID_CHARS = 200
"""Longest requestID procore-qb makes: an idempotency key and two counters."""
_COUNTER = re.compile(r"^[0-9]{1,6}$", re.ASCII)
_ITERATOR_ID = re.compile(r"^[\x21-\x7e]{1,100}$", re.ASCII)
"""QuickBooks' iteratorID is a GUID in braces; anything printable up to 100 is kept."""


def request_id(idempotency_key: str, part: int, page: int) -> str:
    return f"{idempotency_key}.{part}.{page}"


def parse_request_id(value: str) -> tuple[str, int, int] | None:
    """Inverse of :func:`request_id`; None for an id we did not make."""
    if len(value) > MAX_REQUEST_ID_CHARS:
        return None
    pieces = value.rsplit(".", 2)
    if len(pieces) != 3 or not pieces[0]:
        return None
    if not all(_COUNTER.match(piece) for piece in pieces[1:]):
        return None
    return pieces[0], int(pieces[1]), int(pieces[2])


@dataclass(frozen=True, slots=True)
class Part:
    """One qbXML request a command needs. ``iterates``: it pages with an iterator;
    ``lookup``: it only looks up whether an earlier attempt already succeeded."""

    request: Request
    iterates: bool = False
    lookup: bool = False


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What one response contributes: ``partial`` data (or ``partial.error``), and whether
    the iterator has more pages (``more`` with ``iterator_id``)."""

    partial: CommandResult
    more: bool = False
    iterator_id: str | None = None


_ITEM_QUERIES = (ItemServiceQuery, ItemOtherChargeQuery, ItemNonInventoryQuery)
_ITEM_DELETED = ("ItemService", "ItemOtherCharge", "ItemNonInventory")
# Credit-card credits (CreditCardCreditQuery) are left out until the QuickBooks Desktop
# simulator answers them; the builder exists in qbxml.requests.
_COST_QUERIES: tuple[tuple[type[Request], JobCostSource, int], ...] = (
    (BillQuery, JobCostSource.BILL, 1),
    (CheckQuery, JobCostSource.CHECK, 1),
    (CreditCardChargeQuery, JobCostSource.CREDIT_CARD_CHARGE, 1),
    (VendorCreditQuery, JobCostSource.VENDOR_CREDIT, -1),
    (JournalEntryQuery, JobCostSource.JOURNAL_ENTRY, 1),
)
_COST_DELETED = ("Bill", "Check", "CreditCardCharge", "VendorCredit", "JournalEntry")
_SOURCES = {cls.request_type: (source, sign) for cls, source, sign in _COST_QUERIES}
_ACCOUNT_TYPES = ("Income", "OtherIncome", "Expense", "OtherExpense", "CostOfGoodsSold")


def _address(job: QuickBooksJob) -> Address:
    a = job.address
    return Address(
        addr1=a.line1,
        addr2=a.line2,
        city=a.city,
        state=a.state,
        postal_code=a.postal_code,
        country=a.country,
    )


def _parent(job: QuickBooksJob) -> Ref | None:
    if job.parent_id:
        return Ref(list_id=job.parent_id)
    if job.parent_full_name:
        return Ref(full_name=job.parent_full_name)
    return None


def _same_values(found: QuickBooksJob, wanted: QuickBooksJob) -> bool:
    """Whether ``found`` holds every value the ``CustomerMod`` for ``wanted`` sets. The Mod
    leaves out empty address lines and absent dates (QuickBooks keeps its own), so those are
    not compared: a record that kept them is still one our Mod reached."""
    lines = zip(astuple(found.address), astuple(wanted.address), strict=True)
    return (
        found.name == wanted.name
        and found.number == wanted.number
        and found.status == wanted.status
        and found.active == wanted.active
        and all(have == want for have, want in lines if want)
        and wanted.start_date in (None, found.start_date)
        and wanted.projected_end_date in (None, found.projected_end_date)
    )


def _error(key: str, response: Response) -> CommandResult:
    return CommandResult(
        idempotency_key=key,
        error=CommandError(
            code=str(response.status_code),
            message=response.status_message or f"QuickBooks status {response.status_code}",
            retriable=response.status_code in _RETRIABLE,
        ),
    )


class DesktopGateway:
    """Translates commands to qbXML parts and responses back to results. Stateless: the
    Web Connector session stores which parts are open and the pages received."""

    def __init__(self, *, page_size: int = DEFAULT_PAGE_SIZE) -> None:
        if page_size < 1:
            raise ValueError("page_size (MaxReturned) must be at least 1")
        self.page_size = page_size

    # ------------------------------------------------------------------ requests

    def parts(
        self,
        command: Command,
        *,
        needs_lookup: bool = False,
        first_attempt_at: datetime | None = None,
    ) -> tuple[Part, ...]:
        """The requests ``command`` needs, in the order they must run. With ``needs_lookup``
        the first is a look-up (``Part.lookup``) among what changed since ``first_attempt_at``
        (less the clock-skew margin; None: the whole list) and the others wait for its answer."""
        n = self.page_size
        since = None if first_attempt_at is None else first_attempt_at - QUICKBOOKS_CLOCK_SKEW
        status: ActiveStatus
        match command:
            case CreateCustomer():
                add = CustomerAdd(name=command.name, external_guid=marker(command.idempotency_key))
                lookup = CustomerQuery(max_returned=n, active_status="All", from_modified=since)
                return self._with_lookup(needs_lookup, lookup, add, iterates=True)
            case CreateJob():
                job = command.job
                add = CustomerAdd(
                    name=job.name,
                    is_active=job.active,
                    parent=_parent(job),
                    bill_address=_address(job),
                    account_number=job.number or None,
                    job_status=job.status.value,
                    job_start_date=job.start_date,
                    job_projected_end_date=job.projected_end_date,
                    external_guid=marker(command.idempotency_key),
                )
                lookup = CustomerQuery(max_returned=n, active_status="All", from_modified=since)
                return self._with_lookup(needs_lookup, lookup, add, iterates=True)
            case UpdateJob():
                job = command.job
                list_id, version = job.id or "", job.version or ""
                mod = CustomerMod(
                    list_id=list_id,
                    edit_sequence=version,
                    name=job.name,
                    is_active=job.active,
                    bill_address=_address(job),
                    account_number=job.number,
                    job_status=job.status.value,
                    job_start_date=job.start_date,
                    job_projected_end_date=job.projected_end_date,
                )
                return self._with_lookup(needs_lookup, CustomerQuery(list_ids=(list_id,)), mod)
            case CreateItem():
                item = ItemServiceAdd(
                    name=command.name,
                    description=command.description,
                    income_account=_account(command.income_account_id),
                    expense_account=_account(command.expense_account_id),
                    external_guid=marker(command.idempotency_key),
                )
                item_lookup = ItemServiceQuery(
                    max_returned=n, active_status="All", from_modified=since
                )
                return self._with_lookup(needs_lookup, item_lookup, item, iterates=True)
            case QueryJobs():
                since = command.modified_since
                status = "All" if command.include_inactive or since else "ActiveOnly"
                jobs = Part(
                    CustomerQuery(max_returned=n, active_status=status, from_modified=since),
                    iterates=True,
                )
                if since is None:
                    return (jobs,)
                return (jobs, Part(ListDeletedQuery(types=("Customer",), from_deleted=since)))
            case QueryCustomers():
                status = "All" if command.include_inactive else "ActiveOnly"
                return (Part(CustomerQuery(max_returned=n, active_status=status), iterates=True),)
            case QueryItems():
                since = command.modified_since
                status = "All" if since else "ActiveOnly"
                parts = [
                    Part(cls(max_returned=n, active_status=status, from_modified=since), True)
                    for cls in _ITEM_QUERIES
                ]
                if since is not None:
                    parts.append(Part(ListDeletedQuery(types=_ITEM_DELETED, from_deleted=since)))
                return tuple(parts)
            case QueryAccounts():
                accounts = AccountQuery(active_status="ActiveOnly", account_types=_ACCOUNT_TYPES)
                return (Part(accounts),)
            case QueryVendors():
                since = command.modified_since
                status = "All" if since else "ActiveOnly"
                vendors = Part(
                    VendorQuery(max_returned=n, active_status=status, from_modified=since), True
                )
                if since is None:
                    return (vendors,)
                return (vendors, Part(ListDeletedQuery(types=("Vendor",), from_deleted=since)))
            case QueryJobCosts():
                since = command.modified_since
                parts = [
                    Part(cls(max_returned=n, from_modified=since), iterates=True)  # type: ignore[call-arg]
                    for cls, _, _ in _COST_QUERIES
                ]
                if since is not None:
                    parts.append(Part(TxnDeletedQuery(types=_COST_DELETED, from_deleted=since)))
                return tuple(parts)
        raise DesktopError(f"no qbXML mapping for command {type(command).__name__}")

    @staticmethod
    def _with_lookup(
        needs_lookup: bool, lookup: Request, write: Request, *, iterates: bool = False
    ) -> tuple[Part, ...]:
        if needs_lookup:
            return (Part(lookup, iterates=iterates, lookup=True), Part(write))
        return (Part(write),)

    @staticmethod
    def settles(part: Part, partial: CommandResult) -> bool:
        """Whether ``partial`` (one page of the look-up ``part``) decides the command without
        its write: it found the record the lost attempt wrote, or QuickBooks refused the
        look-up. A look-up that finds nothing settles nothing: the write goes out."""
        if not part.lookup:
            return False
        return partial.error is not None or bool(partial.jobs or partial.items)

    # ------------------------------------------------------------------ responses

    def read_page(self, command: Command, part: Part, response: Response) -> PageOutcome:
        """What ``response`` (the answer to ``part`` of ``command``) contributes."""
        key = command.idempotency_key
        more = bool(response.iterator_remaining) and part.iterates
        iterator_id = response.iterator_id if more else None
        if response.no_match:
            return PageOutcome(CommandResult(idempotency_key=key))
        if response.error is not None:
            return PageOutcome(_error(key, response))
        if more and (iterator_id is None or _ITERATOR_ID.match(iterator_id) is None):
            # The next page cannot be asked for without it: this command fails, the session
            # and the other commands in it go on.
            shown = None if iterator_id is None else iterator_id[:60]
            return PageOutcome(
                CommandResult(
                    idempotency_key=key,
                    error=CommandError(
                        code="unreadable",
                        message=(
                            "QuickBooks' answer says more records remain "
                            f"(iteratorRemainingCount={response.iterator_remaining}) but its "
                            f"iteratorID {shown!r} is missing or not an iterator id"
                        ),
                    ),
                )
            )
        try:
            partial = self._read(command, part, response)
        except QbxmlParseError as exc:
            partial = CommandResult(
                idempotency_key=key,
                error=CommandError(code="unreadable", message=f"QuickBooks' answer: {exc}"),
            )
            return PageOutcome(partial)
        return PageOutcome(partial, more=more, iterator_id=iterator_id)

    def _read(self, command: Command, part: Part, response: Response) -> CommandResult:
        key = command.idempotency_key
        rets = response.records
        deleted = tuple(
            read_deleted(r).id for r in rets if r.tag in ("ListDeletedRet", "TxnDeletedRet")
        )
        if deleted or response.request_type in ("ListDeletedQuery", "TxnDeletedQuery"):
            return CommandResult(idempotency_key=key, deleted_ids=deleted)
        match command:
            case CreateCustomer() | CreateJob() | UpdateJob() | QueryJobs() | QueryCustomers():
                records = [read_customer(r) for r in rets if r.tag == "CustomerRet"]
                if part.lookup and not isinstance(command, UpdateJob):
                    ours = marker(key).lower()
                    records = [r for r in records if (r.external_guid or "").lower() == ours]
                if isinstance(command, QueryCustomers):
                    records = [r for r in records if r.sublevel == 0]
                jobs = tuple(r.to_job() for r in records)
                if part.lookup and isinstance(command, UpdateJob):
                    jobs = tuple(j for j in jobs if _same_values(j, command.job))
                return CommandResult(idempotency_key=key, jobs=jobs)
            case CreateItem() | QueryItems():
                items = [read_item(r) for r in rets if r.tag.startswith("Item")]
                if part.lookup:
                    ours = marker(key).lower()
                    guids = {
                        fields.get("ListID"): (fields.get("ExternalGUID") or "").lower()
                        for fields in map(fields_of, rets)
                    }
                    items = [i for i in items if guids.get(i.id) == ours]
                return CommandResult(idempotency_key=key, items=tuple(items))
            case QueryAccounts():
                accounts = tuple(read_account(r) for r in rets if r.tag == "AccountRet")
                return CommandResult(idempotency_key=key, accounts=accounts)
            case QueryVendors():
                vendors = tuple(read_vendor(r) for r in rets if r.tag == "VendorRet")
                return CommandResult(idempotency_key=key, vendors=vendors)
            case QueryJobCosts():
                lines, elsewhere = self._job_costs(command, response)
                return CommandResult(idempotency_key=key, job_costs=lines, deleted_ids=elsewhere)
        raise DesktopError(f"no qbXML mapping for command {type(command).__name__}")

    @staticmethod
    def _job_costs(
        command: QueryJobCosts, response: Response
    ) -> tuple[tuple[JobCostLine, ...], tuple[str, ...]]:
        """The lines of ``command``'s jobs in one page, and (for a changes-only read) the
        transactions of the page that hold no line for them: a line recoded to another job
        leaves the transaction without one, and the lines known of it are gone."""
        source, sign = _SOURCES.get(response.request_type, (None, 1))
        if source is None:
            raise QbxmlParseError(f"{response.request_type} is not a job-cost query")
        wanted = frozenset(command.job_ids)
        lines: list[JobCostLine] = []
        elsewhere: list[str] = []
        for record in response.records:
            found = job_cost_lines(record, source=source, sign=sign, wanted=wanted)
            lines.extend(found)
            if not found and command.modified_since is not None:
                txn_id = fields_of(record).get("TxnID")
                if txn_id:
                    elsewhere.append(txn_id)
        return tuple(lines), tuple(elsewhere)

    @staticmethod
    def stream_job_costs(
        command: QueryJobCosts,
        message: str | bytes | Iterable[str | bytes],
        *,
        limits: XmlLimits = DEFAULT_LIMITS,
        gone: list[str] | None = None,
    ) -> Iterator[JobCostLine]:
        """The cost lines of the answers to ``command``'s queries in ``message`` (whole, or
        in chunks as it arrives), one transaction at a time: memory holds one record, however
        many lines the message has. A query QuickBooks refused raises its
        :class:`~procore_qb.quickbooks.desktop.errors.QuickBooksStatusError`.

        ``gone``, when given, receives as they are read the transactions whose known lines
        are gone: those ``TxnDeletedQuery`` reports deleted and, for a changes-only read
        (``modified_since``), those read that hold no line for the jobs any more (a line
        recoded to another job), as :meth:`read_page` reports them in ``deleted_ids``."""
        wanted = frozenset(command.job_ids)
        changes_only = command.modified_since is not None
        if isinstance(message, str | bytes):
            # A whole message in markup the scanner does not take is read by the reference.
            parsed = parse_response_message(message, max_bytes=limits.max_bytes)
            for response in parsed.responses:
                source, sign = _cost_source(response)
                for record in response.records:
                    if source is not None:
                        found = job_cost_lines(record, source=source, sign=sign, wanted=wanted)
                        if gone is not None and changes_only and not found:
                            _gone_txn(record, gone)
                        yield from found
                    elif gone is not None and record.tag == "TxnDeletedRet":
                        gone.append(read_deleted(record).id)
            return
        source = None
        deleted = False
        sign = 1
        for event in scan(message, limits=limits):
            if isinstance(event, RawRecord):
                if source is not None:
                    found = job_cost_lines(event, source=source, sign=sign, wanted=wanted)
                    if gone is not None and changes_only and not found:
                        _gone_txn(event, gone)
                    yield from found
                elif gone is not None and deleted and event.tag == "TxnDeletedRet":
                    gone.append(read_deleted(event).id)
            elif isinstance(event, ResponseHead):
                response = response_of(event.tag, event.attributes)
                source, sign = _cost_source(response)
                deleted = response.request_type == "TxnDeletedQuery"

    # ------------------------------------------------------------------ results

    def combine(
        self,
        command: Command,
        parts: Sequence[Part],
        partials: Sequence[Sequence[CommandResult]],
        *,
        as_of: datetime | None = None,
    ) -> CommandResult:
        """The command's result from the pages of each part (``partials[i]`` are the pages
        of ``parts[i]`` in order)."""
        key = command.idempotency_key
        if len(parts) != len(partials):
            raise DesktopError("combine needs one list of pages per part")
        if parts and parts[0].lookup:
            found = [p for p in partials[0] if p.error is None and (p.jobs or p.items)]
            refused = next((p for p in partials[0] if p.error is not None), None)
            write = [p for pages in partials[1:] for p in pages]
            write_error = next((p.error for p in write if p.error is not None), None)
            if found and (
                not write
                or write_error is not None
                or isinstance(command, CreateJob | CreateCustomer | CreateItem)
            ):
                hit = found[0]
                return CommandResult(idempotency_key=key, jobs=hit.jobs[:1], items=hit.items[:1])
            if write:
                return replace(write[-1], idempotency_key=key)
            if refused is not None:
                return replace(refused, idempotency_key=key)
            return CommandResult(
                idempotency_key=key,
                error=CommandError(code="no_answer", message="QuickBooks did not answer"),
            )
        every = [p for pages in partials for p in pages]
        for page in every:
            if page.error is not None:
                return page
        return CommandResult(
            idempotency_key=key,
            jobs=tuple(j for p in every for j in p.jobs),
            items=tuple(i for p in every for i in p.items),
            accounts=tuple(a for p in every for a in p.accounts),
            vendors=tuple(v for p in every for v in p.vendors),
            job_costs=tuple(c for p in every for c in p.job_costs),
            deleted_ids=tuple(d for p in every for d in p.deleted_ids),
            as_of=as_of if _is_query(command) else None,
        )


def _is_query(command: Command) -> bool:
    return isinstance(
        command,
        QueryJobs | QueryCustomers | QueryItems | QueryAccounts | QueryVendors | QueryJobCosts,
    )


def _account(list_id: str | None) -> Ref | None:
    return None if not list_id else Ref(list_id=list_id)


def _gone_txn(record: RawRecord, gone: list[str]) -> None:
    txn_id = fields_of(record).get("TxnID")
    if txn_id:
        gone.append(txn_id)


def _cost_source(response: Response) -> tuple[JobCostSource | None, int]:
    """The source and sign of the lines of a job-cost query's answer (None: no lines, as for
    the deleted-transactions query); a refusal raises it."""
    if not response.no_match:
        response.raise_for_status()
    source, sign = _SOURCES.get(response.request_type, (None, 1))
    if source is None and response.request_type != "TxnDeletedQuery":
        raise QbxmlParseError(f"{response.request_type} is not a job-cost query")
    return source, sign
