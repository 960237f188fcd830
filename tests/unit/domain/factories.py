"""Builders shared by the domain tests: an eligible project, a context, QuickBooks jobs, and
a driver that applies any export action to an item with sensible arguments."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from procore_qb.domain.eligibility import EligibilityContext
from procore_qb.domain.export_workflow import (
    CustomerChoice,
    ExportAction,
    ExportItem,
    ExportState,
)
from procore_qb.domain.limits import limits_for
from procore_qb.domain.project import Address, CostCode, ProcoreProject
from procore_qb.domain.quickbooks_job import QuickBooksEdition, QuickBooksJob

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
QB_LIST_ID = 77
PROJECT_ID = 1042
COMPANY_ID = 9
SENDER = 501
APPROVER = 502
JOB_ID = "80000012-1712345678"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def eligible_project(**changes: Any) -> ProcoreProject:
    project = ProcoreProject(
        id=PROJECT_ID,
        company_id=COMPANY_ID,
        name="Riverside Clinic",
        project_number="P-1042",
        address=Address(
            line1="12 River Rd",
            line2="Suite 4",
            city="Springfield",
            state_code="IL",
            zip="62701",
            country_code="US",
        ),
        start_date=date(2026, 4, 1),
        completion_date=date(2027, 1, 31),
        active=True,
        erp_sync=True,
        standard_cost_code_list_id=QB_LIST_ID,
        cost_codes=(CostCode(id=1, full_code="01-100", name="General Conditions"),),
    )
    return replace(project, **changes)


def qb_customer(name: str = "Acme", job_id: str = "80000001-1700000000") -> QuickBooksJob:
    return QuickBooksJob(name=name, full_name=name, id=job_id, version="1")


def qb_job(
    name: str,
    *,
    parent: QuickBooksJob | None = None,
    job_id: str = JOB_ID,
) -> QuickBooksJob:
    parent = parent or qb_customer()
    return QuickBooksJob(
        name=name,
        full_name=f"{parent.full_name}:{name}",
        id=job_id,
        version="1712345678",
        parent_id=parent.id,
        parent_full_name=parent.full_name,
    )


def context(
    edition: QuickBooksEdition = QuickBooksEdition.DESKTOP, **changes: Any
) -> EligibilityContext:
    return replace(
        EligibilityContext(limits=limits_for(edition), quickbooks_cost_code_list_id=QB_LIST_ID),
        **changes,
    )


def new_item() -> ExportItem:
    return ExportItem.new(project_id=PROJECT_ID, company_id=COMPANY_ID)


def apply(item: ExportItem, action: ExportAction, when: datetime = T0) -> ExportItem:
    """Perform ``action`` on ``item`` through its entity method, with valid arguments."""
    snapshot = eligible_project()
    match action:
        case ExportAction.SEND:
            return item.send(snapshot, by=SENDER, at=when)
        case ExportAction.RESEND:
            return item.resend(snapshot, by=SENDER, at=when)
        case ExportAction.RETRIEVE:
            return item.retrieve(by=SENDER, at=when)
        case ExportAction.REJECT:
            return item.reject(by=APPROVER, at=when, comment="Fix the project number")
        case ExportAction.ACCEPT:
            return item.accept(by=APPROVER, at=when, customer=CustomerChoice.existing("80000001"))
        case ExportAction.EXPORT_SUCCEEDED:
            return item.succeeded(
                job_id=JOB_ID, full_name="Acme:Riverside Clinic", version="2", at=when
            )
        case ExportAction.EXPORT_FAILED:
            return item.failed(message='The name "Riverside Clinic" is already in use.', at=when)
        case ExportAction.RETRY:
            return item.retry(by=APPROVER, at=when)
        case ExportAction.RESET:
            return item.reset(by=APPROVER, at=when)


# A path of actions from a new item to each reachable (state, job exists) pair.
PATHS: dict[tuple[ExportState, bool], tuple[ExportAction, ...]] = {
    (ExportState.UNSYNCED, False): (),
    (ExportState.READY_TO_EXPORT, False): (ExportAction.SEND,),
    (ExportState.REJECTED, False): (ExportAction.SEND, ExportAction.REJECT),
    (ExportState.EXPORTING, False): (ExportAction.SEND, ExportAction.ACCEPT),
    (ExportState.FAILED_TO_EXPORT, False): (
        ExportAction.SEND,
        ExportAction.ACCEPT,
        ExportAction.EXPORT_FAILED,
    ),
    (ExportState.SYNCED, True): (
        ExportAction.SEND,
        ExportAction.ACCEPT,
        ExportAction.EXPORT_SUCCEEDED,
    ),
    (ExportState.READY_TO_UPDATE, True): (
        ExportAction.SEND,
        ExportAction.ACCEPT,
        ExportAction.EXPORT_SUCCEEDED,
        ExportAction.RESEND,
    ),
    (ExportState.EXPORTING, True): (
        ExportAction.SEND,
        ExportAction.ACCEPT,
        ExportAction.EXPORT_SUCCEEDED,
        ExportAction.RESEND,
        ExportAction.ACCEPT,
    ),
    (ExportState.FAILED_TO_EXPORT, True): (
        ExportAction.SEND,
        ExportAction.ACCEPT,
        ExportAction.EXPORT_SUCCEEDED,
        ExportAction.RESEND,
        ExportAction.ACCEPT,
        ExportAction.EXPORT_FAILED,
    ),
}


def item_in(state: ExportState, in_quickbooks: bool) -> ExportItem:
    item = new_item()
    for step, action in enumerate(PATHS[(state, in_quickbooks)]):
        item = apply(item, action, at(step))
    assert item.state is state
    assert item.in_quickbooks is in_quickbooks
    return item
