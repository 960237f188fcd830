"""Job cost syncing: QuickBooks costs coded to a synced project's job reach its Procore budget
(spec procore-workflow §2.6 "Enable Job Cost Transaction Syncing on a Procore Project", §3.8).

**Turning it on.** Per project, once the project is synced with a QuickBooks job, someone with
'Admin' on the project's Admin tool turns job cost syncing on or off (:func:`set_job_cost_sync`;
Procore's own switch is in the project's Admin tool, [S25]). procore-qb also sets Procore's
project configuration ``erp_job_cost_transaction_syncing_enabled`` (spec procore-api §2.5);
Procore offers it only when the company's ERP connection enables job cost transactions, and
when it does not, syncing works all the same and the answer says why Procore's flag is unset.

**Reading.** A read is one ``QueryJobCosts`` command in the outbox for the jobs of the projects
(:func:`record_reads`), recorded in the transaction that asked for it: at once on *sync now*
(:func:`request_sync`), on a schedule (every two hours by default, :func:`request_due_syncs`),
and when syncing is turned on. The first read of a project reads everything; later ones only
what changed since the last answer (QuickBooks Online: change data capture; Desktop:
modified-date queries and ``TxnDeletedQuery``), from a little before it, since QuickBooks
Desktop stamps changes with its own clock. A project waits for at most one read at a time.

**Applying the answer** (:func:`apply_job_cost_result`, through :mod:`procore_qb.app.results`,
in the transaction that stores the answer): :func:`ingest` takes the lines as an iterator of
batches and keeps them in ``job_cost_lines`` batch by batch, set-based, so its memory does not
grow with the number of lines. A changed line becomes *dirty* (keeping its cost code when its
item and account are the same); a line read again unchanged keeps its cost code and what
Procore was told, so nothing is written for it again; a line no longer in QuickBooks
(deleted, recoded to another job, or left out of a full read) is marked *removed*; a void is a
change to zero. Lines of bills procore-qb itself wrote carry its marker and are *excluded*. The
same transaction enqueues the Procore write of each project.

**Writing to Procore** (:func:`push_job_costs`, the ``procore-job-costs`` task, on the company's
lock): it walks the dirty lines in pages of at most :data:`PAGE_SIZE`, placing each line read
since the last write on a project cost code (its item; or its account, through the company's
account-to-cost-code table) or keeping it *not mapped* with the reason, the place stored with
the page's settlement (when what places lines changed, every line placed before is placed
again first, and those whose place changed are written again). Each page's transactions go
out as direct costs and their lines as direct cost line items through Procore's sync
endpoints (one call each per page; ``origin_id`` ``"<job id>|<transaction id>"`` and
``"…|<line id>"``), and lines gone from QuickBooks leave Procore (their line item, or the
whole direct cost). Last, the job-to-date cost per cost code goes to Procore's ERP job costs
(matched by cost code and cost type) after making sure each cost code with costs has a budget
line (looked up by cost code and cost type first: Procore's create is a POST). With the
company's budget direct cost columns set to "Editable, Do Not Populate" no direct costs are
written, only the job-to-date costs. Then the budget lines and direct cost lines the project
has on another cost type than 'Other' are kept with the write
(:mod:`procore_qb.app.cost_type_checks`), for the Job Costs report: the budget lines from the
write's own read of the budget (every cost type, read once) and the lines it created, the
direct cost lines from one more read, of the lines on the other cost types.

Nothing is written twice: every write is an upsert Procore matches by ``origin_id`` or by its
natural key, a page is marked *sent* before it goes out, and a line is settled only at the
version it was read at. After a crash anywhere the next run repeats at most the page in flight,
which updates what the lost answer had created.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app import cost_type_checks
from procore_qb.app.actors import Actor, permissions, require
from procore_qb.app.company import CompanySettings, load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import NotFound, UpstreamError
from procore_qb.app.export import QBO_DRAIN_TASK
from procore_qb.app.rules import PROJECT_JOB
from procore_qb.domain.commands import CommandResult, JobCostLine, JobCostSource, QueryJobCosts
from procore_qb.domain.cost_types import CostType
from procore_qb.domain.job_costs import (
    CostCodeMap,
    DirectCostColumns,
    MappingReason,
    created_by_procore_qb,
    direct_cost_origin_id,
    direct_cost_type,
    line_origin_id,
    map_line,
    to_cents,
)
from procore_qb.domain.permissions import Action, check, missing_for
from procore_qb.domain.problems import Problem, RuleCode, ensure_no_problems
from procore_qb.domain.project import ProcoreProject
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.procore.errors import ProcoreError, ValidationFailed
from procore_qb.procore.gateway import (
    BudgetLine,
    BudgetRow,
    DirectCostEntry,
    DirectCostLine,
    JobToDate,
    ProcoreGateway,
)
from procore_qb.procore.sync import MAX_SYNC_BATCH, SyncResult
from procore_qb.store.models import JobCostProject, QbCommand
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.job_costs import JobCosts, LineRow
from procore_qb.store.repositories.links import RecordLinks
from procore_qb.store.repositories.outbox import Outbox

__all__ = [
    "INGEST_BATCH",
    "JOB_COSTS_SUBJECT",
    "OVERLAP",
    "PAGE_SIZE",
    "PUSH_TASK",
    "TICK_TASK",
    "CostCodeRow",
    "IngestSummary",
    "JobCostSyncState",
    "JobCostsView",
    "LineView",
    "PushReport",
    "SyncRequested",
    "apply_job_cost_chunk",
    "apply_job_cost_result",
    "batches",
    "ingest",
    "job_cost_state",
    "job_cost_switch",
    "job_costs_view",
    "line_view",
    "push_job_costs",
    "read_mark",
    "record_reads",
    "request_due_syncs",
    "request_sync",
    "set_job_cost_sync",
]

log = logging.getLogger(__name__)

JOB_COSTS_SUBJECT = "job_costs"
"""``qb_commands.subject_type`` of a job cost read (its jobs are in the command)."""
PUSH_TASK = "procore-job-costs"
TICK_TASK = "job-costs-tick"
PAGE_SIZE = 1000
"""Lines per page of the Procore write: Procore's sync endpoints take at most 1,000 items."""
INGEST_BATCH = 1000
"""Lines per batch when an answer held in memory is applied."""
OVERLAP = timedelta(minutes=10)
"""A changes-only read starts this long before the last answer's time (QuickBooks Desktop
stamps changes with its own clock); reading a line twice changes nothing."""
MAX_PER_PAGE = 500

