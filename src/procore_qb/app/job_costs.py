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

Writing to Procore is :mod:`procore_qb.app.job_cost_writes`; the Job Costs report's read
model is :mod:`procore_qb.app.job_cost_views`.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app.actors import Actor, permissions, require
from procore_qb.app.company import load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import NotFound, UpstreamError
from procore_qb.app.export import QBO_DRAIN_TASK
from procore_qb.app.rules import PROJECT_JOB
from procore_qb.domain.commands import CommandResult, JobCostLine, QueryJobCosts
from procore_qb.domain.job_costs import (
    MappingReason,
    created_by_procore_qb,
    to_cents,
)
from procore_qb.domain.permissions import Action, check, missing_for
from procore_qb.domain.problems import Problem, RuleCode, ensure_no_problems
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.procore.errors import ProcoreError, ValidationFailed
from procore_qb.store.models import JobCostProject, QbCommand
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.job_costs import JobCosts
from procore_qb.store.repositories.links import RecordLinks
from procore_qb.store.repositories.outbox import Outbox

__all__ = [
    "INGEST_BATCH",
    "JOB_COSTS_SUBJECT",
    "OVERLAP",
    "PUSH_TASK",
    "TICK_TASK",
    "IngestSummary",
    "JobCostSyncState",
    "SyncRequested",
    "apply_job_cost_chunk",
    "apply_job_cost_result",
    "audit_project",
    "batches",
    "ingest",
    "job_cost_state",
    "job_cost_switch",
    "read_mark",
    "record_reads",
    "request_due_syncs",
    "request_sync",
    "set_job_cost_sync",
    "sync_state",
    "waiting_for",
]

log = logging.getLogger(__name__)

JOB_COSTS_SUBJECT = "job_costs"
"""``qb_commands.subject_type`` of a job cost read (its jobs are in the command)."""
PUSH_TASK = "procore-job-costs"
TICK_TASK = "job-costs-tick"
INGEST_BATCH = 1000
"""Lines per batch when an answer held in memory is applied."""
OVERLAP = timedelta(minutes=10)
"""A changes-only read starts this long before the last answer's time (QuickBooks Desktop
stamps changes with its own clock); reading a line twice changes nothing."""
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


# ----------------------------------------------------------------------------- helpers


def audit_project(
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


def waiting_for(ctx: AppContext) -> str:
    if ctx.edition is QuickBooksEdition.DESKTOP:
        return "the QuickBooks Web Connector's next run"
    return "QuickBooks Online"


_NOT_OFFERED = (
    "Procore does not offer its own 'ERP job cost transaction syncing' switch for this "
    "company (the ERP connection does not enable job cost transactions); procore-qb syncs "
    "the job costs all the same."
)


def sync_state(row: JobCostProject, note: str = "") -> JobCostSyncState:
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
            return sync_state(current)
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
            return sync_state(row, note)
        row.pending_command = None  # a read asked for before is not waited for again
        if enabled:
            row.last_error = None
            keys = record_reads(ctx, session, [row], reason="job cost syncing turned on")
            key = keys[0] if keys else None
        audit_project(
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
        return sync_state(row, note)


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
        return sync_state(row)


def job_cost_switch(ctx: AppContext, actor: Actor, project_id: int) -> JobCostSyncState | None:
    """The project's job cost syncing as its switch shows it (None: never turned on), for
    whoever may turn it on ('Admin' on the project's Admin tool) or read the job costs."""
    perms = permissions(ctx, actor, project_id=project_id)
    if missing_for(perms, Action.VIEW_JOB_COSTS):
        check(perms, Action.ENABLE_JOB_COST_SYNC, project_id=project_id)
    with ctx.sessions.begin() as session:
        row = JobCosts(session).project(ctx.company_id, project_id)
        return None if row is None else sync_state(row)


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
        audit_project(
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
        audit_project(
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
            project_id, waiting or (keys[0] if keys else None), bool(waiting), waiting_for(ctx)
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
            audit_project(
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
    # The project ids read off the ORM rows once, not once a line (an attribute of a mapped
    # row is a descriptor call).
    project_of_job = {p.qb_job_id: p.procore_project_id for p in projects}
    now = ctx.now()
    for batch in lines:
        summary.lines += len(batch)
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for line in batch:
            project_id = project_of_job.get(line.job_id)
            if project_id is None:
                continue
            try:
                grouped[project_id].append(_row(line))
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
        audit_project(
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
