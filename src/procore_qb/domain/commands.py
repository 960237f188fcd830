"""What procore-qb asks of QuickBooks, as data.

Use cases never call QuickBooks. They record one of these commands in the ``qb_commands``
outbox in the same transaction as the state change that needs it. An edition driver executes
pending commands (Online at once, in batches; Desktop when the Web Connector polls) and hands
each outcome back as a :class:`CommandResult`.

Every command carries an ``idempotency_key``: the Online driver sends it as ``requestid``, the
Desktop driver as the ``requestID`` prefix and as the marker it looks up before re-issuing an
``Add`` whose response was lost. Commands round-trip through JSON (:func:`command_to_json`,
:func:`command_from_json`) because the outbox stores them as text.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple, TypeAlias

from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob

__all__ = [
    "AccountRecord",
    "Command",
    "CommandError",
    "CommandResult",
    "CreateCustomer",
    "CreateItem",
    "CreateJob",
    "ItemRecord",
    "JobCostLine",
    "JobCostSource",
    "QueryAccounts",
    "QueryCustomers",
    "QueryItems",
    "QueryJobCosts",
    "QueryJobs",
    "QueryVendors",
    "UpdateJob",
    "VendorRecord",
    "command_from_json",
    "command_to_json",
    "job_from_json",
    "job_to_json",
    "result_from_json",
    "result_to_json",
]

# A key is at most 36 characters: QuickBooks Online caps a ``requestid`` inside a batch at 36
# (https://blogs.intuit.com/blog/2015/04/06/15346/) and qbXML caps ``requestID`` at 50.
MAX_IDEMPOTENCY_KEY = 36


@dataclass(frozen=True, slots=True, kw_only=True)
class _Base:
    kind: ClassVar[str]
    idempotency_key: str

    def __post_init__(self) -> None:
        key = self.idempotency_key
        if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isascii():
            raise ValueError(
                f"idempotency_key must be 1-{MAX_IDEMPOTENCY_KEY} ASCII characters, got {key!r}"
            )


# ----------------------------------------------------------------------------- writes


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateCustomer(_Base):
    """Create a top-level customer (the "new customer" choice at accept time)."""

    kind: ClassVar[str] = "create_customer"
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateJob(_Base):
    """Create a job under ``job.parent_id`` / ``job.parent_full_name`` (or a top-level
    customer when neither is set)."""

    kind: ClassVar[str] = "create_job"
    job: QuickBooksJob


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateJob(_Base):
    """Update an existing job; ``job.id`` and ``job.version`` must be set (optimistic lock)."""

    kind: ClassVar[str] = "update_job"
    job: QuickBooksJob

    def __post_init__(self) -> None:
        _Base.__post_init__(self)
        if not self.job.id or not self.job.version:
            raise ValueError("UpdateJob needs the job's id and version (EditSequence/SyncToken)")


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateItem(_Base):
    """Create a service item used as a cost code."""

    kind: ClassVar[str] = "create_item"
    name: str
    description: str = ""
    income_account_id: str | None = None
    expense_account_id: str | None = None


# ----------------------------------------------------------------------------- reads


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryJobs(_Base):
    """All customers and jobs, or only those changed since ``modified_since`` (then deleted
    ones come back too, in :attr:`CommandResult.deleted_ids`)."""

    kind: ClassVar[str] = "query_jobs"
    modified_since: datetime | None = None
    include_inactive: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryCustomers(_Base):
    """Top-level customers only (the accept step's customer choice)."""

    kind: ClassVar[str] = "query_customers"
    include_inactive: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryItems(_Base):
    """Items usable as cost codes (service, other-charge and non-inventory)."""

    kind: ClassVar[str] = "query_items"
    modified_since: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryAccounts(_Base):
    """Income and expense accounts, for the account refs of new items."""

    kind: ClassVar[str] = "query_accounts"


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryVendors(_Base):
    kind: ClassVar[str] = "query_vendors"
    modified_since: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryJobCosts(_Base):
    """Cost lines coded to the given jobs (bills, checks, card charges, vendor credits,
    journal entries), optionally only those of transactions changed since ``modified_since``.

    The answer's ``job_costs`` hold every line of a transaction read that is coded to one of
    the jobs. Without ``modified_since`` (or with :attr:`CommandResult.full_read`) they are
    every such line QuickBooks has. With it, ``deleted_ids`` names the transactions deleted
    since then *and* the transactions read that hold no line for the jobs any more (a line
    moved to another job), so the lines known of them can be dropped."""

    kind: ClassVar[str] = "query_job_costs"
    job_ids: tuple[str, ...]
    modified_since: datetime | None = None


Command: TypeAlias = (
    CreateCustomer
    | CreateJob
    | UpdateJob
    | CreateItem
    | QueryJobs
    | QueryCustomers
    | QueryItems
    | QueryAccounts
    | QueryVendors
    | QueryJobCosts
)

_COMMANDS: dict[str, type[Any]] = {
    cls.kind: cls
    for cls in (
        CreateCustomer,
        CreateJob,
        UpdateJob,
        CreateItem,
        QueryJobs,
        QueryCustomers,
        QueryItems,
        QueryAccounts,
        QueryVendors,
        QueryJobCosts,
    )
}


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ItemRecord:
    id: str
    name: str
    full_name: str
    version: str
    item_type: str
    description: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class AccountRecord:
    id: str
    name: str
    full_name: str
    account_type: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class VendorRecord:
    id: str
    name: str
    version: str
    active: bool = True


class JobCostSource(enum.StrEnum):
    BILL = "bill"
    CHECK = "check"
    CREDIT_CARD_CHARGE = "credit_card_charge"
    CREDIT_CARD_CREDIT = "credit_card_credit"
    VENDOR_CREDIT = "vendor_credit"
    JOURNAL_ENTRY = "journal_entry"
    PURCHASE = "purchase"


class JobCostLine(NamedTuple):
    """One cost line coded to a job. ``amount`` is signed: credits reduce cost.

    ``memo`` is the line's own text (or the transaction's when the line has none);
    ``ref_number`` the transaction's number (RefNumber / DocNumber) and ``txn_memo`` the
    transaction's memo (Desktop ``Memo``, Online ``PrivateNote``), which carries procore-qb's
    marker on the bills procore-qb itself wrote.

    A named tuple (immutable, compared and hashed by value): the Desktop reader makes hundreds
    of thousands a second, and a tuple is made several times faster than a dataclass."""

    source: JobCostSource
    txn_id: str
    line_id: str
    txn_date: date
    job_id: str
    amount: Decimal
    item_id: str | None = None
    account_id: str | None = None
    vendor_name: str = ""
    memo: str = ""
    ref_number: str = ""
    txn_memo: str = ""


@dataclass(frozen=True, slots=True)
class CommandError:
    """QuickBooks' own refusal, kept verbatim so the user sees QuickBooks' words.

    ``code`` is the qbXML ``statusCode`` or the QBO ``Fault/Error/@code``.
    """

    code: str
    message: str
    retriable: bool = False


@dataclass(frozen=True, slots=True)
class CommandResult:
    """The outcome of one command. Exactly one of the payload fields is meaningful for a
    given command kind; ``error`` is set when QuickBooks refused it."""

    idempotency_key: str
    error: CommandError | None = None
    jobs: tuple[QuickBooksJob, ...] = ()
    items: tuple[ItemRecord, ...] = ()
    accounts: tuple[AccountRecord, ...] = ()
    vendors: tuple[VendorRecord, ...] = ()
    job_costs: tuple[JobCostLine, ...] = ()
    deleted_ids: tuple[str, ...] = ()
    as_of: datetime | None = field(default=None)
    full_read: bool = False
    """A read asked for changes only, but QuickBooks could only answer with everything (QuickBooks
    Online beyond its change-data-capture window or cap): deletions are not reported, and
    whatever the answer leaves out is gone."""

    @property
    def ok(self) -> bool:
        return self.error is None


# ----------------------------------------------------------------------------- JSON


def _encode(value: Any) -> Any:
    if isinstance(value, QuickBooksJob):
        return job_to_json(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    return value


def command_to_json(command: Command) -> dict[str, Any]:
    """A JSON-safe dict with a ``kind`` discriminator."""
    out: dict[str, Any] = {"kind": command.kind}
    for f in dataclasses.fields(command):
        out[f.name] = _encode(getattr(command, f.name))
    return out


def command_from_json(data: dict[str, Any]) -> Command:
    """Inverse of :func:`command_to_json`; raises ``ValueError`` on anything malformed."""
    kind = data.get("kind")
    cls = _COMMANDS.get(str(kind))
    if cls is None:
        raise ValueError(f"unknown QuickBooks command kind {kind!r}")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        raw = data[f.name]
        if f.name == "job":
            kwargs[f.name] = job_from_json(raw)
        elif f.name == "modified_since":
            kwargs[f.name] = None if raw is None else datetime.fromisoformat(raw)
        elif f.name == "job_ids":
            kwargs[f.name] = tuple(str(v) for v in raw)
        else:
            kwargs[f.name] = raw
    try:
        command: Command = cls(**kwargs)
    except TypeError as exc:
        raise ValueError(f"malformed {kind} command: {exc}") from exc
    return command


def job_to_json(job: QuickBooksJob) -> dict[str, Any]:
    return {
        "name": job.name,
        "full_name": job.full_name,
        "id": job.id,
        "version": job.version,
        "parent_id": job.parent_id,
        "parent_full_name": job.parent_full_name,
        "number": job.number,
        "address": dataclasses.asdict(job.address),
        "start_date": _encode(job.start_date),
        "projected_end_date": _encode(job.projected_end_date),
        "status": job.status.value,
        "active": job.active,
    }


def _date(raw: Any) -> date | None:
    return None if raw in (None, "") else date.fromisoformat(str(raw))


def job_from_json(data: dict[str, Any]) -> QuickBooksJob:
    return QuickBooksJob(
        name=str(data["name"]),
        full_name=str(data.get("full_name", "")),
        id=data.get("id"),
        version=data.get("version"),
        parent_id=data.get("parent_id"),
        parent_full_name=str(data.get("parent_full_name", "")),
        number=str(data.get("number", "")),
        address=JobAddress(**data.get("address", {})),
        start_date=_date(data.get("start_date")),
        projected_end_date=_date(data.get("projected_end_date")),
        status=JobStatus(data.get("status", JobStatus.NONE.value)),
        active=bool(data.get("active", True)),
    )


_RECORD_TYPES: dict[str, type[Any]] = {
    "items": ItemRecord,
    "accounts": AccountRecord,
    "vendors": VendorRecord,
}


def result_to_json(result: CommandResult) -> dict[str, Any]:
    """A JSON-safe dict for the outbox's ``result`` column."""
    out: dict[str, Any] = {"idempotency_key": result.idempotency_key}
    if result.error is not None:
        out["error"] = dataclasses.asdict(result.error)
    if result.jobs:
        out["jobs"] = [job_to_json(job) for job in result.jobs]
    for name in _RECORD_TYPES:
        records = getattr(result, name)
        if records:
            out[name] = [dataclasses.asdict(r) for r in records]
    if result.job_costs:
        out["job_costs"] = [
            {
                **line._asdict(),
                "source": line.source.value,
                "txn_date": line.txn_date.isoformat(),
                "amount": str(line.amount),
            }
            for line in result.job_costs
        ]
    if result.deleted_ids:
        out["deleted_ids"] = list(result.deleted_ids)
    if result.as_of is not None:
        out["as_of"] = _encode(result.as_of)
    if result.full_read:
        out["full_read"] = True
    return out


def result_from_json(data: dict[str, Any]) -> CommandResult:
    """Inverse of :func:`result_to_json`."""
    error = data.get("error")
    as_of = data.get("as_of")
    return CommandResult(
        idempotency_key=str(data["idempotency_key"]),
        error=None if error is None else CommandError(**error),
        jobs=tuple(job_from_json(j) for j in data.get("jobs", ())),
        items=tuple(ItemRecord(**r) for r in data.get("items", ())),
        accounts=tuple(AccountRecord(**r) for r in data.get("accounts", ())),
        vendors=tuple(VendorRecord(**r) for r in data.get("vendors", ())),
        job_costs=tuple(
            JobCostLine(
                **{
                    **line,
                    "source": JobCostSource(line["source"]),
                    "txn_date": date.fromisoformat(line["txn_date"]),
                    "amount": Decimal(line["amount"]),
                }
            )
            for line in data.get("job_costs", ())
        ),
        deleted_ids=tuple(str(i) for i in data.get("deleted_ids", ())),
        as_of=None if as_of is None else datetime.fromisoformat(as_of),
        full_read=bool(data.get("full_read", False)),
    )