_SOURCE_LABELS = {
    JobCostSource.BILL: "Bill",
    JobCostSource.CHECK: "Check",
    JobCostSource.CREDIT_CARD_CHARGE: "Credit card charge",
    JobCostSource.CREDIT_CARD_CREDIT: "Credit card credit",
    JobCostSource.VENDOR_CREDIT: "Vendor credit",
    JobCostSource.JOURNAL_ENTRY: "Journal entry",
    JobCostSource.PURCHASE: "Expense",
}
_MAX_ID = 64
"""Longest QuickBooks id kept (Desktop ids are at most 36 characters, Online ids are numbers)."""


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class JobCostSyncState:
    """A project's job cost syncing, as the API answers it."""

    project_id: int
    enabled: bool
    job_id: str
    changed_at: datetime | None
    changed_by: str
    procore_configured: bool | None
    """Procore's ``erp_job_cost_transaction_syncing_enabled`` as last set; None when Procore
    does not offer it for this company."""
    procore_note: str = ""
    pending_command: str | None = None
    requested_at: datetime | None = None
    read_at: datetime | None = None
    pushed_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class SyncRequested:
    project_id: int
    command: str | None
    """The read recorded (or the one already waiting)."""
    already_waiting: bool
    waiting_for: str


@dataclass
class IngestSummary:
    lines: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    refused: int = 0
    refused_examples: list[str] = field(default_factory=list)


@dataclass
class PushReport:
    mapped: int = 0
    not_mapped: int = 0
    lines_written: int = 0
    lines_refused: int = 0
    lines_deleted: int = 0
    direct_costs_deleted: int = 0
    pages: int = 0
    budget_lines_created: int = 0
    cost_codes_written: int = 0
    procore_calls: int = 0
    skipped: str | None = None


# ----------------------------------------------------------------------------- helpers


def _audit(
    ctx: AppContext,
    session: Session,
    action: str,
    actor: str,
    project_id: int | str,
    detail: dict[str, Any],
) -> None:
    AuditLog(session).append(
        at=ctx.now(),
        actor=actor,
        action=action,
        company_id=ctx.company_id,
        subject_type="project",
        subject_id=project_id,
        detail=detail,
    )


def _waiting_for(ctx: AppContext) -> str:
    if ctx.edition is QuickBooksEdition.DESKTOP:
        return "the QuickBooks Web Connector's next run"
    return "QuickBooks Online"


_NOT_OFFERED = (
    "Procore does not offer its own 'ERP job cost transaction syncing' switch for this "
    "company (the ERP connection does not enable job cost transactions); procore-qb syncs "
    "the job costs all the same."
)


def _state(row: JobCostProject, note: str = "") -> JobCostSyncState:
    if not note and row.enabled and row.procore_configured is None:
        note = _NOT_OFFERED
    return JobCostSyncState(
        project_id=row.procore_project_id,
        enabled=row.enabled,
        job_id=row.qb_job_id,
        changed_at=row.changed_at,
        changed_by=row.changed_by,
        procore_configured=row.procore_configured,
        procore_note=note,
        pending_command=row.pending_command,
        requested_at=row.requested_at,
        read_at=row.read_at,
        pushed_at=row.pushed_at,
        last_error=row.last_error,
    )


def _not_synced(project_id: int) -> Problem:
    return Problem(
        RuleCode.PROJECT_NOT_SYNCED,
        f"Project {project_id} is not synced with a QuickBooks job: job cost syncing works on "
        "synced projects only. Send it to ERP and have it accepted, or add or link its "
        "QuickBooks job from Ready to Import, first.",
    )


# ----------------------------------------------------------------------------- turning it on


def set_job_cost_sync(
    ctx: AppContext, actor: Actor, project_id: int, enabled: bool
) -> JobCostSyncState:
    """Turn job cost syncing of a synced project on or off (project Admin tool 'Admin').

    Turning it on sets Procore's per-project configuration and records the first read of the
    job's costs in the same transaction as the change."""
    require(ctx, actor, Action.ENABLE_JOB_COST_SYNC, project_id=project_id)
    with ctx.sessions.begin() as session:
        link = RecordLinks(session).by_procore(ctx.company_id, PROJECT_JOB, project_id)
        current = JobCosts(session).project(ctx.company_id, project_id)
        if link is None and (enabled or current is None):
            ensure_no_problems([_not_synced(project_id)])
        job_id = link.qb_id if link is not None else (current.qb_job_id if current else "")
        unchanged = (
            current is not None and current.enabled == enabled and current.qb_job_id == job_id
        )
        if unchanged and current is not None and current.procore_configured is not None:
            return _state(current)
    # Also when nothing changed here but Procore did not take its switch last time: it may
    # offer it now.
    configured, note = _configure_procore(ctx, project_id, enabled)
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        row = repo.set_project(
            ctx.company_id,
            project_id,
            qb_job_id=job_id,
            enabled=enabled,
            by=actor.label,
            now=ctx.now(),
        )
        row.procore_configured = configured
        key = None
        if unchanged:
            return _state(row, note)
        row.pending_command = None  # a read asked for before is not waited for again
        if enabled:
            row.last_error = None
            keys = record_reads(ctx, session, [row], reason="job cost syncing turned on")
            key = keys[0] if keys else None
        _audit(
            ctx,
            session,
            "job_cost_sync_enabled" if enabled else "job_cost_sync_disabled",
            actor.label,
            project_id,
            {
                "job_id": job_id,
                "procore_configured": configured,
                "procore_note": note,
                "command": key,
            },
        )
        return _state(row, note)


def _configure_procore(ctx: AppContext, project_id: int, enabled: bool) -> tuple[bool | None, str]:
    """Set Procore's per-project flag; (None, why) when Procore does not offer it here."""
    try:
        ctx.procore().set_job_cost_transaction_syncing(project_id, enabled)
    except ValidationFailed as exc:
        return None, (
            "Procore did not switch on its own 'ERP job cost transaction syncing' for this "
            f"project ({exc}); procore-qb syncs the job costs all the same. Procore offers "
            "the switch when the company's ERP connection enables job cost transactions."
        )
    except ProcoreError as exc:
        raise UpstreamError(
            f"Procore refused the job cost configuration of project {project_id}: {exc}"
        ) from exc
    return enabled, ""


def job_cost_state(ctx: AppContext, actor: Actor, project_id: int) -> JobCostSyncState:
    require(ctx, actor, Action.VIEW_JOB_COSTS)
    with ctx.sessions.begin() as session:
        row = JobCosts(session).project(ctx.company_id, project_id)
        if row is None:
            raise NotFound(f"project {project_id} never had job cost syncing")
        return _state(row)


def job_cost_switch(ctx: AppContext, actor: Actor, project_id: int) -> JobCostSyncState | None:
    """The project's job cost syncing as its switch shows it (None: never turned on), for
    whoever may turn it on ('Admin' on the project's Admin tool) or read the job costs."""
    perms = permissions(ctx, actor, project_id=project_id)
    if missing_for(perms, Action.VIEW_JOB_COSTS):
        check(perms, Action.ENABLE_JOB_COST_SYNC, project_id=project_id)
    with ctx.sessions.begin() as session:
        row = JobCosts(session).project(ctx.company_id, project_id)
        return None if row is None else _state(row)


# ----------------------------------------------------------------------------- reading


