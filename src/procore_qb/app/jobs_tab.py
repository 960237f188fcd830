"""What the Jobs tab needs besides its list (:func:`procore_qb.app.queries.jobs_page`): how the
company's syncs with QuickBooks stand, *Sync Now*, what the accept step asks, and the projects
a staged QuickBooks job may be linked to.

*Sync Now* runs at once what the company's schedule runs from time to time (spec
procore-workflow §3.2: "On-demand syncs are possible for importable Jobs, ..."; the older
schedule also listed "Sync Standard and Project Cost Codes"): a refresh of the QuickBooks job
list and an update of the QuickBooks Standard Cost Codes list from QuickBooks' service items,
recorded in one transaction. *Refresh Job List* (:func:`procore_qb.app.refresh.request_refresh`)
asks for the job list only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from procore_qb.app import queries
from procore_qb.app.actors import Actor, require
from procore_qb.app.company import CustomerJobMode, load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import NotFound, UpstreamError
from procore_qb.app.refresh import REFRESH_SUBJECT, record_refresh, refresh_status
from procore_qb.app.rules import eligibility_context
from procore_qb.app.setup import COST_CODE_LIST_SUBJECT, record_cost_code_list, webconnector_status
from procore_qb.domain.commands import job_from_json
from procore_qb.domain.eligibility import link_problems
from procore_qb.domain.permissions import Action
from procore_qb.domain.project import ProcoreProject
from procore_qb.domain.quickbooks_job import QuickBooksEdition, QuickBooksJob
from procore_qb.procore.errors import ProcoreError
from procore_qb.store.models import AuditEntry, ImportItem, QbCommand

__all__ = [
    "AcceptChoices",
    "JobsTab",
    "LinkChoices",
    "SyncRequested",
    "SyncStatus",
    "accept_choices",
    "link_choices",
    "sync_now",
    "sync_status",
    "tab",
]

_EXPORT_SUBJECT = "export"
_LAST_ACTIONS = (
    "job_list_refreshed",
    "job_list_refresh_failed",
    "cost_code_list_written",
    "cost_code_list_failed",
)


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """Where the company's syncs with QuickBooks stand, for the Jobs tab's progress line."""

    edition: QuickBooksEdition
    refresh_requested_at: datetime | None
    refreshed_at: datetime | None
    jobs_known: int
    waiting: dict[str, int]
    """QuickBooks requests not answered yet, by what they are for: ``job_list``,
    ``cost_codes``, ``exports``, ``other``."""
    last: dict[str, tuple[datetime, dict[str, Any]]]
    """The latest of each of ``job_list_refreshed``, ``job_list_refresh_failed``,
    ``cost_code_list_written``, ``cost_code_list_failed``: when, and its audit detail."""
    webconnector_last_contact: datetime | None = None
    """QuickBooks Desktop: when the Web Connector last called."""

    @property
    def refresh_waiting(self) -> bool:
        return self.waiting.get("job_list", 0) > 0 or (
            self.refresh_requested_at is not None
            and (self.refreshed_at is None or self.refreshed_at < self.refresh_requested_at)
        )

    @property
    def busy(self) -> bool:
        """Whether anything asked of QuickBooks is still unanswered."""
        return self.refresh_waiting or any(self.waiting.values())

    @property
    def waiting_for(self) -> str:
        if self.edition is QuickBooksEdition.DESKTOP:
            return "the QuickBooks Web Connector's next run"
        return "QuickBooks Online"


def sync_status(ctx: AppContext, actor: Actor) -> SyncStatus:
    """How the job list, the cost code list and the exports stand with QuickBooks."""
    require(ctx, actor, Action.VIEW_JOBS)
    return _sync_status(ctx)


def _sync_status(ctx: AppContext) -> SyncStatus:
    refresh = refresh_status(ctx)
    with ctx.sessions.begin() as session:
        waiting: dict[str, int] = {"job_list": 0, "cost_codes": 0, "exports": 0, "other": 0}
        for subject, n in session.execute(
            sa.select(QbCommand.subject_type, sa.func.count())
            .where(
                QbCommand.company_id == ctx.company_id,
                QbCommand.state.in_(("pending", "in_flight")),
            )
            .group_by(QbCommand.subject_type)
        ):
            key = {
                REFRESH_SUBJECT: "job_list",
                COST_CODE_LIST_SUBJECT: "cost_codes",
                _EXPORT_SUBJECT: "exports",
            }.get(subject or "", "other")
            waiting[key] += int(n)
        latest = (
            sa.select(sa.func.max(AuditEntry.id))
            .where(AuditEntry.company_id == ctx.company_id, AuditEntry.action.in_(_LAST_ACTIONS))
            .group_by(AuditEntry.action)
        )
        last = {
            e.action: (e.at, dict(e.detail or {}))
            for e in session.scalars(sa.select(AuditEntry).where(AuditEntry.id.in_(latest)))
        }
    contact = None
    if ctx.edition is QuickBooksEdition.DESKTOP:
        contact = webconnector_status(ctx).last_contact_at
    return SyncStatus(
        ctx.edition,
        refresh.requested_at,
        refresh.refreshed_at,
        refresh.jobs,
        waiting,
        last,
        contact,
    )


@dataclass(frozen=True, slots=True)
class SyncRequested:
    job_list_command: str
    cost_code_list_command: str


def sync_now(ctx: AppContext, actor: Actor) -> SyncRequested:
    """*Sync Now*: ask QuickBooks for the job list and the service items of the cost code list
    at once, in one transaction (QuickBooks Online answers now; Desktop when the Web Connector
    next runs). Needs what both need: *Refresh Job List* and configuring the integration."""
    require(ctx, actor, Action.REFRESH_JOBS)
    require(ctx, actor, Action.CONFIGURE)
    reason = f"Sync Now by {actor.label}"
    with ctx.sessions.begin() as session:
        jobs = record_refresh(ctx, session, reason=reason)
        codes = record_cost_code_list(ctx, session, reason=reason)
    return SyncRequested(jobs, codes)


@dataclass(frozen=True, slots=True)
class AcceptChoices:
    """What accepting ``items`` asks of the approver."""

    items: list[queries.JobRow]
    mode: CustomerJobMode
    needs_customer: bool
    """A first export in Customer:Job mode goes under a customer the approver picks (or a new
    one); an update, or any export in "Customers = Jobs" mode, needs none."""


@dataclass(frozen=True, slots=True)
class JobsTab:
    """One page of the Jobs tab with what surrounds the list."""

    page: queries.JobsPage
    sync: SyncStatus
    mode: CustomerJobMode
    """Whether first exports go under a customer the approver picks (Customer:Job) or become
    customers themselves ("Customers = Jobs")."""


def tab(
    ctx: AppContext,
    actor: Actor,
    job_filter: queries.JobFilter,
    *,
    page: int = 1,
    per_page: int = 50,
    search: str = "",
) -> JobsTab:
    """The Jobs tab under ``job_filter`` (:func:`procore_qb.app.queries.jobs_page`, which
    checks the permission), the sync line and the company's customer/job mode."""
    found = queries.jobs_page(ctx, actor, job_filter, page=page, per_page=per_page, search=search)
    with ctx.sessions.begin() as session:
        mode = load_settings(session, ctx.company_id).customer_job_mode
    return JobsTab(found, _sync_status(ctx), mode)


