"""After an export: the Procore project and its cost codes are marked synced.

Runs as a job (``procore-writeback``) enqueued in the transaction that applied QuickBooks'
answers, one job for the exports whose answers that transaction applied, so it is never lost;
it may run more than once (a crash, a retry) and is idempotent:
it writes the same ``origin_id``/``origin_data``/``origin_code`` each time.

The project gets the QuickBooks job's id as ``origin_id``, its EditSequence/SyncToken as
``origin_data`` and its full name as ``origin_code``. Each project cost code gets
``"<job id>|<item id>"`` for the QuickBooks item that stands for it (the item its standard cost
code was built from, or the item this export created).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app.company import load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import UpstreamError
from procore_qb.app.export import EXPORT_SUBJECT
from procore_qb.domain.commands import result_from_json
from procore_qb.domain.export_workflow import ExportState
from procore_qb.domain.mapping import apply_job
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.procore.errors import ProcoreError
from procore_qb.procore.gateway import OriginMark
from procore_qb.store.models import QbCommand
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.workflow import ExportItems

__all__ = ["MAX_BATCH", "apply_job_change", "write_back_export", "write_back_exports"]


MAX_BATCH = 200
"""Most export items one write-back job marks synced."""


def _created_items(
    ctx: AppContext, session: Session, item_ids: Sequence[int]
) -> dict[int, dict[str, str]]:
    """Per export item, item name → id for the items its commands created (one query for
    the whole batch)."""
    out: dict[int, dict[str, str]] = {item_id: {} for item_id in item_ids}
    rows = session.scalars(
        sa.select(QbCommand).where(
            QbCommand.company_id == ctx.company_id,
            QbCommand.subject_type == EXPORT_SUBJECT,
            QbCommand.subject_id.in_(list(item_ids)),
            QbCommand.kind == "create_item",
            QbCommand.state == "done",
        )
    )
    for row in rows:
        if row.result is None or row.subject_id is None:
            continue
        for record in result_from_json(row.result).items:
            out.setdefault(int(row.subject_id), {})[record.name.casefold()] = record.id
    return out


def write_back_export(ctx: AppContext, item_id: int) -> bool:
    """Mark the project of export item ``item_id`` synced in Procore. Returns False when the
    item is no longer synced (reset in between): nothing to write."""
    return write_back_exports(ctx, [item_id]) == 1


def write_back_exports(ctx: AppContext, item_ids: Sequence[int]) -> int:
    """Mark the projects of export items ``item_ids`` synced in Procore; returns how many were
    written (items reset in between are left alone). What the batch shares is read once: the
    export items and the company settings in one transaction, the standard cost codes of the
    QuickBooks list in one listing. Each project then takes its own calls (its ``origin_*``,
    its cost codes). A project Procore refuses does not stop the others; the job fails
    afterwards, naming them, and its retry writes the batch again (the writes are
    idempotent)."""
    ids = list(dict.fromkeys(int(i) for i in item_ids))
    if not ids:
        return 0
    if len(ids) > MAX_BATCH:
        raise ValueError(f"a write-back names at most {MAX_BATCH} export items")
    with ctx.sessions.begin() as session:
        items = ExportItems(session)
        stored = [items.get(item_id) for item_id in ids]
        settings = load_settings(session, ctx.company_id)
        created = _created_items(ctx, session, ids)
    due = [
        s
        for s in stored
        if s.item.state in (ExportState.SYNCED, ExportState.READY_TO_UPDATE)
        and s.item.quickbooks is not None
    ]
    if not due:
        return 0
    gateway = ctx.procore()
    standard: dict[str, str] = {}
    try:
        if settings.quickbooks_cost_code_list_id is not None:
            standard = {
                c.full_code.casefold(): c.origin_id
                for c in gateway.standard_cost_codes(settings.quickbooks_cost_code_list_id)
                if c.origin_id
            }
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not return the standard cost codes: {exc}") from exc
    written: list[tuple[int, int, str, str, int]] = []
    failures: list[str] = []
    other: int | None = None
    for entry in due:
        link = entry.item.quickbooks
        if link is None:  # filtered above
            continue
        project_id = entry.item.project_id
        try:
            gateway.mark_project_synced(
                project_id, link.job_id, origin_data=link.version, origin_code=link.full_name
            )
            known = {**standard, **created.get(entry.id, {})}
            marks = (
                [
                    OriginMark(code.id, f"{link.job_id}|{known[code.full_code.casefold()]}")
                    for code in gateway.cost_codes(project_id)
                    if code.full_code.casefold() in known
                ]
                if known
                else []
            )
            if marks:
                gateway.mark_cost_codes_synced(project_id, marks)
                # The linked codes take the 'Other' cost type (procore-workflow §1.4).
                other = other or gateway.ensure_other_cost_type().id
                gateway.assign_cost_type(project_id, [m.id for m in marks], other)
        except ProcoreError as exc:
            failures.append(f"project {project_id}: {exc}")
            continue
        written.append((entry.id, project_id, link.job_id, link.full_name, len(marks)))
    if written:
        with ctx.sessions.begin() as session:
            audit = AuditLog(session)
            now = ctx.now()
            for _, project_id, job_id, full_name, marked in written:
                audit.append(
                    at=now,
                    actor="procore-qb",
                    action="procore_project_marked_synced",
                    company_id=ctx.company_id,
                    subject_type="project",
                    subject_id=project_id,
                    detail={"origin_id": job_id, "origin_code": full_name, "cost_codes": marked},
                )
    if failures:
        shown = "; ".join(failures[:5])
        more = f" (and {len(failures) - 5} more)" if len(failures) > 5 else ""
        raise UpstreamError(
            f"Procore did not mark {len(failures)} project(s) synced: {shown}{more}"
        )
    return len(written)


def apply_job_change(ctx: AppContext, project_id: int, job: QuickBooksJob) -> None:
    """Bring a synced project in line with its QuickBooks job after a change made in QuickBooks
    (name, number, address, dates, active)."""
    gateway = ctx.procore()
    try:
        project = gateway.project(project_id)
        if apply_job(project, job) != project or project.origin_id != job.id:
            gateway.update_project_from_job(project_id, job)
    except ProcoreError as exc:
        raise UpstreamError(
            f"Procore did not take the QuickBooks change of project {project_id}: {exc}"
        ) from exc
    with ctx.sessions.begin() as session:
        AuditLog(session).append(
            at=ctx.now(),
            actor="procore-qb",
            action="procore_project_updated_from_quickbooks",
            company_id=ctx.company_id,
            subject_type="project",
            subject_id=project_id,
            detail={"job_id": job.id, "full_name": job.full_name},
        )