def record_reads(
    ctx: AppContext, session: Session, projects: Sequence[JobCostProject], *, reason: str
) -> list[str]:
    """Record the reads of ``projects``' job costs in the caller's transaction: one for the
    projects never read (everything) and one for the others (changes since the earliest of
    their last answers). Projects already waiting for a read are left out. Returns the keys."""
    _forget_finished_reads(ctx, session, projects)
    waiting = [p for p in projects if p.enabled and p.pending_command is None]
    groups: list[tuple[list[JobCostProject], datetime | None]] = []
    never = [p for p in waiting if p.watermark is None]
    since = [p for p in waiting if p.watermark is not None]
    if never:
        groups.append((never, None))
    if since:
        earliest = min(p.watermark for p in since if p.watermark is not None)
        groups.append((since, earliest - OVERLAP))
    keys: list[str] = []
    now = ctx.now()
    outbox = Outbox(session)
    for members, modified_since in groups:
        key = f"jc{uuid.uuid4().hex[:24]}"
        outbox.record(
            ctx.company_id,
            QueryJobCosts(
                idempotency_key=key,
                job_ids=tuple(sorted({p.qb_job_id for p in members})),
                modified_since=modified_since,
            ),
            now=now,
            subject_type=JOB_COSTS_SUBJECT,
            subject_id=members[0].procore_project_id if len(members) == 1 else None,
        )
        for member in members:
            member.pending_command = key
            member.requested_at = now
        keys.append(key)
        _audit(
            ctx,
            session,
            "job_costs_read_requested",
            "system",
            members[0].procore_project_id if len(members) == 1 else "",
            {
                "reason": reason,
                "command": key,
                "projects": [m.procore_project_id for m in members],
                "since": modified_since.isoformat() if modified_since else None,
            },
        )
    if keys and ctx.edition is QuickBooksEdition.ONLINE:
        ctx.queue.enqueue(session, QBO_DRAIN_TASK, {"company_id": ctx.company_id}, lock=ctx.lock)
    session.flush()
    return keys


def _forget_finished_reads(
    ctx: AppContext, session: Session, projects: Sequence[JobCostProject]
) -> None:
    """A project waits only for a read still in the outbox's queue: one that finished without
    reaching it (it was off when the answer came) no longer holds it back."""
    keys = {p.pending_command for p in projects if p.pending_command}
    if not keys:
        return
    open_keys = set(
        session.scalars(
            sa.select(QbCommand.idempotency_key).where(
                QbCommand.company_id == ctx.company_id,
                QbCommand.idempotency_key.in_(sorted(keys)),
                QbCommand.state.in_(("pending", "in_flight")),
            )
        )
    )
    for project in projects:
        if project.pending_command and project.pending_command not in open_keys:
            project.pending_command = None


def request_sync(ctx: AppContext, actor: Actor | None, project_id: int) -> SyncRequested:
    """*Update Job Costs* for one project now (ERP Integrations 'Admin', [S27]): read its
    QuickBooks costs (or keep the read already waiting); the answer's transaction enqueues
    the Procore write, so one request is one write, with what the read found (and with
    whatever changed in Procore meanwhile, such as a cost code added). Only when lines are
    already waiting for Procore (a write that has not happened yet, or that failed) is a
    write enqueued at once as well: that work does not wait for QuickBooks, which may be a
    Web Connector run hours away. The read, the write and the audit entry commit together."""
    if actor is not None:
        require(ctx, actor, Action.SYNC_JOB_COSTS)
    with ctx.sessions.begin() as session:
        row = JobCosts(session).project(ctx.company_id, project_id)
        if row is None or not row.enabled:
            ensure_no_problems(
                [
                    Problem(
                        RuleCode.JOB_COST_SYNC_OFF,
                        f"Job cost syncing is off for project {project_id}: turn it on first "
                        f"(POST /api/v1/projects/{project_id}/job-cost-sync with "
                        '{"enabled": true}).',
                    )
                ]
            )
        assert row is not None  # noqa: S101 - ensure_no_problems raised otherwise
        _forget_finished_reads(ctx, session, [row])
        waiting = row.pending_command
        keys = [] if waiting else record_reads(ctx, session, [row], reason="sync now")
        write_now = JobCosts(session).has_dirty(ctx.company_id, project_id)
        if write_now:
            ctx.queue.enqueue(session, PUSH_TASK, {"project_id": project_id}, lock=ctx.lock)
        _audit(
            ctx,
            session,
            "job_costs_sync_requested",
            actor.label if actor else "system",
            project_id,
            {
                "command": waiting or (keys[0] if keys else None),
                "already_waiting": bool(waiting),
                "write_now": write_now,
            },
        )
        return SyncRequested(
            project_id, waiting or (keys[0] if keys else None), bool(waiting), _waiting_for(ctx)
        )


def request_due_syncs(ctx: AppContext) -> list[str]:
    """The schedule: read the projects whose last read is older than the company's job cost
    schedule. Returns the keys recorded."""
    with ctx.sessions.begin() as session:
        every = load_settings(session, ctx.company_id).job_cost_schedule.every
        if every is None:
            return []
        now = ctx.now()
        due = [
            p
            for p in JobCosts(session).enabled_projects(ctx.company_id)
            if p.requested_at is None or now - p.requested_at >= every
        ]
        if not due:
            return []
        return record_reads(ctx, session, due, reason="schedule")


# ----------------------------------------------------------------------------- applying answers


def batches(
    lines: Iterable[JobCostLine], size: int = INGEST_BATCH
) -> Iterator[Sequence[JobCostLine]]:
    """``lines`` in batches of at most ``size``."""
    batch: list[JobCostLine] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def read_mark(row: QbCommand) -> str:
    """What the lines of one attempt of the read ``row`` are marked with: the command's key
    and its attempt, so lines seen by an earlier attempt that died are not taken as seen."""
    return f"{row.idempotency_key}.{row.attempts % 1_000_000}"[:36]


def apply_job_cost_chunk(
    ctx: AppContext, session: Session, row: QbCommand, chunk: CommandResult
) -> IngestSummary:
    """One chunk of a read as it streams in (a query page, a CDC answer, a qbXML iterator
    page), in the transaction that also records how far the read got: its lines are kept,
    and the transactions in ``chunk.deleted_ids`` (deleted, or holding no line for the jobs
    any more) lose theirs. The read is finished by :func:`apply_job_cost_result` with the
    answer's remainder, which then knows every line the read saw by its mark."""
    command = Outbox.command(row)
    if not isinstance(command, QueryJobCosts):
        log.info("job cost chunk %s is not for a job cost read", row.idempotency_key)
        return IngestSummary()
    projects = JobCosts(session).projects_for_jobs(ctx.company_id, command.job_ids)
    summary = IngestSummary()
    _keep_lines(ctx, session, projects, batches(chunk.job_costs), read_mark(row), summary)
    _remove_txns(ctx, session, projects, chunk.deleted_ids, summary)
    return summary


