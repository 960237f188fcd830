"""The Online gateway: executes :mod:`procore_qb.domain.commands` against one realm at once.

Writes (create customer, create/update job, create item) go out in batch calls of at most 30
operations; each operation's answer becomes that command's :class:`CommandResult`, with
QuickBooks' own code and message when it refused. A job whose parent customer is created by
another command of the same call (a "new customer" accept) is sent in a later batch, once the
parent exists. Reads use paged queries, and one
ChangeDataCapture call for "changed since" reads of jobs, items, vendors and job costs (so
deletions come back too, in ``deleted_ids``).

Unknown outcomes: the client replays a write whose answer was lost with the same ``requestid``
(derived from the commands' idempotency keys), so QuickBooks answers as it did the first time.
A command whose outcome stayed unknown is reported retriable with code ``outcome_unknown``;
the outbox then flags it ``needs_lookup`` and the next run passes its key in ``look_up_first``:
the gateway looks the object up by its unique name before creating anything, never blindly
creating it a second time. What the look-up does not find is sent under a new ``requestid``:
QuickBooks replays failures too, so the old one would only repeat a refusal such as a
SystemFault that a retry is meant to get past.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from procore_qb.domain.commands import (
    Command,
    CommandError,
    CommandResult,
    CreateCustomer,
    CreateItem,
    CreateJob,
    JobCostLine,
    QueryAccounts,
    QueryCustomers,
    QueryItems,
    QueryJobCosts,
    QueryJobs,
    QueryVendors,
    UpdateJob,
)
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.quickbooks.online.batch import MAX_BATCH_ITEMS, BatchOperation, chunked, run_batch
from procore_qb.quickbooks.online.cdc import Changes, capture, changes_since
from procore_qb.quickbooks.online.client import QboClient
from procore_qb.quickbooks.online.errors import (
    OutcomeUnknown,
    QboAuthError,
    QboError,
    ReconnectRequired,
)
from procore_qb.quickbooks.online.read_ahead import read_ahead
from procore_qb.quickbooks.online.resources.accounts import AccountResource, account_record
from procore_qb.quickbooks.online.resources.bills import BillResource
from procore_qb.quickbooks.online.resources.customers import (
    CustomerResource,
    customer_body,
    customer_to_job,
    job_update_body,
)
from procore_qb.quickbooks.online.resources.items import (
    COST_CODE_TYPES,
    ItemResource,
    item_record,
    service_item_body,
)
from procore_qb.quickbooks.online.resources.journal_entries import JournalEntryResource
from procore_qb.quickbooks.online.resources.purchases import PurchaseResource
from procore_qb.quickbooks.online.resources.vendor_credits import VendorCreditResource
from procore_qb.quickbooks.online.resources.vendors import VendorResource, vendor_record

__all__ = [
    "OUTCOME_UNKNOWN",
    "RECONNECT_REQUIRED",
    "JobCostRead",
    "OnlineGateway",
    "command_error",
    "page_cost_lines",
]

OUTCOME_UNKNOWN = "outcome_unknown"
RECONNECT_REQUIRED = "reconnect_required"
Write = CreateCustomer | CreateJob | UpdateJob | CreateItem


def command_error(error: QboError) -> CommandError:
    """QuickBooks' refusal in the words it used (message, then detail)."""
    if isinstance(error, ReconnectRequired):
        return CommandError(RECONNECT_REQUIRED, str(error.message), retriable=True)
    if isinstance(error, OutcomeUnknown):
        return CommandError(OUTCOME_UNKNOWN, error.message, retriable=True)
    text = error.message
    if error.detail and error.detail != error.message:
        text = f"{text}: {error.detail}"
    code = error.code or (str(error.status) if error.status else type(error).__name__)
    return CommandError(code, text, retriable=error.retriable or isinstance(error, QboAuthError))


@dataclass(frozen=True, slots=True)
class _Planned:
    command: Write
    operation: BatchOperation


