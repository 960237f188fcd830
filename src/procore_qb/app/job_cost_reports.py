"""The job cost reports: every project with job cost syncing on and its figures (the company's
Job Costs view) and one project's transactions read in full for a CSV export (what a synced
project has on another cost type than 'Other' is :mod:`procore_qb.app.cost_type_checks`). Both
need 'Admin' on ERP Integrations, like the project's Job Costs report (spec procore-workflow
§3.8, [S27]), and read procore-qb's own store only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from procore_qb.app.actors import Actor, require
from procore_qb.app.context import AppContext
from procore_qb.app.errors import NotFound
from procore_qb.app.job_cost_views import LineView, line_view
from procore_qb.app.rules import PROJECT_JOB
from procore_qb.domain.permissions import Action
from procore_qb.store.models import JobCostProject, RecordLink
from procore_qb.store.repositories.job_costs import JobCosts, ProjectFigures

__all__ = [
    "EXPORT_BATCH",
    "ProjectJobCosts",
    "job_cost_lines_export",
    "job_costs_overview",
]

EXPORT_BATCH = 1000
"""Lines read per short transaction while an export streams."""


@dataclass(frozen=True, slots=True)
class ProjectJobCosts:
    """One project in the company's Job Costs view."""

    project_id: int
    job_id: str
    job_name: str
    """The QuickBooks job's full name (empty when the link is gone)."""
    budget: Decimal
    job_to_date_cost: Decimal
    variance: Decimal
    not_mapped: int
    refused: int
    """Lines Procore refused at the last write."""
    requested_at: datetime | None
    read_at: datetime | None
    pushed_at: datetime | None
    waiting: bool
    last_error: str | None


def job_costs_overview(ctx: AppContext, actor: Actor) -> list[ProjectJobCosts]:
    """Every project with job cost syncing on, by QuickBooks job name: its budget, job-to-date
    cost and variance, its last sync, its unmapped lines and failures. A fixed number of
    queries however many projects and lines."""
    require(ctx, actor, Action.VIEW_JOB_COSTS)
    with ctx.sessions.begin() as session:
        repo = JobCosts(session)
        projects = repo.enabled_projects(ctx.company_id)
        figures = repo.company_figures(ctx.company_id)
        names = {
            int(procore_id): name
            for procore_id, name in session.execute(
                sa.select(RecordLink.procore_id, RecordLink.qb_full_name).where(
                    RecordLink.company_id == ctx.company_id, RecordLink.kind == PROJECT_JOB
                )
            )
        }
        out = [_overview_row(p, figures, names) for p in projects]
    out.sort(key=lambda r: (r.job_name.casefold(), r.project_id))
    return out


def _overview_row(
    project: JobCostProject, figures: dict[int, ProjectFigures], names: dict[int, str]
) -> ProjectJobCosts:
    numbers = figures.get(project.procore_project_id) or ProjectFigures(
        project.procore_project_id, 0, 0, 0, 0
    )
    budget = Decimal(numbers.budget_cents) / 100
    jtd = Decimal(numbers.job_to_date_cents) / 100
    return ProjectJobCosts(
        project_id=project.procore_project_id,
        job_id=project.qb_job_id,
        job_name=names.get(project.procore_project_id, ""),
        budget=budget,
        job_to_date_cost=jtd,
        variance=budget - jtd,
        not_mapped=numbers.not_mapped,
        refused=numbers.refused,
        requested_at=project.requested_at,
        read_at=project.read_at,
        pushed_at=project.pushed_at,
        waiting=project.pending_command is not None,
        last_error=project.last_error,
    )


def job_cost_lines_export(
    ctx: AppContext, actor: Actor, project_id: int, *, cost_code_id: int | None = None
) -> Iterator[LineView]:
    """Every transaction line of the project placed on a cost code (of ``cost_code_id`` only
    when given), in the order they were first read, :data:`EXPORT_BATCH` at a time (one short
    transaction each, the permission checked again each time). The permission and the project
    are checked before this returns, so a refusal comes before anything is sent."""
    require(ctx, actor, Action.VIEW_JOB_COSTS)
    with ctx.sessions.begin() as session:
        if JobCosts(session).project(ctx.company_id, project_id) is None:
            raise NotFound(f"project {project_id} never had job cost syncing")

    def lines() -> Iterator[LineView]:
        after = 0
        while True:
            require(ctx, actor, Action.VIEW_JOB_COSTS)
            with ctx.sessions.begin() as session:
                batch = JobCosts(session).lines_after(
                    ctx.company_id,
                    project_id,
                    statuses=("mapped",),
                    after_id=after,
                    limit=EXPORT_BATCH,
                    cost_code_id=cost_code_id,
                )
            yield from (line_view(row) for row in batch)
            if len(batch) < EXPORT_BATCH:
                return
            after = batch[-1].id

    return lines()