def apply_job_cost_result(
    ctx: AppContext, session: Session, row: QbCommand, result: CommandResult
) -> IngestSummary:
    """QuickBooks' answer to a job cost read, in the transaction that stores it. When the read
    was streamed, the answer holds only what was left after its chunks
    (:func:`apply_job_cost_chunk`)."""
    command = Outbox.command(row)
    if not isinstance(command, QueryJobCosts):
        log.info("job cost answer %s is not a job cost read", row.idempotency_key)
        return IngestSummary()
    projects = JobCosts(session).projects_for_jobs(ctx.company_id, command.job_ids)
    if result.error is not None:
        message = f"{result.error.message} (QuickBooks error {result.error.code})"
        for project in projects:
            if project.pending_command == row.idempotency_key:
                project.pending_command = None
            project.last_error = message
            _audit(
                ctx,
                session,
                "job_costs_read_failed",
                "QuickBooks",
                project.procore_project_id,
                {"command": row.idempotency_key, "error": message},
            )
        return IngestSummary()
    return ingest(
        ctx,
        session,
        projects=projects,
        lines=batches(result.job_costs),
        gone_txn_ids=result.deleted_ids,
        full=command.modified_since is None or result.full_read,
        read_key=row.idempotency_key,
        mark=read_mark(row),
        as_of=result.as_of,
    )


def _bounded_id(value: str | None, name: str) -> str | None:
    if not value:
        return None
    if len(value) > _MAX_ID or not value.isprintable():
        raise ValueError(f"{name} {value[:40]!r} is not a QuickBooks id")
    return value


def _row(line: JobCostLine) -> dict[str, Any]:
    """A line read as the store keeps it (excluded, or not placeable, decided here)."""
    status, reason, message = "pending", None, None
    try:
        cents = to_cents(line.amount)
    except ValueError as exc:
        cents, status = 0, "not_mapped"
        reason = MappingReason.AMOUNT_OUT_OF_RANGE.value
        message = f"QuickBooks sent an amount procore-qb does not take: {exc}."
    if status == "pending" and created_by_procore_qb(line.txn_memo):
        status = "excluded"
        reason = MappingReason.CREATED_BY_PROCORE_QB.value
        message = (
            "procore-qb wrote this transaction from a Procore record (its memo carries "
            "procore-qb's marker): Procore already has the cost, so it is not imported again."
        )
    return {
        "txn_id": _bounded_id(line.txn_id, "transaction id"),
        "line_id": _bounded_id(line.line_id, "line id") or "0",
        "job_id": _bounded_id(line.job_id, "job id"),
        "source": line.source.value,
        "txn_date": line.txn_date,
        "ref_number": line.ref_number[:64],
        "vendor_name": line.vendor_name[:255],
        "memo": line.memo[:4095],
        "item_id": _bounded_id(line.item_id, "item id"),
        "account_id": _bounded_id(line.account_id, "account id"),
        "amount_cents": cents,
        "status": status,
        "reason": reason,
        "message": message,
    }


def _keep_lines(
    ctx: AppContext,
    session: Session,
    projects: Sequence[JobCostProject],
    lines: Iterable[Sequence[JobCostLine]],
    mark: str,
    summary: IngestSummary,
) -> None:
    repo = JobCosts(session)
    by_job = {p.qb_job_id: p for p in projects}
    now = ctx.now()
    for batch in lines:
        summary.lines += len(batch)
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for line in batch:
            project = by_job.get(line.job_id)
            if project is None:
                continue
            try:
                grouped[project.procore_project_id].append(_row(line))
            except ValueError as exc:
                summary.refused += 1
                if len(summary.refused_examples) < 5:
                    summary.refused_examples.append(str(exc))
        for project_id, rows in grouped.items():
            added, changed = repo.upsert_lines(
                ctx.company_id, project_id, rows, read_key=mark, now=now
            )
            summary.added += added
            summary.changed += changed


def _remove_txns(
    ctx: AppContext,
    session: Session,
    projects: Sequence[JobCostProject],
    txn_ids: Iterable[str],
    summary: IngestSummary,
) -> None:
    repo = JobCosts(session)
    project_ids = [p.procore_project_id for p in projects]
    now = ctx.now()
    gone: list[str] = []
    for txn_id in txn_ids:
        gone.append(str(txn_id))
        if len(gone) >= INGEST_BATCH:
            summary.removed += repo.remove_txns(ctx.company_id, project_ids, gone, now)
            gone = []
    if gone:
        summary.removed += repo.remove_txns(ctx.company_id, project_ids, gone, now)


def ingest(
    ctx: AppContext,
    session: Session,
    *,
    projects: Sequence[JobCostProject],
    lines: Iterable[Sequence[JobCostLine]],
    gone_txn_ids: Iterable[str] = (),
    full: bool,
    read_key: str,
    as_of: datetime | None,
    mark: str | None = None,
) -> IngestSummary:
    """Keep one read's lines for ``projects``, a batch at a time, in ``session``'s transaction.

    ``lines`` is an iterator of batches (a streaming reader hands its pages in as they come);
    ``gone_txn_ids`` the transactions that hold no line for the jobs any more; ``full``: the
    read holds every line of the jobs, so anything it left out is gone. ``mark`` (default
    ``read_key``) is what the lines the read saw carry, including those of chunks kept before
    (:func:`apply_job_cost_chunk`). Enqueues each project's Procore write."""
    summary = IngestSummary()
    mark = read_key if mark is None else mark
    repo = JobCosts(session)
    now = ctx.now()
    _keep_lines(ctx, session, projects, lines, mark, summary)
    project_ids = [p.procore_project_id for p in projects]
    if full:
        summary.removed += repo.remove_unseen(ctx.company_id, project_ids, mark, now)
    else:
        summary.removed += repo.remove_unseen_of_read_txns(ctx.company_id, project_ids, mark, now)
    _remove_txns(ctx, session, projects, gone_txn_ids, summary)
    seen = repo.count_marked(ctx.company_id, project_ids, mark)
    for project in projects:
        if project.pending_command == read_key:
            project.pending_command = None
        if as_of is not None and (project.watermark is None or as_of > project.watermark):
            project.watermark = as_of
        project.read_at = now
        project.last_error = None
        _audit(
            ctx,
            session,
            "job_costs_read",
            "QuickBooks",
            project.procore_project_id,
            {
                "command": read_key,
                "full": full,
                "lines": max(summary.lines, seen),
                "added": summary.added,
                "changed": summary.changed,
                "removed": summary.removed,
                "refused": summary.refused,
                "refused_examples": summary.refused_examples,
            },
        )
        ctx.queue.enqueue(
            session, PUSH_TASK, {"project_id": project.procore_project_id}, lock=ctx.lock
        )
    session.flush()
    return summary


# ----------------------------------------------------------------------------- writing


@dataclass(frozen=True, slots=True)
class _Target:
    """What one Procore write of a project needs to know."""

    project: ProcoreProject
    job_id: str
    cost_type_id: int
    cost_types: tuple[CostType, ...]
    """The company's cost types, as read for this write (the cost type check uses them too)."""
    cost_codes: CostCodeMap
    columns: DirectCostColumns


