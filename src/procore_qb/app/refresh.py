"""The QuickBooks job list: refreshed on a schedule and on demand ("Refresh Job List").

A refresh is a ``QueryJobs`` command: everything the first time, then only what changed since
the last answer (QuickBooks Online answers from change data capture, Desktop from modified-date
and deleted-list queries), so deletions come back too. Its answer (through
:mod:`procore_qb.app.results`) updates the mirror of the Customer:Job list and:

* stages jobs seen for the first time in *Ready to Import* (jobs in Customer:Job mode,
  top-level customers in "Customers = Jobs" mode), unless they are already synced or are the
  job of an export in flight;
* keeps staged and archived items' copies of their job current;
* for a synced job changed in QuickBooks (name, number, address, dates, status, active), applies
  the change to the Procore project or holds it for review, per the company setting;
* records a synced job deleted or made inactive in QuickBooks in the audit log; the Jobs tab
  shows it (the mirror keeps deleted records), it is never silently dropped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app.actors import Actor, require
from procore_qb.app.company import ChangePolicy, CustomerJobMode, load_settings
from procore_qb.app.context import AppContext
from procore_qb.app.rules import PROJECT_JOB
from procore_qb.domain.commands import CommandResult, QueryJobs, job_to_json
from procore_qb.domain.import_workflow import ImportItem as DomainImportItem
from procore_qb.domain.mapping import job_fields
from procore_qb.domain.permissions import Action
from procore_qb.domain.quickbooks_job import QuickBooksEdition, QuickBooksJob
from procore_qb.domain.times import QUICKBOOKS_CLOCK_SKEW
from procore_qb.store.models import ExportItem, QbCommand, RecordLink
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.mirror import QbJobs
from procore_qb.store.repositories.outbox import Outbox
from procore_qb.store.repositories.workflow import ImportItems

__all__ = [
    "APPLY_JOB_CHANGE_TASK",
    "REFRESH_SUBJECT",
    "RefreshStatus",
    "apply_refresh",
    "record_refresh",
    "refresh_due",
    "refresh_status",
    "request_refresh",
    "status_in",
    "webhook_refresh",
]

REFRESH_SUBJECT = "job_refresh"
APPLY_JOB_CHANGE_TASK = "procore-apply-job-change"
_AS_OF = "jobs_refresh_as_of"
_LAST = "jobs_refresh_last_at"
_REQUESTED = "jobs_refresh_requested_at"


def _iso(value: datetime) -> str:
    return value.isoformat()


def _parse(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


OVERLAP: timedelta = QUICKBOOKS_CLOCK_SKEW
"""An incremental refresh reads from this long before the last one's time: QuickBooks Desktop
compares modified dates on the QuickBooks machine's clock, which may drift from ours. Reading
a record twice is harmless (the mirror is updated in place)."""


def record_refresh(ctx: AppContext, session: Session, *, reason: str) -> str:
    """Record a job-list refresh in the caller's transaction; returns its command key."""
    companies = Companies(session)
    last = _parse(companies.setting(ctx.company_id, _AS_OF))
    since = None if last is None else last - OVERLAP
    key = f"r{uuid.uuid4().hex[:24]}"
    Outbox(session).record(
        ctx.company_id,
        QueryJobs(idempotency_key=key, modified_since=since, include_inactive=True),
        now=ctx.now(),
        subject_type=REFRESH_SUBJECT,
        subject_id=None,
    )
    companies.set_setting(ctx.company_id, _REQUESTED, _iso(ctx.now()), now=ctx.now())
    if ctx.edition is QuickBooksEdition.ONLINE:
        from procore_qb.app.export import QBO_DRAIN_TASK

        ctx.queue.enqueue(session, QBO_DRAIN_TASK, {"company_id": ctx.company_id}, lock=ctx.lock)
    AuditLog(session).append(
        at=ctx.now(),
        actor="system",
        action="job_list_refresh_requested",
        company_id=ctx.company_id,
        subject_type="company",
        subject_id=ctx.procore_company_id,
        detail={"reason": reason, "command": key, "since": since.isoformat() if since else None},
    )
    return key


_JOB_ENTITIES = frozenset({"customer"})


def webhook_refresh(ctx: AppContext) -> Callable[[Session, Sequence[Any]], None]:
    """What QuickBooks Online's change notifications trigger: a change to a customer or job
    records one incremental job-list refresh, in the transaction that records the events."""

    def enqueue(session: Session, events: Sequence[Any]) -> None:
        if any(str(getattr(e, "entity", "")).casefold() in _JOB_ENTITIES for e in events):
            record_refresh(ctx, session, reason="QuickBooks webhook")

    return enqueue


def request_refresh(ctx: AppContext, actor: Actor | None) -> str:
    """*Refresh Job List* (an ERP admin), or the schedule (``actor`` None)."""
    if actor is not None:
        require(ctx, actor, Action.REFRESH_JOBS)
    with ctx.sessions.begin() as session:
        return record_refresh(ctx, session, reason=actor.label if actor else "schedule")


def refresh_due(ctx: AppContext) -> bool:
    """Whether the company's job-list schedule calls for a refresh now."""
    with ctx.sessions.begin() as session:
        settings = load_settings(session, ctx.company_id)
        every = settings.job_list_schedule.every
        if every is None:
            return False
        last = _parse(Companies(session).setting(ctx.company_id, _REQUESTED))
    return last is None or ctx.now() - last >= every


class RefreshStatus:
    """When the job list was last asked for and last answered."""

    def __init__(
        self, requested_at: datetime | None, refreshed_at: datetime | None, jobs: int
    ) -> None:
        self.requested_at = requested_at
        self.refreshed_at = refreshed_at
        self.jobs = jobs

    @property
    def waiting(self) -> bool:
        return self.requested_at is not None and (
            self.refreshed_at is None or self.refreshed_at < self.requested_at
        )


