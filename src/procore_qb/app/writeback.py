"""After an export: the Procore project and its cost codes are marked synced.

Runs as a job (``procore-writeback``) enqueued in the transaction that applied QuickBooks'
answer, so it is never lost; it may run more than once (a crash, a retry) and is idempotent:
it writes the same ``origin_id``/``origin_data``/``origin_code`` each time.

The project gets the QuickBooks job's id as ``origin_id``, its EditSequence/SyncToken as
``origin_data`` and its full name as ``origin_code``. Each project cost code gets
``"<job id>|<item id>"`` for the QuickBooks item that stands for it (the item its standard cost
code was built from, or the item this export created).
"""

from __future__ import annotations

import sqlalchemy as sa

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

__all__ = ["apply_job_change", "write_back_export"]


def _created_items(ctx: AppContext, item_id: int) -> dict[str, str]:
    """Item name → id for the items this export's commands created."""
    out: dict[str, str] = {}
    with ctx.sessions.begin() as session:
        rows = session.scalars(
            sa.select(QbCommand).where(
                QbCommand.company_id == ctx.company_id,
                QbCommand.subject_type == EXPORT_SUBJECT,
                QbCommand.subject_id == item_id,
                QbCommand.kind == "create_item",
                QbCommand.state == "done",
            )
        )
        for row in rows:
            if row.result is None:
                continue
            for record in result_from_json(row.result).items:
                out[record.name.casefold()] = record.id
    return out


def write_back_export(ctx: AppContext, item_id: int) -> bool:
    """Mark the project of export item ``item_id`` synced in Procore. Returns False when the
    item is no longer synced (reset in between): nothing to write."""
    with ctx.sessions.begin() as session:
        stored = ExportItems(session).get(item_id)
        settings = load_settings(session, ctx.company_id)
    item = stored.item
    link = item.quickbooks
    if item.state not in (ExportState.SYNCED, ExportState.READY_TO_UPDATE) or link is None:
        return False
    gateway = ctx.procore()
    project_id = item.project_id
    try:
        gateway.mark_project_synced(
            project_id, link.job_id, origin_data=link.version, origin_code=link.full_name
        )
        items = {}
        if settings.quickbooks_cost_code_list_id is not None:
            items = {
                c.full_code.casefold(): c.origin_id
                for c in gateway.standard_cost_codes(settings.quickbooks_cost_code_list_id)
                if c.origin_id
            }
        items.update(_created_items(ctx, item_id))
        marks = [
            OriginMark(code.id, f"{link.job_id}|{items[code.full_code.casefold()]}")
            for code in gateway.cost_codes(project_id)
            if code.full_code.casefold() in items
        ]
        if marks:
            gateway.mark_cost_codes_synced(project_id, marks)
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not mark project {project_id} synced: {exc}") from exc
    with ctx.sessions.begin() as session:
        AuditLog(session).append(
            at=ctx.now(),
            actor="procore-qb",
            action="procore_project_marked_synced",
            company_id=ctx.company_id,
            subject_type="project",
            subject_id=project_id,
            detail={
                "origin_id": link.job_id,
                "origin_code": link.full_name,
                "cost_codes": len(marks),
            },
        )
    return True


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