def _cost_code_map(
    gateway: ProcoreGateway, project: ProcoreProject, job_id: str, settings: CompanySettings
) -> CostCodeMap:
    by_code = {c.full_code.casefold(): c.id for c in project.cost_codes}
    by_item: dict[str, int] = {}
    # A cost code exported with its project carries "<job id>|<item id>" (writeback).
    for code in project.cost_codes:
        job, _, item = (code.origin_id or "").rpartition("|")
        if job == job_id and item:
            by_item[item] = code.id
    # A cost code copied from the QuickBooks list is its standard cost code, which carries
    # the item id as origin_id (setup), matched by code.
    list_id = settings.quickbooks_cost_code_list_id or project.standard_cost_code_list_id
    if list_id is not None:
        for standard in gateway.standard_cost_codes(list_id):
            found = by_code.get(standard.full_code.casefold())
            if standard.origin_id and found is not None:
                by_item.setdefault(standard.origin_id, found)
    return CostCodeMap(
        by_item=by_item, account_codes=dict(settings.job_cost_account_cost_codes), by_code=by_code
    )


def _target(ctx: AppContext, gateway: ProcoreGateway, project_id: int, job_id: str) -> _Target:
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
    project = gateway.project(project_id)
    types = tuple(gateway.cost_types())
    return _Target(
        project=project,
        job_id=job_id,
        cost_type_id=gateway.cost_type_id(types),
        cost_types=types,
        cost_codes=_cost_code_map(gateway, project, job_id, settings),
        columns=settings.budget_direct_cost_columns,
    )


def push_job_costs(ctx: AppContext, project_id: int, *, page_size: int | None = None) -> PushReport:
    """Bring Procore in line with the lines kept for ``project_id`` (the ``procore-job-costs``
    task), in pages of ``page_size`` lines (default :data:`PAGE_SIZE`). Idempotent: run it
    again at any point and it finishes what is left."""
    page_size = PAGE_SIZE if page_size is None else page_size
    if not 1 <= page_size <= MAX_SYNC_BATCH:
        raise ValueError(f"page_size must be 1-{MAX_SYNC_BATCH} (Procore's sync cap)")
    report = PushReport()
    with ctx.sessions.begin() as session:
        row = JobCosts(session).project(ctx.company_id, project_id)
        link = RecordLinks(session).by_procore(ctx.company_id, PROJECT_JOB, project_id)
        if row is None or not row.enabled:
            report.skipped = "job cost syncing is off"
            return report
        if link is None or link.qb_id != row.qb_job_id:
            row.last_error = (
                "the project is no longer synced with QuickBooks job "
                f"{row.qb_job_id}; job costs are not written"
            )
            report.skipped = row.last_error
            return report
        job_id = row.qb_job_id
        fingerprint = row.map_fingerprint
    gateway = ctx.procore()
    calls = gateway.client.calls
    try:
        target = _target(ctx, gateway, project_id, job_id)
        placer = _Placer(target.cost_codes)
        _map_lines(ctx, target, placer, project_id, fingerprint, page_size, report)
        _write_lines(ctx, gateway, target, placer, project_id, page_size, report)
        errors, budget = _write_totals(ctx, gateway, target, project_id, report)
        cost_types = cost_type_checks.read_check(
            gateway,
            project_id,
            target.project.cost_codes,
            cost_types=target.cost_types,
            budget=budget,
        )
    except ProcoreError as exc:
        message = f"Procore refused the job costs of project {project_id}: {exc}"
        with ctx.sessions.begin() as session:
            failed = JobCosts(session).project(ctx.company_id, project_id)
            if failed is not None:
                failed.last_error = message
            _audit(
                ctx, session, "job_costs_write_failed", "procore-qb", project_id, {"error": message}
            )
        raise UpstreamError(message) from exc
    report.procore_calls = gateway.client.calls - calls
    with ctx.sessions.begin() as session:
        done = JobCosts(session).project(ctx.company_id, project_id)
        if done is not None:
            done.pushed_at = ctx.now()
            done.last_error = "; ".join(errors)[:4000] or None
        cost_type_checks.save_check(session, ctx.company_id, project_id, cost_types, ctx.now())
        _audit(
            ctx,
            session,
            "job_costs_written",
            "procore-qb",
            project_id,
            {
                "mapped": report.mapped,
                "not_mapped": report.not_mapped,
                "lines_written": report.lines_written,
                "lines_refused": report.lines_refused,
                "lines_deleted": report.lines_deleted,
                "direct_costs_deleted": report.direct_costs_deleted,
                "budget_lines_created": report.budget_lines_created,
                "cost_codes_written": report.cost_codes_written,
                "errors": errors[:5],
            },
        )
    return report


class _Placer:
    """Where lines go on this write's cost codes: each item/account pair placed once."""

    def __init__(self, cost_codes: CostCodeMap) -> None:
        self._cost_codes = cost_codes
        self._places: dict[
            tuple[str | None, str | None], tuple[str, int | None, str | None, str | None]
        ] = {}

    def __call__(
        self, item_id: str | None, account_id: str | None
    ) -> tuple[str, int | None, str | None, str | None]:
        """(status, cost_code_id, reason, message) of a line on ``item_id`` / ``account_id``."""
        place = self._places.get((item_id, account_id))
        if place is None:
            placed = map_line(item_id, account_id, self._cost_codes)
            place = (
                "mapped" if placed.mapped else "not_mapped",
                placed.cost_code_id,
                placed.reason.value if placed.reason else None,
                placed.message or None,
            )
            self._places[(item_id, account_id)] = place
        return place


def _map_lines(
    ctx: AppContext,
    target: _Target,
    placer: _Placer,
    project_id: int,
    fingerprint: str | None,
    page_size: int,
    report: PushReport,
) -> None:
    """When what places lines changed (the project's cost codes, the QuickBooks list, the
    account table), place again every line placed before; a line whose place changes is
    written again. Lines read since the last write (``pending``) are placed as they are
    written (:func:`_write_lines`)."""
    current = target.cost_codes.fingerprint()
    if current == fingerprint:
        return
    out_of_range = MappingReason.AMOUNT_OUT_OF_RANGE.value
    after = 0
    while True:
        with ctx.sessions.begin() as session:
            repo = JobCosts(session)
            rows = repo.placing_page(
                ctx.company_id,
                project_id,
                after_id=after,
                limit=page_size,
                statuses=("mapped", "not_mapped"),
            )
            changes: list[tuple[int, int, str, int | None, str | None, str | None]] = []
            for line_id, version, item_id, account_id, status, cost_code_id, reason in rows:
                if reason == out_of_range:
                    continue
                place = placer(item_id, account_id)
                if place[1] is not None:
                    report.mapped += 1
                else:
                    report.not_mapped += 1
                if (status, cost_code_id, reason) == place[:3]:
                    continue
                changes.append((line_id, version, *place))
            repo.place_many(changes)
            if not rows:
                saved = repo.project(ctx.company_id, project_id)
                if saved is not None:
                    saved.map_fingerprint = current
                return
        after = rows[-1][0]