def refresh_status(ctx: AppContext) -> RefreshStatus:
    with ctx.sessions.begin() as session:
        return status_in(session, ctx.company_id)


def status_in(session: Session, company_id: int) -> RefreshStatus:
    """:func:`refresh_status` in the caller's transaction (three queries)."""
    companies = Companies(session)
    return RefreshStatus(
        _parse(companies.setting(company_id, _REQUESTED)),
        _parse(companies.setting(company_id, _LAST)),
        QbJobs(session).count(company_id),
    )


def _stageable(job: QuickBooksJob, mode: CustomerJobMode) -> bool:
    return job.is_job if mode is CustomerJobMode.CUSTOMER_JOB else not job.is_job


def apply_refresh(ctx: AppContext, session: Session, row: QbCommand, result: CommandResult) -> None:
    now = ctx.now()
    companies = Companies(session)
    audit = AuditLog(session)
    if result.error is not None:
        audit.append(
            at=now,
            actor="QuickBooks",
            action="job_list_refresh_failed",
            company_id=ctx.company_id,
            subject_type="company",
            subject_id=ctx.procore_company_id,
            detail={"code": result.error.code, "error": result.error.message},
        )
        return
    settings = load_settings(session, ctx.company_id)
    mirror = QbJobs(session)
    new, changed = mirror.upsert(ctx.company_id, result.jobs, now=now)
    deleted = mirror.mark_deleted(ctx.company_id, result.deleted_ids, now=now)
    links = {
        qb_id: (procore_id, version)
        for qb_id, procore_id, version in session.execute(
            sa.select(RecordLink.qb_id, RecordLink.procore_id, RecordLink.qb_version).where(
                RecordLink.company_id == ctx.company_id, RecordLink.kind == PROJECT_JOB
            )
        )
    }
    exporting_names = {
        str((snapshot or {}).get("name", "")).casefold()
        for (snapshot,) in session.execute(
            sa.select(ExportItem.snapshot).where(
                ExportItem.company_id == ctx.company_id, ExportItem.state == "exporting"
            )
        )
    }
    exported_ids = {
        job_id
        for (job_id,) in session.execute(
            sa.select(ExportItem.qb_job_id).where(
                ExportItem.company_id == ctx.company_id, ExportItem.qb_job_id.is_not(None)
            )
        )
    }
    pending_updates = {
        int(project_id)
        for (project_id,) in session.execute(
            sa.select(ExportItem.procore_project_id).where(
                ExportItem.company_id == ctx.company_id,
                ExportItem.state.in_(("ready_to_update", "exporting", "failed_to_export")),
            )
        )
    }
    imports = ImportItems(session)
    staged = 0
    for job in [*new, *(after for _, after in changed)]:
        job_id = job.id or ""
        existing = imports.for_job(ctx.company_id, job_id)
        if existing is not None:
            if existing.item.job != job:
                imports.save(
                    existing.item.refreshed(job),
                    action="refreshed",
                    from_state=existing.item.state,
                    now=now,
                    expected_version=existing.version,
                )
            continue
        if (
            not _stageable(job, settings.customer_job_mode)
            or job_id in links
            or job_id in exported_ids
            or job.name.casefold() in exporting_names
            or not job.active
        ):
            continue
        imports.save(
            DomainImportItem.staged(company_id=ctx.company_id, job=job, at=now),
            action="staged",
            from_state=None,
            now=now,
            expected_version=None,
        )
        staged += 1
    for before, after in changed:
        link = links.get(after.id or "")
        if link is None:
            continue
        project_id = link[0]
        fields_before, fields_after = job_fields(before), job_fields(after)
        if fields_before == fields_after:
            continue
        what = sorted(
            name
            for name in (
                "name",
                "project_number",
                "address",
                "start_date",
                "completion_date",
                "active",
            )
            if getattr(fields_before, name) != getattr(fields_after, name)
        )
        # While a Procore edit waits to be sent to QuickBooks, QuickBooks' own edit is held:
        # applying it would overwrite the edit in Procore before the approver saw it.
        apply = (
            settings.quickbooks_changes is ChangePolicy.APPLY and project_id not in pending_updates
        )
        if apply:
            ctx.queue.enqueue(
                session,
                APPLY_JOB_CHANGE_TASK,
                {"project_id": project_id, "job": job_to_json(after)},
                lock=ctx.lock,
            )
        audit.append(
            at=now,
            actor="QuickBooks",
            action="quickbooks_change_applied" if apply else "quickbooks_change_held",
            company_id=ctx.company_id,
            subject_type="project",
            subject_id=project_id,
            detail={"job_id": after.id, "full_name": after.full_name, "changed": what},
        )
    for job_id in deleted:
        if job_id in links:
            audit.append(
                at=now,
                actor="QuickBooks",
                action="quickbooks_job_deleted",
                company_id=ctx.company_id,
                subject_type="project",
                subject_id=links[job_id][0],
                detail={"job_id": job_id},
            )
    if result.as_of is not None:
        companies.set_setting(ctx.company_id, _AS_OF, _iso(result.as_of), now=now)
    companies.set_setting(ctx.company_id, _LAST, _iso(now), now=now)
    audit.append(
        at=now,
        actor="QuickBooks",
        action="job_list_refreshed",
        company_id=ctx.company_id,
        subject_type="company",
        subject_id=ctx.procore_company_id,
        detail={
            "read": len(result.jobs),
            "new": len(new),
            "changed": len(changed),
            "deleted": len(deleted),
            "staged": staged,
            "command": row.idempotency_key,
        },
    )
