"""What the Jobs tab, the project list, the customer picker and the audit log read.

Reads only: no permission is changed, nothing is written except the permission cache.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app.actors import Actor, permissions, require
from procore_qb.app.company import load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import NotFound, UpstreamError
from procore_qb.app.rules import eligibility_context
from procore_qb.domain.commands import job_from_json
from procore_qb.domain.eligibility import send_problems
from procore_qb.domain.export_workflow import ExportState
from procore_qb.domain.mapping import project_fields
from procore_qb.domain.permissions import Action, allowed_actions, missing_for
from procore_qb.domain.problems import Problem
from procore_qb.domain.project import ProcoreProject, project_from_json
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.procore.errors import NotFound as ProcoreNotFound
from procore_qb.procore.errors import ProcoreError
from procore_qb.store.models import AuditEntry, ExportItem, ImportItem, QbJobRecord, User
from procore_qb.store.repositories.mirror import QbJobs

__all__ = [
    "JobFilter",
    "JobRow",
    "JobsPage",
    "ProjectRow",
    "audit_page",
    "customers",
    "export_rows",
    "filter_counts",
    "job_row",
    "jobs_page",
    "parse_item_id",
    "projects",
]

log = logging.getLogger(__name__)

MAX_PAGE = 500


class JobFilter(enum.StrEnum):
    """The Jobs tab's filters, in Procore's order."""

    READY_TO_IMPORT = "ready_to_import"
    READY_TO_EXPORT = "ready_to_export"
    READY_TO_UPDATE = "ready_to_update"
    FAILED_TO_EXPORT = "failed_to_export"
    SYNCED = "synced"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").title().replace(" To ", " to ")


_EXPORT_FILTERS = {
    JobFilter.READY_TO_EXPORT: ("ready_to_export",),
    JobFilter.READY_TO_UPDATE: ("ready_to_update",),
    # Accepted items wait for QuickBooks here, shown as "Exporting".
    JobFilter.FAILED_TO_EXPORT: ("failed_to_export", "exporting"),
    JobFilter.SYNCED: ("synced",),
}
_IMPORT_FILTERS = {
    JobFilter.READY_TO_IMPORT: ("ready_to_import",),
    JobFilter.ARCHIVED: ("archived",),
}


def parse_item_id(value: str) -> tuple[str, int]:
    """``export-12`` or ``import-7`` → (kind, row id); ValueError otherwise."""
    kind, _, number = value.partition("-")
    if kind not in ("export", "import") or not number.isdigit() or len(number) > 18:
        raise ValueError(f"{value!r} is not a Jobs tab item id (export-N or import-N)")
    return kind, int(number)


@dataclass(frozen=True, slots=True)
class JobRow:
    id: str
    kind: str
    state: str
    state_label: str
    procore_project_id: int | None
    name: str
    quickbooks: dict[str, Any] | None
    sent_by: str | None = None
    sent_at: datetime | None = None
    comment: str = ""
    error: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    waiting_for: str | None = None
    quickbooks_flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class JobsPage:
    filter: JobFilter
    items: list[JobRow]
    total: int
    counts: dict[str, int]
    page: int
    per_page: int


def _version_key(edition: QuickBooksEdition) -> str:
    return "edit_sequence" if edition is QuickBooksEdition.DESKTOP else "sync_token"


def _counts(session: Session, company_id: int) -> dict[str, int]:
    counts = {f.value: 0 for f in JobFilter}
    for state, n in session.execute(
        sa.select(ExportItem.state, sa.func.count())
        .where(ExportItem.company_id == company_id)
        .group_by(ExportItem.state)
    ):
        for f, states in _EXPORT_FILTERS.items():
            if state in states:
                counts[f.value] += int(n)
    for state, n in session.execute(
        sa.select(ImportItem.state, sa.func.count())
        .where(ImportItem.company_id == company_id)
        .group_by(ImportItem.state)
    ):
        for f, states in _IMPORT_FILTERS.items():
            if state in states:
                counts[f.value] += int(n)
    return counts


def filter_counts(session: Session, company_id: int) -> dict[str, int]:
    """How many items each Jobs tab filter holds (two queries, in the caller's
    transaction)."""
    return _counts(session, company_id)


def _emails(session: Session, company_id: int, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        sa.select(User.procore_user_id, User.email).where(
            User.company_id == company_id, User.procore_user_id.in_(sorted(ids))
        )
    )
    return {int(pid): str(email) for pid, email in rows}


def _export_rows(session: Session, ctx: AppContext, found: list[ExportItem]) -> list[JobRow]:
    version_key = _version_key(ctx.edition)
    emails = _emails(session, ctx.company_id, {r.sent_by for r in found if r.sent_by})
    mirror = {
        r.qb_id: r
        for r in session.scalars(
            sa.select(QbJobRecord).where(
                QbJobRecord.company_id == ctx.company_id,
                QbJobRecord.qb_id.in_([r.qb_job_id for r in found if r.qb_job_id]),
            )
        )
    }
    rows: list[JobRow] = []
    for r in found:
        snapshot_name = str((r.snapshot or {}).get("name", "")) if r.snapshot else ""
        qb = None
        flags: list[str] = []
        if r.qb_job_id:
            qb = {"id": r.qb_job_id, "full_name": r.qb_full_name, version_key: r.qb_version}
            known = mirror.get(r.qb_job_id)
            if known is not None:
                if known.deleted:
                    flags.append("deleted_in_quickbooks")
                elif not known.active:
                    flags.append("inactive_in_quickbooks")
                if known.version and r.qb_version and known.version != r.qb_version:
                    flags.append("changed_in_quickbooks")
        waiting = None
        if r.state == "exporting":
            waiting = (
                "the QuickBooks Web Connector's next run"
                if ctx.edition is QuickBooksEdition.DESKTOP
                else "QuickBooks Online"
            )
        rows.append(
            JobRow(
                id=f"export-{r.id}",
                kind="export",
                state=r.state,
                state_label=ExportState(r.state).label,
                procore_project_id=r.procore_project_id,
                name=snapshot_name or r.qb_full_name or f"project {r.procore_project_id}",
                quickbooks=qb,
                sent_by=emails.get(r.sent_by) if r.sent_by else None,
                sent_at=r.sent_at,
                comment=r.comment,
                error=r.error,
                created_at=r.created_at,
                updated_at=r.updated_at,
                waiting_for=waiting,
                quickbooks_flags=tuple(flags),
            )
        )
    return rows


def _import_rows(ctx: AppContext, found: Iterable[ImportItem]) -> list[JobRow]:
    version_key = _version_key(ctx.edition)
    rows: list[JobRow] = []
    for imp in found:
        job = job_from_json(imp.snapshot)
        rows.append(
            JobRow(
                id=f"import-{imp.id}",
                kind="import",
                state=imp.state,
                state_label=imp.state.replace("_", " ").title().replace(" To ", " to "),
                procore_project_id=imp.procore_project_id,
                name=job.name,
                quickbooks={
                    "id": imp.qb_job_id,
                    "full_name": imp.qb_full_name,
                    version_key: job.version,
                },
                created_at=imp.created_at,
                updated_at=imp.updated_at,
            )
        )
    return rows


def job_row(ctx: AppContext, kind: str, item_id: int) -> JobRow:
    """One Jobs tab item, as the list shows it."""
    with ctx.sessions.begin() as session:
        if kind == "export":
            row = session.get(ExportItem, item_id)
            if row is None or row.company_id != ctx.company_id:
                raise NotFound(f"no Jobs tab item export-{item_id}")
            return _export_rows(session, ctx, [row])[0]
        imported = session.get(ImportItem, item_id)
        if imported is None or imported.company_id != ctx.company_id:
            raise NotFound(f"no Jobs tab item import-{item_id}")
        return _import_rows(ctx, [imported])[0]


def export_rows(ctx: AppContext, item_ids: Sequence[int]) -> list[JobRow]:
    """Many export items as the Jobs tab shows them, in the order given, in one read (the
    answer to a bulk accept or reject of up to 1,000 items)."""
    with ctx.sessions.begin() as session:
        found = {
            r.id: r
            for r in session.scalars(
                sa.select(ExportItem).where(
                    ExportItem.company_id == ctx.company_id, ExportItem.id.in_(list(item_ids))
                )
            )
        }
        for item_id in item_ids:
            if item_id not in found:
                raise NotFound(f"no Jobs tab item export-{item_id}")
        return _export_rows(session, ctx, [found[i] for i in item_ids])


def jobs_page(
    ctx: AppContext,
    actor: Actor,
    job_filter: JobFilter,
    *,
    page: int = 1,
    per_page: int = 50,
    search: str = "",
) -> JobsPage:
    """One page of the Jobs tab under ``job_filter``, with the count of every filter."""
    require(ctx, actor, Action.VIEW_JOBS)
    if not 1 <= per_page <= MAX_PAGE or not 1 <= page <= 1_000_000:
        raise ValueError(f"page must be 1 or more and per_page 1-{MAX_PAGE}")
    offset = (page - 1) * per_page
    with ctx.sessions.begin() as session:
        counts = _counts(session, ctx.company_id)
        rows: list[JobRow] = []
        if job_filter in _EXPORT_FILTERS:
            where = [
                ExportItem.company_id == ctx.company_id,
                ExportItem.state.in_(_EXPORT_FILTERS[job_filter]),
            ]
            if search:
                where.append(
                    sa.or_(
                        sa.func.lower(ExportItem.qb_full_name).contains(
                            search.lower(), autoescape=True
                        ),
                        # The name sent (items waiting for a decision have no job name yet).
                        sa.func.lower(ExportItem.snapshot["name"].as_string()).contains(
                            search.lower(), autoescape=True
                        ),
                        sa.cast(ExportItem.procore_project_id, sa.String).contains(
                            search, autoescape=True
                        ),
                    )
                )
            total = int(
                session.scalar(sa.select(sa.func.count()).select_from(ExportItem).where(*where))
                or 0
            )
            found = list(
                session.scalars(
                    sa.select(ExportItem)
                    .where(*where)
                    .order_by(ExportItem.updated_at.desc(), ExportItem.id.desc())
                    .limit(per_page)
                    .offset(offset)
                )
            )
            rows.extend(_export_rows(session, ctx, found))
        else:
            where = [
                ImportItem.company_id == ctx.company_id,
                ImportItem.state.in_(_IMPORT_FILTERS[job_filter]),
            ]
            if search:
                where.append(
                    sa.func.lower(ImportItem.qb_full_name).contains(search.lower(), autoescape=True)
                )
            total = int(
                session.scalar(sa.select(sa.func.count()).select_from(ImportItem).where(*where))
                or 0
            )
            rows.extend(
                _import_rows(
                    ctx,
                    session.scalars(
                        sa.select(ImportItem)
                        .where(*where)
                        .order_by(ImportItem.qb_full_name, ImportItem.id)
                        .limit(per_page)
                        .offset(offset)
                    ),
                )
            )
    if job_filter in (JobFilter.READY_TO_EXPORT, JobFilter.READY_TO_UPDATE) and rows:
        rows = _flag_changed_projects(ctx, rows)
    return JobsPage(job_filter, rows, total, counts, page, per_page)


def _flag_changed_projects(ctx: AppContext, rows: list[JobRow]) -> list[JobRow]:
    """Mark the items whose Procore project was edited after it was sent (one Procore read for
    the page). If Procore cannot be read now, the page is shown without the marker."""
    ids = [r.procore_project_id for r in rows if r.procore_project_id is not None]
    try:
        current = {p.id: p for p in ctx.procore().projects(ids=ids, with_cost_codes=False)}
    except ProcoreError as exc:
        log.warning("could not read the sent projects from Procore: %s", type(exc).__name__)
        return rows
    with ctx.sessions.begin() as session:
        snapshots = {
            r.procore_project_id: r.snapshot
            for r in session.scalars(
                sa.select(ExportItem).where(
                    ExportItem.company_id == ctx.company_id,
                    ExportItem.procore_project_id.in_(ids),
                )
            )
        }
    out: list[JobRow] = []
    for row in rows:
        snapshot = snapshots.get(row.procore_project_id or 0)
        project = current.get(row.procore_project_id or 0)
        if snapshot and project is not None:
            try:
                sent = project_fields(project_from_json(snapshot))
            except ValueError:
                sent = None
            if sent is not None and sent != project_fields(project):
                row = replace(row, quickbooks_flags=(*row.quickbooks_flags, "changed_in_procore"))
        out.append(row)
    return out


@dataclass(frozen=True, slots=True)
class ProjectRow:
    project: ProcoreProject
    export_item_id: int | None
    state: ExportState
    problems: list[Problem]
    changed_since_sent: bool = False
    quickbooks: dict[str, Any] | None = None
    actions: list[str] = field(default_factory=list)


def projects(ctx: AppContext, actor: Actor, *, project_id: int | None = None) -> list[ProjectRow]:
    """Procore's projects with their ERP state and what stands in the way of sending each.

    Someone with access to the ERP Integrations tool sees every project; anyone else sees the
    projects whose Admin tool they hold (the ones they may send to ERP)."""
    try:
        gateway = ctx.procore()
        found = [gateway.project(project_id)] if project_id is not None else gateway.projects()
    except ProcoreNotFound as exc:
        raise NotFound(f"Procore has no project {project_id} in this company") from exc
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not list the projects: {exc}") from exc
    company_perms = permissions(ctx, actor)
    sees_all = not missing_for(company_perms, Action.VIEW_JOBS)
    version_key = _version_key(ctx.edition)
    visible: list[tuple[ProcoreProject, list[str]]] = []
    for project in found:
        # Someone with the ERP Integrations tool sees every project: their per-project actions
        # come from what is cached, so a long list costs no permission read per project.
        # Anyone else sees only the projects they administer, which needs each one's level.
        if sees_all and len(found) > 1:
            perms = company_perms
        else:
            perms = permissions(ctx, actor, project_id=project.id)
        allowed = allowed_actions(perms, project_id=project.id)
        if not sees_all and Action.SEND not in allowed:
            continue
        visible.append((project, sorted(a.value for a in allowed & _PROJECT_ACTIONS)))
    if project_id is not None and not visible:
        require(ctx, actor, Action.SEND, project_id=project_id)
    out: list[ProjectRow] = []
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
        rules = eligibility_context(session, ctx.company_id, settings, ctx.limits)
        items = {
            r.procore_project_id: r
            for r in session.scalars(
                sa.select(ExportItem).where(ExportItem.company_id == ctx.company_id)
            )
        }
        for project, actions in visible:
            row = items.get(project.id)
            state = ExportState(row.state) if row else ExportState.UNSYNCED
            updating = row.qb_job_id if row and row.qb_job_id else None
            problems = (
                send_problems(project, rules, updating_job_id=updating)
                if state in _SENDABLE
                else []
            )
            changed = False
            if row is not None and row.snapshot:
                try:
                    changed = project_fields(project_from_json(row.snapshot)) != project_fields(
                        project
                    )
                except ValueError:
                    changed = False
            qb = None
            if row is not None and row.qb_job_id:
                qb = {
                    "id": row.qb_job_id,
                    "full_name": row.qb_full_name,
                    version_key: row.qb_version,
                }
            out.append(
                ProjectRow(project, row.id if row else None, state, problems, changed, qb, actions)
            )
    return out


_PROJECT_ACTIONS = frozenset(
    {
        Action.SEND,
        Action.RETRIEVE,
        Action.RESEND,
        Action.ENABLE_JOB_COST_SYNC,
        Action.DELETE_PROJECT_COST_CODE,
    }
)
_SENDABLE = frozenset({ExportState.UNSYNCED, ExportState.REJECTED, ExportState.SYNCED})


def customers(
    ctx: AppContext, actor: Actor, *, search: str = "", page: int = 1, per_page: int = 100
) -> tuple[list[dict[str, Any]], int]:
    """QuickBooks customers for the accept step (top-level, active), from the job list."""
    require(ctx, actor, Action.ACCEPT)
    if not 1 <= per_page <= MAX_PAGE or not 1 <= page <= 1_000_000:
        raise ValueError(f"page must be 1 or more and per_page 1-{MAX_PAGE}")
    with ctx.sessions.begin() as session:
        found, total = QbJobs(session).customers(
            ctx.company_id, search=search, limit=per_page, offset=(page - 1) * per_page
        )
    return [{"id": c.id, "name": c.name, "full_name": c.full_name or c.name} for c in found], total


def audit_page(
    ctx: AppContext,
    actor: Actor,
    *,
    limit: int = 100,
    before_id: int | None = None,
    action: str | None = None,
    actor_email: str | None = None,
    project_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[AuditEntry]:
    """The audit log, newest first, filtered; ``before_id`` pages back."""
    require(ctx, actor, Action.VIEW_JOBS)
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be 1-{MAX_PAGE}")
    query = (
        sa.select(AuditEntry)
        .where(AuditEntry.company_id == ctx.company_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_email:
        query = query.where(AuditEntry.actor == actor_email.lower())
    if project_id is not None:
        query = query.where(
            AuditEntry.subject_type == "project", AuditEntry.subject_id == str(project_id)
        )
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    with ctx.sessions.begin() as session:
        return list(session.scalars(query))