def _placement(row: LineRow) -> dict[str, Any]:
    return {
        "status": row.status,
        "cost_code_id": row.cost_code_id,
        "reason": row.reason,
        "message": row.message,
    }


def _write_lines(
    ctx: AppContext,
    gateway: ProcoreGateway,
    target: _Target,
    placer: _Placer,
    project_id: int,
    page_size: int,
    report: PushReport,
) -> None:
    """Walk the dirty lines in pages: lines gone (or no longer on a cost code) leave Procore,
    the others are written as direct costs (unless the budget's direct cost columns are
    editable).

    One page's write is in flight while the next page is read, placed and marked sent, so
    procore-qb's work on a page overlaps Procore's on the page before. Procore still gets one
    call at a time: a page's write is sent once the one before has its answer, and lines
    leave Procore only once no write is in flight."""
    write = target.columns is DirectCostColumns.READ_ONLY
    after = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="procore-write") as writer:
        in_flight: _InFlight | None = None
        while True:
            with ctx.sessions.begin() as session:
                rows = JobCosts(session).page(
                    ctx.company_id, project_id, after_id=after, limit=page_size, dirty=True
                )
            if not rows:
                break
            after = rows[-1].id
            report.pages += 1
            # Lines read since the last write are placed here; their place is stored with
            # what becomes of them (settled after the write, or with their retirement).
            placed: set[int] = set()
            for n, row in enumerate(rows):
                if row.status == "pending" and not row.removed:
                    status, cost_code_id, reason, message = placer(row.item_id, row.account_id)
                    rows[n] = row._replace(
                        status=status, cost_code_id=cost_code_id, reason=reason, message=message
                    )
                    placed.add(row.id)
                    if cost_code_id is not None:
                        report.mapped += 1
                    else:
                        report.not_mapped += 1
            retire = [r for r in rows if r.removed or r.status != "mapped"]
            unsent = [r for r in retire if _never_sent(r)]
            if unsent:
                _settle_unsent(ctx, unsent, placed)
            if len(unsent) < len(retire):
                # Lines Procore may hold leave it once no write is in flight.
                _land(ctx, target, in_flight, report)
                in_flight = None
                quiet = {r.id for r in unsent}
                retire = [r for r in retire if r.id not in quiet]
                _retire(ctx, gateway, target, placer, project_id, retire, placed, report)
            upsert = [r for r in rows if not r.removed and r.status == "mapped"]
            if write and upsert:
                page = _prepare(ctx, target, upsert, placed)
                landing = in_flight
                answer = landing.answer.result() if landing is not None else None
                in_flight = _InFlight(
                    page, writer.submit(gateway.write_direct_costs, project_id, page.entries)
                )
                if landing is not None and answer is not None:
                    _settle(ctx, target, landing.page, answer, report)
            elif upsert and placed:
                with ctx.sessions.begin() as session:
                    JobCosts(session).place_many(
                        [
                            (r.id, r.version, r.status, r.cost_code_id, r.reason, r.message)
                            for r in upsert
                            if r.id in placed
                        ]
                    )
        _land(ctx, target, in_flight, report)


def _never_sent(row: LineRow) -> bool:
    """Procore never held the line: never sent, no Procore id."""
    return not row.sent and row.procore_line_id is None and row.procore_direct_cost_id is None


def _settle_unsent(ctx: AppContext, rows: Sequence[LineRow], placed: set[int]) -> None:
    """Lines gone from QuickBooks, or not on a cost code, that Procore never held: nothing
    to ask Procore, they are only settled (or deleted, when gone)."""
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        repo.delete_lines([(r.id, r.version) for r in rows if r.removed])
        repo.settle_many(
            [
                (
                    r.id,
                    r.version,
                    {
                        "dirty": False,
                        "push_error": None,
                        **(_placement(r) if r.id in placed else {}),
                    },
                )
                for r in rows
                if not r.removed
            ]
        )


def _retire(
    ctx: AppContext,
    gateway: ProcoreGateway,
    target: _Target,
    placer: _Placer,
    project_id: int,
    rows: Sequence[LineRow],
    placed: set[int],
    report: PushReport,
) -> None:
    """Take lines that are gone from QuickBooks, or no longer on a cost code, out of Procore:
    the whole direct cost when its transaction keeps no line there, else the line item. What
    may be in Procore without its id known (a write whose answer was lost) is looked up by
    ``origin_id`` first. Lines Procore never held are :func:`_settle_unsent`'s, not these."""
    job = target.job_id
    txns = sorted({r.txn_id for r in rows})
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        live = repo.live_txns(ctx.company_id, project_id, txns)
        # Lines not placed yet keep their transaction in Procore when they go on a cost code.
        for txn_id, item_id, account_id in repo.pending_of_txns(ctx.company_id, project_id, txns):
            if placer(item_id, account_id)[1] is not None:
                live.add(txn_id)
        known = repo.direct_cost_ids(ctx.company_id, project_id, txns)
    unknown = [t for t in txns if t not in known and any(r.sent for r in rows if r.txn_id == t)]
    if unknown:
        found = gateway.find_direct_costs(
            project_id, [direct_cost_origin_id(job, t) for t in unknown]
        )
        for txn_id in unknown:
            direct_cost_id = found.get(direct_cost_origin_id(job, txn_id))
            if direct_cost_id is not None:
                known[txn_id] = direct_cost_id
    line_ids: dict[str, int] = {}
    for txn_id in txns:
        if txn_id in live and txn_id in known:
            needing = [
                r for r in rows if r.txn_id == txn_id and r.procore_line_id is None and r.sent
            ]
            if needing:
                line_ids.update(gateway.direct_cost_line_ids(project_id, known[txn_id]))
    gone_costs: set[str] = set()
    for txn_id in txns:
        if txn_id in live or txn_id not in known:
            continue
        if gateway.delete_direct_cost(project_id, known[txn_id]):
            report.direct_costs_deleted += 1
        gone_costs.add(txn_id)
    deleted_lines: set[int] = set()
    for row in rows:
        if row.txn_id in gone_costs or row.txn_id not in known:
            continue
        line_id = row.procore_line_id or line_ids.get(line_origin_id(job, row.txn_id, row.line_id))
        if line_id is not None:
            if gateway.delete_direct_cost_line(project_id, known[row.txn_id], line_id):
                report.lines_deleted += 1
            deleted_lines.add(row.id)
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        for txn_id in gone_costs:
            repo.forget_direct_cost(ctx.company_id, project_id, txn_id)
        repo.delete_lines([(row.id, row.version) for row in rows if row.removed])
        changes: list[tuple[int, int, dict[str, Any]]] = []
        for row in rows:
            if row.removed:
                continue
            values: dict[str, Any] = {"dirty": False, "push_error": None}
            if row.id in placed:
                values.update(_placement(row))
            if row.txn_id in gone_costs or row.id in deleted_lines or not row.sent:
                values.update(procore_line_id=None, sent=False)
            if row.txn_id in gone_costs:
                values["procore_direct_cost_id"] = None
            changes.append((row.id, row.version, values))
        repo.settle_many(changes)