class OnlineGateway:
    def __init__(
        self,
        client: QboClient,
        *,
        batch_size: int = MAX_BATCH_ITEMS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not 1 <= batch_size <= MAX_BATCH_ITEMS:
            raise ValueError(f"batch_size must be 1-{MAX_BATCH_ITEMS}")
        self.client = client
        self.batch_size = batch_size
        self._clock = clock
        self.customers = CustomerResource(client)
        self.items = ItemResource(client)
        self.accounts = AccountResource(client)
        self.vendors = VendorResource(client)
        self.bills = BillResource(client)
        self.purchases = PurchaseResource(client)
        self.vendor_credits = VendorCreditResource(client)
        self.journal_entries = JournalEntryResource(client)

    def company_name(self) -> str:
        """The connected company's name (``GET /companyinfo/{realmId}``): one cheap read that
        proves the tokens and the realm work."""
        info = self.client.read("CompanyInfo", self.client.realm_id)
        return str(info.get("CompanyName") or info.get("LegalName") or "")

    def execute(
        self, commands: Sequence[Command], *, look_up_first: Collection[str] = ()
    ) -> list[CommandResult]:
        """One result per command, in the order given."""
        results: dict[str, CommandResult] = {}
        writes: list[Write] = []
        stop: QboAuthError | None = None
        for command in commands:
            if isinstance(command, CreateCustomer | CreateJob | UpdateJob | CreateItem):
                writes.append(command)
                continue
            if stop is not None:
                results[command.idempotency_key] = self._failed(command.idempotency_key, stop)
                continue
            try:
                results[command.idempotency_key] = self._read(command)
            except QboAuthError as exc:
                stop = exc
                results[command.idempotency_key] = self._failed(command.idempotency_key, exc)
            except QboError as exc:
                results[command.idempotency_key] = self._failed(command.idempotency_key, exc)
        results.update(self._write(writes, set(look_up_first), stop))
        return [results[c.idempotency_key] for c in commands]

    @staticmethod
    def _failed(key: str, error: QboError) -> CommandResult:
        return CommandResult(idempotency_key=key, error=command_error(error))

    # ------------------------------------------------------------------ writes

    def _write(
        self, writes: Sequence[Write], look_up_first: set[str], stop: QboAuthError | None
    ) -> dict[str, CommandResult]:
        """Send the writes in waves: a job whose parent (by full name) is created by another
        command of this call goes in a later wave, since a batch item cannot see what an
        earlier item of the same batch created (spec §A.8) and the parent's Id is needed."""
        results: dict[str, CommandResult] = {}
        retry = f"retry {uuid.uuid4().hex}"
        waiting = list(writes)
        while waiting:
            wave, waiting = _next_wave(waiting)
            done, stop = self._write_wave(wave, look_up_first, stop, retry)
            results.update(done)
        return results

    def _write_wave(
        self,
        writes: Sequence[Write],
        look_up_first: set[str],
        stop: QboAuthError | None,
        retry: str,
    ) -> tuple[dict[str, CommandResult], QboAuthError | None]:
        results: dict[str, CommandResult] = {}
        planned: list[_Planned] = []
        for command in writes:
            key = command.idempotency_key
            if stop is not None:
                results[key] = self._failed(key, stop)
                continue
            try:
                found = self._existing(command) if key in look_up_first else None
                if found is not None:
                    results[key] = found
                    continue
                operation = self._operation(command, len(planned))
            except QboAuthError as exc:
                stop = exc
                results[key] = self._failed(key, exc)
                continue
            except QboError as exc:
                results[key] = self._failed(key, exc)
                continue
            except ValueError as exc:
                results[key] = CommandResult(key, error=CommandError("invalid", str(exc)))
                continue
            planned.append(_Planned(command, operation))
        for chunk in chunked(planned, self.batch_size):
            keys = [p.command.idempotency_key for p in chunk]
            if stop is not None:
                results.update({k: self._failed(k, stop) for k in keys})
                continue
            # Renumber bIds per call (at most 10 characters each with a requestid).
            ops = [
                BatchOperation(
                    bid=f"b{i}",
                    entity=p.operation.entity,
                    operation=p.operation.operation,
                    body=p.operation.body,
                )
                for i, p in enumerate(chunk)
            ]
            # A command sent before (flagged for look-up) that the look-up did not find was
            # not applied, or QuickBooks refused it; its old requestid would only replay that
            # answer (spec §A.10), so such a batch goes out under a new one.
            request_keys = [*keys, retry] if look_up_first.intersection(keys) else keys
            try:
                answers = run_batch(self.client, ops, keys=request_keys, max_items=self.batch_size)
            except QboAuthError as exc:
                stop = exc
                results.update({k: self._failed(k, exc) for k in keys})
                continue
            except QboError as exc:
                results.update({k: self._failed(k, exc) for k in keys})
                continue
            for op, p in zip(ops, chunk, strict=True):
                answer = answers[op.bid]
                key = p.command.idempotency_key
                if answer.error is not None:
                    results[key] = self._failed(key, answer.error)
                else:
                    results[key] = self._written(p.command, answer.entity or {})
        return results, stop

    def _operation(self, command: Write, index: int) -> BatchOperation:
        bid = f"b{index}"
        if isinstance(command, CreateCustomer):
            body = customer_body(QuickBooksJob(name=command.name))
            return BatchOperation(bid, "Customer", "create", body)
        if isinstance(command, CreateJob):
            job = command.job
            if job.parent_id is None and job.parent_full_name:
                parent = self.customers.find_by_full_name(job.parent_full_name)
                if parent is None:
                    raise ValueError(
                        f"the parent customer {job.parent_full_name!r} does not exist in "
                        "QuickBooks Online; create it first or choose another customer"
                    )
                job = _with_parent(job, str(parent["Id"]))
            return BatchOperation(bid, "Customer", "create", customer_body(job))
        if isinstance(command, UpdateJob):
            return BatchOperation(
                bid, "Customer", "update", job_update_body(command.job) | {"sparse": True}
            )
        body = service_item_body(
            command.name,
            description=command.description,
            income_account_id=command.income_account_id,
            expense_account_id=command.expense_account_id,
        )
        return BatchOperation(bid, "Item", "create", body)

    def _existing(self, command: Write) -> CommandResult | None:
        """For a command whose earlier outcome is unknown: the object it already made, if any.

        A create is found by its unique name, and only counts when it sits where the command
        put it (same parent); an update counts as done when the object already carries every
        field the update sets. Otherwise the command is sent: a real duplicate then gets
        QuickBooks' 6240 and a real conflict its 5010, never a second object.
        """
        key = command.idempotency_key
        if isinstance(command, CreateCustomer | CreateJob):
            job = (
                QuickBooksJob(name=command.name)
                if isinstance(command, CreateCustomer)
                else command.job
            )
            found = self.customers.find_by_display_name(job.name)
            if found is None:
                return None
            made = customer_to_job(found)
            wanted_parent = job.parent_id
            if wanted_parent is None and job.parent_full_name:
                wanted_parent = (
                    made.parent_id if made.parent_full_name == job.parent_full_name else ""
                )
            if made.parent_id != wanted_parent:
                return None
            return CommandResult(key, jobs=(made,))
        if isinstance(command, CreateItem):
            item = self.items.find_by_name(command.name)
            return None if item is None else CommandResult(key, items=(item_record(item),))
        current = self.customers.get(str(command.job.id))
        if str(current.get("SyncToken")) == command.job.version:
            return None  # not applied yet
        body = job_update_body(command.job)
        applied = all(
            _contains(current.get(name), value)
            for name, value in body.items()
            if name not in ("Id", "SyncToken")
        )
        return CommandResult(key, jobs=(customer_to_job(current),)) if applied else None

    def _written(self, command: Write, entity: dict[str, Any]) -> CommandResult:
        key = command.idempotency_key
        if isinstance(command, CreateItem):
            return CommandResult(key, items=(item_record(entity),))
        return CommandResult(key, jobs=(customer_to_job(entity),))

    # ------------------------------------------------------------------ reads

    def _read(self, command: Command) -> CommandResult:
        key = command.idempotency_key
        if isinstance(command, QueryJobs):
            if command.modified_since is not None:
                changes = changes_since(
                    self.client, ["Customer"], command.modified_since, clock=self._clock
                )
                jobs = tuple(customer_to_job(c) for c in changes.changed.get("Customer", ()))
                if not command.include_inactive and changes.full_read:
                    jobs = tuple(j for j in jobs if j.active)
                return CommandResult(
                    key,
                    jobs=jobs,
                    deleted_ids=tuple(changes.deleted.get("Customer", ())),
                    as_of=changes.as_of,
                )
            # One batch call reads up to 30,000 customers and jobs (30 pages of 1,000).
            rows = self.customers.all_in_batches(
                request_key=f"read-{uuid.uuid4().hex[:20]}",
                include_inactive=command.include_inactive,
            )
            jobs = tuple(customer_to_job(c) for c in rows)
            return CommandResult(key, jobs=jobs, as_of=self.client.last_server_time)
        if isinstance(command, QueryCustomers):
            rows = self.customers.top_level(include_inactive=command.include_inactive)
            jobs = tuple(customer_to_job(c) for c in rows)
            return CommandResult(key, jobs=jobs, as_of=self.client.last_server_time)
        if isinstance(command, QueryItems):
            if command.modified_since is not None:
                changes = self._changes("Item", command.modified_since)
                items = tuple(
                    item_record(i)
                    for i in changes.changed["Item"]
                    if i.get("Type") in COST_CODE_TYPES
                )
                return CommandResult(
                    key, items=items, deleted_ids=_deleted(changes, "Item"), as_of=changes.as_of
                )
            items = tuple(item_record(i) for i in self.items.cost_codes())
            return CommandResult(key, items=items, as_of=self.client.last_server_time)
        if isinstance(command, QueryAccounts):
            accounts = tuple(account_record(a) for a in self.accounts.income_and_expense())
            return CommandResult(key, accounts=accounts, as_of=self.client.last_server_time)
        if isinstance(command, QueryVendors):
            if command.modified_since is not None:
                changes = self._changes("Vendor", command.modified_since)
                return CommandResult(
                    key,
                    vendors=tuple(vendor_record(v) for v in changes.changed["Vendor"]),
                    deleted_ids=_deleted(changes, "Vendor"),
                    as_of=changes.as_of,
                )
            vendors = tuple(vendor_record(v) for v in self.vendors.all())
            return CommandResult(key, vendors=vendors, as_of=self.client.last_server_time)
        if isinstance(command, QueryJobCosts):
            return self._job_costs(command)
        raise TypeError(f"not a read command: {type(command).__name__}")

    def _changes(self, entity: str, since: datetime) -> Changes:
        return changes_since(self.client, [entity], since, clock=self._clock)

    def _job_costs(self, command: QueryJobCosts) -> CommandResult:
        """Every cost line of the jobs; with ``modified_since``, the lines of transactions
        changed since then (one CDC call for the four entities) and, in ``deleted_ids``, the
        transactions deleted since then and those changed that hold no line for the jobs any
        more (QuickBooks Online transaction ids are unique across transaction types). When CDC
        had to fall back to reading everything, the answer says ``full_read``."""
        read = self.stream_job_costs(command)
        lines = tuple(read)
        return CommandResult(
            command.idempotency_key,
            job_costs=lines,
            deleted_ids=read.deleted_ids,
            as_of=read.as_of,
            full_read=read.full_read and command.modified_since is not None,
        )

    def stream_job_costs(self, command: QueryJobCosts) -> JobCostRead:
        """The cost lines of the jobs as they are read: one query page (at most 1,000
        transactions, spec §A.6) or one CDC answer (at most 1,000 objects, §A.7) is held at a
        time, whatever the number of lines."""
        return JobCostRead(self, command)


class JobCostRead:
    """An iterator of the cost lines of a :class:`QueryJobCosts`, page by page.

    Once it is used up, ``deleted_ids`` holds the transactions deleted since
    ``modified_since`` and those changed since then that hold no line for the jobs any more (a
    line recoded to another job; a CDC read), ``full_read`` says every transaction was read (no
    ``modified_since``, beyond the CDC window, or more changes than one CDC answer holds: the
    caller treats lines it knows that were not read again as gone), and ``as_of`` is the
    watermark of the read (QuickBooks' time of its first answer)."""

    def __init__(self, gateway: OnlineGateway, command: QueryJobCosts) -> None:
        self._gateway = gateway
        self._command = command
        self.deleted_ids: tuple[str, ...] = ()
        self.full_read = command.modified_since is None
        self.as_of: datetime | None = None
        self.calls = 0

    def __iter__(self) -> Iterator[JobCostLine]:
        gateway, command = self._gateway, self._command
        client = gateway.client
        before = client.calls
        wanted = frozenset(command.job_ids)
        resources: dict[str, BillResource | PurchaseResource | VendorCreditResource
                        | JournalEntryResource] = {
            r.ENTITY: r
            for r in (gateway.bills, gateway.purchases, gateway.vendor_credits,
                      gateway.journal_entries)
        }  # fmt: skip
        try:
            if command.modified_since is not None:
                changes = capture(
                    client, list(resources), command.modified_since, clock=gateway._clock
                )
                if changes is not None and not changes.full_read:
                    self.as_of = changes.as_of
                    gone = [d for entity in resources for d in changes.deleted.get(entity, ())]
                    self.deleted_ids = tuple(gone)
                    for entity, resource in resources.items():
                        for txn in changes.changed.get(entity, ()):
                            found = resource.cost_lines(txn, wanted)
                            if not found and txn.get("Id") is not None:
                                gone.append(str(txn["Id"]))
                            yield from found
                    self.deleted_ids = tuple(gone)
                    return
                self.full_read = True
                if changes is not None:
                    self.as_of = changes.as_of
            for resource, page, served in read_ahead(_pages(client, resources.values())):
                if self.as_of is None:
                    self.as_of = served
                yield from page_cost_lines(resource, page, wanted)
            if self.as_of is None:
                self.as_of = client.last_server_time
        finally:
            self.calls = client.calls - before


_CostResource = BillResource | PurchaseResource | VendorCreditResource | JournalEntryResource


def _pages(
    client: QboClient, resources: Iterable[_CostResource]
) -> Iterator[tuple[_CostResource, list[dict[str, Any]], datetime | None]]:
    """Every page of every resource's transactions in ``Id`` order, each with QuickBooks'
    time of its answer."""
    for resource in resources:
        for page in client.query_pages(resource.query().order_by("Id")):
            yield resource, page, client.last_server_time


def page_cost_lines(
    resource: BillResource | PurchaseResource | VendorCreditResource | JournalEntryResource,
    page: Iterable[Mapping[str, Any]],
    wanted: Container[str],
) -> list[JobCostLine]:
    """The cost lines of ``wanted`` jobs in one page of ``resource``'s transactions."""
    lines: list[JobCostLine] = []
    read = resource.cost_lines
    for txn in page:
        lines += read(txn, wanted)
    return lines


def _created_full_name(command: Write) -> str | None:
    """The full name a create command makes (``None`` for updates and items)."""
    if isinstance(command, CreateCustomer):
        return command.name
    if isinstance(command, CreateJob):
        job = command.job
        if job.parent_full_name:
            return f"{job.parent_full_name}:{job.name}"
        return job.full_name or (None if job.parent_id else job.name)
    return None


def _next_wave(writes: Sequence[Write]) -> tuple[list[Write], list[Write]]:
    """Split ``writes`` into those that can go now and the jobs waiting for a parent that
    another of ``writes`` creates (by full name). Always makes progress: the parents of the
    waiting jobs are in the first part unless they wait themselves, which a chain of full
    names cannot do forever."""
    made = {name for c in writes if (name := _created_full_name(c)) is not None}
    now: list[Write] = []
    later: list[Write] = []
    for command in writes:
        if (
            isinstance(command, CreateJob)
            and command.job.parent_id is None
            and command.job.parent_full_name
            and command.job.parent_full_name in made
        ):
            later.append(command)
        else:
            now.append(command)
    if not now:  # cannot happen with distinct full names; never loop
        return later, []
    return now, later


def _deleted(changes: Changes, entity: str) -> tuple[str, ...]:
    return tuple(changes.deleted.get(entity, ()))


def _contains(actual: Any, wanted: Any) -> bool:
    """Whether ``actual`` (from QuickBooks) already carries ``wanted`` (what we sent)."""
    if isinstance(wanted, dict):
        return isinstance(actual, dict) and all(
            _contains(actual.get(k), v) for k, v in wanted.items()
        )
    if isinstance(wanted, bool) or actual is None:
        return bool(actual == wanted)
    return str(actual) == str(wanted)


def _with_parent(job: QuickBooksJob, parent_id: str) -> QuickBooksJob:
    return replace(job, parent_id=parent_id)
