"""A project's history from the audit log: its sends, decisions and exports (Path A), the
QuickBooks job it was added from or linked to (Path B), and what QuickBooks changed since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from procore_qb.app.actors import Actor, permissions
from procore_qb.app.context import AppContext
from procore_qb.app.rules import PROJECT_JOB
from procore_qb.domain.permissions import Action, check, missing_for
from procore_qb.store.models import AuditEntry, ExportItem, RecordLink

__all__ = [
    "FAILED_SIDE",
    "MAX_HISTORY",
    "HistoryEntry",
    "LinkedJob",
    "ProjectHistory",
    "project_history",
]

MAX_HISTORY = 200

FAILED_SIDE = {
    "export_failed": "QuickBooks",
    "cost_code_item_failed": "QuickBooks",
    "cost_code_export_failed": "QuickBooks",
    "cost_code_list_failed": "QuickBooks",
    "job_list_refresh_failed": "QuickBooks",
    "job_costs_read_failed": "QuickBooks",
    "job_costs_write_failed": "Procore",
}
"""The side whose refusal or failure an audit entry's ``error`` is, by action: QuickBooks'
answer to a command, or Procore's to a write."""


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]

    @property
    def failed_side(self) -> str | None:
        """Whose error the entry's ``error`` is ("QuickBooks" or "Procore"); None when the
        action does not say."""
        return FAILED_SIDE.get(self.action)


@dataclass(frozen=True, slots=True)
class LinkedJob:
    """The QuickBooks job a project is synced with."""

    id: str
    full_name: str
    version: str | None
    linked_at: datetime
    synced_at: datetime
    """When the pair was last brought in line (an export, an update, a change applied)."""


@dataclass(frozen=True, slots=True)
class ProjectHistory:
    entries: list[HistoryEntry]
    """Newest first."""
    link: LinkedJob | None


def project_history(
    ctx: AppContext, actor: Actor, project_id: int, *, limit: int = 50
) -> ProjectHistory:
    """The newest ``limit`` audit entries about ``project_id`` (those naming the project, and
    those naming the QuickBooks job it is synced with) and that job. Anyone with access to the
    ERP Integrations tool may read them, and the project's admins (who send it)."""
    if not 1 <= limit <= MAX_HISTORY:
        raise ValueError(f"limit must be 1-{MAX_HISTORY}")
    perms = permissions(ctx, actor, project_id=project_id)
    if missing_for(perms, Action.VIEW_JOBS):
        check(perms, Action.SEND, project_id=project_id)
    with ctx.sessions.begin() as session:
        found = session.scalars(
            sa.select(RecordLink).where(
                RecordLink.company_id == ctx.company_id,
                RecordLink.kind == PROJECT_JOB,
                RecordLink.procore_id == project_id,
            )
        ).first()
        link = None
        job_ids: set[str] = set()
        if found is not None:
            link = LinkedJob(
                found.qb_id, found.qb_full_name, found.qb_version, found.linked_at, found.updated_at
            )
            job_ids.add(found.qb_id)
        job_ids |= {
            str(j)
            for j in session.scalars(
                sa.select(ExportItem.qb_job_id).where(
                    ExportItem.company_id == ctx.company_id,
                    ExportItem.procore_project_id == project_id,
                    ExportItem.qb_job_id.is_not(None),
                )
            )
        }
        about = (AuditEntry.subject_type == "project") & (AuditEntry.subject_id == str(project_id))
        if job_ids:
            about = about | (
                (AuditEntry.subject_type == "quickbooks_job")
                & AuditEntry.subject_id.in_(sorted(job_ids))
            )
        rows = session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.company_id == ctx.company_id, about)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
        entries = [HistoryEntry(r.id, r.at, r.actor, r.action, dict(r.detail or {})) for r in rows]
        return ProjectHistory(entries, link)