def _describe(row: LineRow) -> str:
    label = _SOURCE_LABELS.get(JobCostSource(row.source), row.source)
    parts = [f"QuickBooks {label}", row.ref_number, row.vendor_name]
    return " ".join(p for p in parts if p)[:255]


@dataclass(frozen=True)
class _Page:
    """A page of lines on their way to Procore as direct costs, marked sent."""

    rows: Sequence[LineRow]
    placed: set[int]
    entries: list[DirectCostEntry]


@dataclass(frozen=True)
class _InFlight:
    page: _Page
    answer: Future[tuple[SyncResult, SyncResult]]


def _land(
    ctx: AppContext, target: _Target, in_flight: _InFlight | None, report: PushReport
) -> None:
    """Wait for the write in flight, if any, and settle its page."""
    if in_flight is not None:
        _settle(ctx, target, in_flight.page, in_flight.answer.result(), report)


def _prepare(ctx: AppContext, target: _Target, rows: Sequence[LineRow], placed: set[int]) -> _Page:
    """One page of lines as direct costs for one ``direct_costs/sync`` call (the headers) and
    one ``direct_costs/line_items/sync`` call (the lines), both upserts by ``origin_id``;
    the lines are marked sent in the store first."""
    job = target.job_id
    grouped: dict[str, list[LineRow]] = defaultdict(list)
    for row in rows:
        grouped[row.txn_id].append(row)
    entries = [
        DirectCostEntry(
            origin_id=direct_cost_origin_id(job, txn_id),
            direct_cost_date=lines[0].txn_date,
            lines=tuple(
                DirectCostLine(
                    cost_code_id=int(line.cost_code_id or 0),
                    line_item_type_id=target.cost_type_id,
                    amount=Decimal(line.amount_cents) / 100,
                    description=(line.memo or "")[:255],
                    origin_id=line_origin_id(job, txn_id, line.line_id),
                )
                for line in lines
            ),
            direct_cost_type=direct_cost_type(JobCostSource(lines[0].source)),
            invoice_number=lines[0].ref_number,
            description=_describe(lines[0]),
        )
        for txn_id, lines in grouped.items()
    ]
    # Marked sent before the write: if its answer is lost, the next run knows Procore may
    # hold these and looks them up rather than guessing.
    with ctx.sessions.begin() as session:
        JobCosts(session).mark_sent([r.id for r in rows])
    return _Page(rows=rows, placed=placed, entries=entries)


def _settle(
    ctx: AppContext,
    target: _Target,
    page: _Page,
    answer: tuple[SyncResult, SyncResult],
    report: PushReport,
) -> None:
    """Keep what Procore answered for a page: each line it took is settled with its Procore
    ids, each line it refused keeps Procore's reason."""
    job = target.job_id
    headers, written = answer
    cost_ids = headers.ids_by_origin(what="direct cost")
    line_ids = written.ids_by_origin(what="direct cost line item")
    header_errors = {str(e.item.get("origin_id")): e.message for e in headers.errors}
    line_errors = {str(e.item.get("origin_id")): e.message for e in written.errors}
    changes: list[tuple[int, int, dict[str, Any]]] = []
    settled: list[tuple[int, int, int, int | None, int]] = []
    for row in page.rows:
        origin = line_origin_id(job, row.txn_id, row.line_id)
        procore_line = line_ids.get(origin)
        if procore_line is not None:
            cost_origin = direct_cost_origin_id(job, row.txn_id)
            settled.append(
                (
                    row.id,
                    row.version,
                    procore_line,
                    cost_ids.get(cost_origin, row.procore_direct_cost_id),
                    int(row.cost_code_id or 0),
                )
            )
            continue
        cost_origin = direct_cost_origin_id(job, row.txn_id)
        error = (
            line_errors.get(origin)
            or header_errors.get(cost_origin)
            or "Procore did not say what became of this line"
        )
        values: dict[str, Any] = {"push_error": f"Procore refused it: {error}"[:4000]}
        if row.id in page.placed:
            values.update(_placement(row))
        changes.append((row.id, row.version, values))
        report.lines_refused += 1
    report.lines_written += len(settled)
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        repo.settle_written(settled)
        repo.settle_many(changes)


def _write_totals(
    ctx: AppContext, gateway: ProcoreGateway, target: _Target, project_id: int, report: PushReport
) -> tuple[list[str], list[BudgetRow]]:
    """The job-to-date cost per cost code: a budget line for each cost code with costs (found
    by cost code and cost type, created when missing), then Procore's ERP job costs for every
    cost code whose figure differs from the one Procore last got (zero for one whose costs
    went away). A cost code Procore never got a figure for holds none there: it is written
    once it has costs, never as a zero. Returns the errors Procore answered, and the
    project's whole budget: read once, on every cost type, with the lines created here
    added from Procore's answers (the cost type check lists those on other cost types).

    Each figure is marked sent (no figure, the time) before it goes out: if the answer is
    lost, Procore may hold it, so the next write sends the figure whatever it is."""
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        sums = {s.cost_code_id: s for s in repo.sums(ctx.company_id, project_id)}
        written = {
            cc: (t.written_cents, t.written_at)
            for cc, t in repo.totals(ctx.company_id, project_id).items()
        }
    codes = {c.id: c for c in target.project.cost_codes}
    other = target.cost_type_id
    rows = gateway.budget_rows(project_id)
    budget = {r.cost_code_id: r for r in rows if r.line_item_type_id == other}
    missing = [cc for cc in sorted(sums) if cc in codes and cc not in budget]
    if missing:
        before = len(budget)
        known = {r.id for r in rows}
        made_rows = gateway.add_budget_lines(
            project_id,
            [BudgetLine(cost_code_id=cc, line_item_type_id=other) for cc in missing],
            budget=rows,
        )
        for made in made_rows:
            budget[made.cost_code_id] = made
        rows = [*rows, *(m for m in made_rows if m.id not in known)]
        report.budget_lines_created += len(budget) - before
    figures: list[JobToDate] = []
    for cc in sorted(set(sums) | set(written)):
        if cc not in codes:
            continue
        cents = sums[cc].cents if cc in sums else 0
        last, last_at = written.get(cc, (None, None))
        # No figure and no time: never sent, Procore holds none (as good as a zero). No
        # figure with a time: sent without its answer seen, Procore's figure is unknown.
        if (last is not None or last_at is None) and (last or 0) == cents:
            continue
        figures.append(JobToDate(cc, other, Decimal(cents) / 100))
    errors: list[str] = []
    refused: set[int] = set()
    now = ctx.now()
    if figures:
        with ctx.sessions.begin() as session:
            repo = JobCosts(session)
            for figure in figures:
                named = codes[figure.cost_code_id]
                repo.save_total(
                    ctx.company_id,
                    project_id,
                    figure.cost_code_id,
                    code=named.full_code[:255],
                    name=named.name[:255],
                    written_cents=None,
                    written_at=now,
                )
        result = gateway.write_job_to_date(target.job_id, figures)
        for error in result.errors:
            code = error.item.get("cost_code_id")
            if isinstance(code, int):
                refused.add(code)
            errors.append(f"ERP job cost of cost code {code}: {error.message}")
        report.cost_codes_written += len(figures) - len(refused)
    sent = {f.cost_code_id for f in figures}
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        for cc in sorted(codes):
            code = codes[cc]
            values: dict[str, Any] = {"code": code.full_code[:255], "name": code.name[:255]}
            row = budget.get(cc)
            if row is not None:
                values["budget_line_item_id"] = row.id
                try:
                    values["budget_cents"] = to_cents(row.original_budget_amount)
                except ValueError:
                    values["budget_cents"] = None
            if cc in refused:
                # Procore kept what it had: what it last got stands.
                values["written_cents"], values["written_at"] = written.get(cc, (None, None))
            elif cc in sent:
                values["written_cents"] = sums[cc].cents if cc in sums else 0
                values["written_at"] = now
            repo.save_total(ctx.company_id, project_id, cc, **values)
    return errors, rows