def accept_choices(ctx: AppContext, actor: Actor, item_ids: Sequence[int]) -> AcceptChoices:
    """The export items about to be accepted, and whether a customer must be chosen."""
    require(ctx, actor, Action.ACCEPT)
    rows = queries.export_rows(ctx, item_ids)
    with ctx.sessions.begin() as session:
        mode = load_settings(session, ctx.company_id).customer_job_mode
    first_exports = any(r.quickbooks is None for r in rows)
    return AcceptChoices(
        rows, mode, needs_customer=first_exports and mode is CustomerJobMode.CUSTOMER_JOB
    )


@dataclass(frozen=True, slots=True)
class LinkChoices:
    """The staged QuickBooks job and the Procore projects it may be linked to."""

    item: queries.JobRow
    job: QuickBooksJob
    projects: list[ProcoreProject]
    """Unsynced, active, 'ERP-sync this Project', on the QuickBooks Standard Cost Codes list."""
    others: int
    """How many of the company's projects cannot be linked."""


def link_choices(ctx: AppContext, actor: Actor, item_id: int) -> LinkChoices:
    """*Link to Existing Project*: the projects that pass every rule of linking (spec
    procore-workflow §2.3 J2', §2.4), by name."""
    require(ctx, actor, Action.LINK)
    with ctx.sessions.begin() as session:
        row = session.get(ImportItem, item_id)
        if row is None or row.company_id != ctx.company_id:
            raise NotFound(f"no Jobs tab item import-{item_id}")
        job = job_from_json(row.snapshot)
        rules = eligibility_context(
            session, ctx.company_id, load_settings(session, ctx.company_id), ctx.limits
        )
    item = queries.job_row(ctx, "import", item_id)
    try:
        found = ctx.procore().projects(with_cost_codes=False)
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not list the projects: {exc}") from exc
    eligible = [p for p in found if not link_problems(p, job, rules)]
    eligible.sort(key=lambda p: (p.name.casefold(), p.id))
    return LinkChoices(item, job, eligible, len(found) - len(eligible))
