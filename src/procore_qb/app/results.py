"""The one place where QuickBooks' answers change our state, for both editions.

The Desktop driver (the Web Connector endpoint) and the Online driver call
:func:`result_handler`'s function in the same transaction in which they store an answer in the
outbox, so an answer and what it changes commit together: after a crash at any point either
both are there or neither, and the driver hands the command out again (looking it up first).

A job cost read is streamed: each chunk of its answer (a query page, a CDC answer, a qbXML
iterator page) goes to :func:`chunk_handler`'s function in the transaction that records the
read's progress, and the stored answer holds only the rest.

Routing is by the command's subject: ``export`` (an export item's commands),
``job_refresh`` (a job-list refresh), ``cost_code_list`` (the items of the company's
QuickBooks cost code list, see :mod:`procore_qb.app.setup`) and ``job_costs`` (a read of the
costs coded to synced projects' jobs, see :mod:`procore_qb.app.job_costs`) and ``cost_code``
(a standard cost code exported as a Service item, see :mod:`procore_qb.app.cost_codes`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app.context import AppContext
from procore_qb.app.cost_codes import COST_CODE_SUBJECT, apply_item_result
from procore_qb.app.export import EXPORT_SUBJECT, command_prefix
from procore_qb.app.job_costs import (
    JOB_COSTS_SUBJECT,
    apply_job_cost_chunk,
    apply_job_cost_result,
)
from procore_qb.app.refresh import REFRESH_SUBJECT, apply_refresh, record_refresh
from procore_qb.app.rules import PROJECT_JOB
from procore_qb.app.setup import COST_CODE_LIST_SUBJECT, apply_items_result
from procore_qb.app.writeback import MAX_BATCH
from procore_qb.domain.commands import CommandError, CommandResult
from procore_qb.domain.export_workflow import ExportState
from procore_qb.store.models import QbCommand
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.links import RecordLinks
from procore_qb.store.repositories.mirror import QbJobs
from procore_qb.store.repositories.workflow import ExportItems

__all__ = [
    "STALE_CODES",
    "WRITEBACK_TASK",
    "apply_chunk",
    "apply_result",
    "chunk_handler",
    "result_handler",
]

log = logging.getLogger(__name__)

WRITEBACK_TASK = "procore-writeback"
"""Marks the Procore project (and its cost codes) synced after its job was exported."""

# QuickBooks' "the record changed since you read it" codes: qbXML statusCode 3200 ("The
# provided edit sequence ... is out-of-date", spec quickbooks-api §B.9) and QuickBooks Online
# error 5010 ("Stale Object Error", spec §A.8).
STALE_CODES = frozenset({"3200", "5010"})


def _message(error: CommandError) -> str:
    text = error.message.strip() or "QuickBooks refused the request without a message"
    if error.code in STALE_CODES:
        return (
            f"{text} (QuickBooks error {error.code}). The job was changed in QuickBooks after "
            "procore-qb last read it; procore-qb is reading the job list again. Check the job "
            "in QuickBooks, then click Retry to apply the project's values over it, or Reject."
        )
    return f"{text} (QuickBooks error {error.code})" if error.code else text


def apply_result(ctx: AppContext, session: Session, row: QbCommand, result: CommandResult) -> None:
    """Apply one stored answer. Answers that no longer matter (an attempt that was retried, an
    item moved on) are logged and left alone."""
    if row.subject_type == EXPORT_SUBJECT and row.subject_id is not None:
        _export_result(ctx, session, row, result)
    elif row.subject_type == REFRESH_SUBJECT:
        apply_refresh(ctx, session, row, result)
    elif row.subject_type == COST_CODE_LIST_SUBJECT:
        apply_items_result(ctx, session, row, result)
    elif row.subject_type == COST_CODE_SUBJECT and row.subject_id is not None:
        apply_item_result(ctx, session, row, result)
    elif row.subject_type == JOB_COSTS_SUBJECT:
        apply_job_cost_result(ctx, session, row, result)
    else:
        log.info("no handler for the answer to %s command %s", row.kind, row.idempotency_key)


def apply_chunk(ctx: AppContext, session: Session, row: QbCommand, chunk: CommandResult) -> None:
    """Apply one chunk of a streamed answer (a job cost read's lines as they come), in the
    transaction that records the read's progress."""
    if row.subject_type == JOB_COSTS_SUBJECT:
        apply_job_cost_chunk(ctx, session, row, chunk)
    else:
        raise ValueError(f"{row.kind} command {row.idempotency_key} is not read in chunks")


def chunk_handler(ctx: AppContext) -> Callable[[Session, QbCommand, CommandResult], None]:
    """The chunk handler the drivers are given (see :func:`apply_chunk`)."""

    def handle(session: Session, row: QbCommand, chunk: CommandResult) -> None:
        apply_chunk(ctx, session, row, chunk)

    return handle


def result_handler(ctx: AppContext) -> Callable[[Session, QbCommand, CommandResult], None]:
    """The handler the drivers are given."""

    def handle(session: Session, row: QbCommand, result: CommandResult) -> None:
        apply_result(ctx, session, row, result)

    return handle


def _export_result(
    ctx: AppContext, session: Session, row: QbCommand, result: CommandResult
) -> None:
    item_id = int(row.subject_id or 0)
    items = ExportItems(session)
    stored = items.get(item_id)
    attempt = items.attempt(item_id)
    if not row.idempotency_key.startswith(command_prefix(item_id, attempt)):
        log.info("answer to an earlier export attempt %s ignored", row.idempotency_key)
        return
    item = stored.item
    now = ctx.now()
    mirror = QbJobs(session)
    if result.jobs:
        mirror.upsert(ctx.company_id, result.jobs, now=now)
    if item.state is not ExportState.EXPORTING:
        log.info(
            "answer %s for project %s in state %s ignored",
            row.idempotency_key,
            item.project_id,
            item.state,
        )
        return
    audit = AuditLog(session)
    if result.error is not None and row.kind == "create_item":
        # A cost code's item is not the job: the job is still exported, and the cost code is
        # left unlinked (the write-back marks only codes that have an item) and reported.
        audit.append(
            at=now,
            actor="QuickBooks",
            action="cost_code_item_failed",
            company_id=ctx.company_id,
            subject_type="project",
            subject_id=item.project_id,
            detail={"export_item": stored.id, "error": _message(result.error)},
        )
        return
    if result.error is not None:
        message = _message(result.error)
        moved = item.failed(message=message, at=now)
        saved = items.save(
            moved,
            action="export_failed",
            from_state=item.state,
            now=now,
            detail={"command": row.idempotency_key, "code": result.error.code},
            expected_version=stored.version,
        )
        audit.append(
            at=now,
            actor="QuickBooks",
            action="export_failed",
            company_id=ctx.company_id,
            subject_type="project",
            subject_id=item.project_id,
            detail={"export_item": saved.id, "command": row.kind, "error": message},
        )
        if result.error.code in STALE_CODES:
            record_refresh(ctx, session, reason="stale job")
        return
    if row.kind not in ("create_job", "update_job"):
        return
    if not result.jobs or not result.jobs[0].id or not result.jobs[0].version:
        moved = item.failed(message="QuickBooks answered without the job it saved", at=now)
        items.save(
            moved,
            action="export_failed",
            from_state=item.state,
            now=now,
            expected_version=stored.version,
        )
        return
    job = result.jobs[0]
    full_name = job.full_name or job.name
    moved = item.succeeded(
        job_id=job.id or "", full_name=full_name, version=job.version or "", at=now
    )
    saved = items.save(
        moved,
        action="export_succeeded",
        from_state=item.state,
        now=now,
        detail={"job_id": job.id, "full_name": full_name},
        expected_version=stored.version,
    )
    RecordLinks(session).link(
        ctx.company_id,
        PROJECT_JOB,
        procore_id=item.project_id,
        qb_id=job.id or "",
        qb_full_name=full_name,
        qb_version=job.version,
        now=now,
    )
    audit.append(
        at=now,
        actor="QuickBooks",
        action="quickbooks_job_updated" if row.kind == "update_job" else "quickbooks_job_created",
        company_id=ctx.company_id,
        subject_type="project",
        subject_id=item.project_id,
        detail={"export_item": saved.id, "job_id": job.id, "full_name": full_name},
    )
    _write_back_later(ctx, session, saved.id)


_PENDING_WRITEBACKS = "procore_qb.pending_writebacks"
"""``Session.info`` key: the export items whose write-back this transaction owes."""


def _write_back_later(ctx: AppContext, session: Session, item_id: int) -> None:
    """Owe ``item_id``'s Procore write-back. The items a transaction applies answers for go
    in write-back jobs of up to :data:`~procore_qb.app.writeback.MAX_BATCH` items, enqueued in
    that same transaction just before it commits (so they commit with the answers, or not at
    all)."""
    pending: list[int] | None = session.info.get(_PENDING_WRITEBACKS)
    if pending is None:
        pending = []
        session.info[_PENDING_WRITEBACKS] = pending

        def enqueue(owing: Session) -> None:
            ids: list[int] = owing.info.pop(_PENDING_WRITEBACKS, None) or []
            for start in range(0, len(ids), MAX_BATCH):
                batch = ids[start : start + MAX_BATCH]
                ctx.queue.enqueue(owing, WRITEBACK_TASK, {"item_ids": batch}, lock=ctx.lock)

        def forget(owing: Session) -> None:
            owing.info.pop(_PENDING_WRITEBACKS, None)

        sa.event.listen(session, "before_commit", enqueue, once=True)
        sa.event.listen(session, "after_rollback", forget, once=True)
    if item_id not in pending:
        pending.append(item_id)