# ----------------------------------------------------------------------------- the read model


@dataclass(frozen=True, slots=True)
class CostCodeRow:
    cost_code_id: int
    code: str
    name: str
    budget: Decimal | None
    job_to_date_cost: Decimal
    variance: Decimal | None
    """Budget minus job-to-date cost (None without a budget line)."""
    transactions: int
    lines: int
    written_to_procore: Decimal | None
    """The job-to-date cost Procore holds (None when never written, or when the answer to
    the last write of it was not seen)."""
    written_at: datetime | None = None
    """When that figure was written to Procore."""


@dataclass(frozen=True, slots=True)
class LineView:
    source: str
    txn_id: str
    line_id: str
    txn_date: date
    ref_number: str
    vendor_name: str
    memo: str
    item_id: str | None
    account_id: str | None
    amount: Decimal
    status: str
    cost_code_id: int | None
    reason: str | None
    message: str | None
    in_procore: bool
    procore_direct_cost_id: int | None
    push_error: str | None


@dataclass(frozen=True, slots=True)
class JobCostsView:
    """What the Job Costs page and ``GET /projects/{id}/job-costs`` show."""

    state: JobCostSyncState
    budget_direct_cost_columns: DirectCostColumns
    cost_codes: list[CostCodeRow]
    budget_total: Decimal
    job_to_date_total: Decimal
    counts: dict[str, int]
    transactions: list[LineView]
    transactions_total: int
    not_mapped: list[LineView]
    not_mapped_total: int
    page: int
    per_page: int
    waiting_for: str | None


def line_view(row: LineRow) -> LineView:
    """A stored line as people read it (amount in currency units)."""
    return LineView(
        source=row.source,
        txn_id=row.txn_id,
        line_id=row.line_id,
        txn_date=row.txn_date,
        ref_number=row.ref_number,
        vendor_name=row.vendor_name,
        memo=row.memo,
        item_id=row.item_id,
        account_id=row.account_id,
        amount=Decimal(row.amount_cents) / 100,
        status=row.status,
        cost_code_id=row.cost_code_id,
        reason=row.reason,
        message=row.message,
        in_procore=row.procore_line_id is not None,
        procore_direct_cost_id=row.procore_direct_cost_id,
        push_error=row.push_error,
    )


def _money(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def job_costs_view(
    ctx: AppContext,
    actor: Actor,
    project_id: int,
    *,
    cost_code_id: int | None = None,
    page: int = 1,
    per_page: int = 100,
) -> JobCostsView:
    """The project's job costs per cost code (budget, job-to-date cost, variance), one page of
    its transactions (of one cost code when ``cost_code_id`` is given) and the first page of
    the lines that could not be placed, with their reasons. Reads procore-qb's own store only:
    the budget is as Procore had it at the last write."""
    require(ctx, actor, Action.VIEW_JOB_COSTS)
    if not 1 <= per_page <= MAX_PER_PAGE or not 1 <= page <= 1_000_000:
        raise ValueError(f"page must be 1 or more and per_page 1-{MAX_PER_PAGE}")
    offset = (page - 1) * per_page
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        row = repo.project(ctx.company_id, project_id)
        if row is None:
            raise NotFound(
                f"project {project_id} never had job cost syncing; turn it on with "
                f"POST /api/v1/projects/{project_id}/job-cost-sync"
            )
        settings = load_settings(session, ctx.company_id)
        sums = {s.cost_code_id: s for s in repo.sums(ctx.company_id, project_id)}
        totals = repo.totals(ctx.company_id, project_id)
        rows: list[CostCodeRow] = []
        for cc in sorted(
            set(sums) | set(totals), key=lambda c: (totals[c].code if c in totals else "", c)
        ):
            total = totals.get(cc)
            found = sums.get(cc)
            jtd = Decimal(found.cents if found else 0) / 100
            budget = _money(total.budget_cents) if total else None
            rows.append(
                CostCodeRow(
                    cost_code_id=cc,
                    code=total.code if total else "",
                    name=total.name if total else "",
                    budget=budget,
                    job_to_date_cost=jtd,
                    variance=None if budget is None else budget - jtd,
                    transactions=found.transactions if found else 0,
                    lines=found.lines if found else 0,
                    written_to_procore=_money(total.written_cents) if total else None,
                    written_at=total.written_at if total else None,
                )
            )
        listed = repo.listing(
            ctx.company_id,
            project_id,
            statuses=("mapped",),
            limit=per_page,
            offset=offset,
            cost_code_id=cost_code_id,
        )
        unplaced = repo.listing(
            ctx.company_id, project_id, statuses=("not_mapped",), limit=per_page, offset=0
        )
        return JobCostsView(
            state=_state(row),
            budget_direct_cost_columns=settings.budget_direct_cost_columns,
            cost_codes=rows,
            budget_total=sum((r.budget for r in rows if r.budget is not None), Decimal(0)),
            job_to_date_total=sum((r.job_to_date_cost for r in rows), Decimal(0)),
            counts=repo.counts(ctx.company_id, project_id),
            transactions=[line_view(r) for r in listed],
            transactions_total=repo.count(
                ctx.company_id, project_id, statuses=("mapped",), cost_code_id=cost_code_id
            ),
            not_mapped=[line_view(r) for r in unplaced],
            not_mapped_total=repo.count(ctx.company_id, project_id, statuses=("not_mapped",)),
            page=page,
            per_page=per_page,
            waiting_for=_waiting_for(ctx) if row.pending_command else None,
        )
