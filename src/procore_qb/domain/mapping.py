"""The field mapping between a Procore project and a QuickBooks job, both ways.

=====================  =====================  ======================  =========================
Procore project        QuickBooksJob          qbXML (Desktop)         QBO (Online)
=====================  =====================  ======================  =========================
name                   name                   Name                    DisplayName
project_number         number                 AccountNumber           AcctNum
address.line1          address.line1          BillAddress/Addr1       BillAddr.Line1
address.line2          address.line2          BillAddress/Addr2       BillAddr.Line2
address.city           address.city           BillAddress/City        BillAddr.City
address.state_code     address.state          BillAddress/State       ...CountrySubDivisionCode
address.zip            address.postal_code    BillAddress/PostalCode  BillAddr.PostalCode
address.country_code   address.country        BillAddress/Country     BillAddr.Country
start_date             start_date             JobStartDate            JobInfo.StartDate
completion_date        projected_end_date     JobProjectedEndDate     JobInfo.ProjectedEndDate
active                 active, status         IsActive, JobStatus     Active, JobInfo.Status
=====================  =====================  ======================  =========================

(Element names from spec/quickbooks-api.md §A.2 and §B.2; the public Procore pages only
document name and address, spec/procore-workflow.md §1.3 and open question 2.)

**Reversibility.** Project → job → project gives back every mapped field. The other way
loses only what Procore cannot hold: QuickBooks keeps both ``IsActive`` and a six-valued
``JobStatus``, Procore one "Active Project" box. A project is active when its job is active and
not ``Closed``; an active project keeps the job's status (a ``Closed`` job is reopened as
``InProgress``), an inactive one makes the job inactive and ``Closed``. So a job round-trips
exactly when ``active`` agrees with ``status != Closed``. Values are copied as they are (no
trimming or country-code conversion): the eligibility rules and the edition adapters decide
what QuickBooks accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from procore_qb.domain.limits import HIERARCHY_SEPARATOR
from procore_qb.domain.project import Address, ProcoreProject
from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob

__all__ = [
    "FIELD_MAPPING",
    "ProjectFields",
    "address_from_job",
    "address_to_job",
    "apply_job",
    "job_fields",
    "job_status_for",
    "project_fields",
    "project_from_job_active",
    "project_to_job",
]

# (ProcoreProject attribute path, QuickBooksJob attribute path): the table above, as data.
FIELD_MAPPING: tuple[tuple[str, str], ...] = (
    ("name", "name"),
    ("project_number", "number"),
    ("address.line1", "address.line1"),
    ("address.line2", "address.line2"),
    ("address.city", "address.city"),
    ("address.state_code", "address.state"),
    ("address.zip", "address.postal_code"),
    ("address.country_code", "address.country"),
    ("start_date", "start_date"),
    ("completion_date", "projected_end_date"),
    ("active", "active"),
)


@dataclass(frozen=True, slots=True)
class ProjectFields:
    """The project fields that the mapping carries, without Procore's ids."""

    name: str
    project_number: str = ""
    address: Address = field(default_factory=Address)
    start_date: date | None = None
    completion_date: date | None = None
    active: bool = True


def project_fields(project: ProcoreProject) -> ProjectFields:
    return ProjectFields(
        name=project.name,
        project_number=project.project_number,
        address=project.address,
        start_date=project.start_date,
        completion_date=project.completion_date,
        active=project.active,
    )


def address_to_job(address: Address) -> JobAddress:
    return JobAddress(
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        state=address.state_code,
        postal_code=address.zip,
        country=address.country_code,
    )


def address_from_job(address: JobAddress) -> Address:
    return Address(
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        state_code=address.state,
        zip=address.postal_code,
        country_code=address.country,
    )


def job_status_for(active: bool, current: JobStatus | None = None) -> JobStatus:
    """The job status for a project's "Active Project" box, keeping ``current`` when it fits."""
    if not active:
        return JobStatus.CLOSED
    if current is None or current is JobStatus.CLOSED:
        return JobStatus.IN_PROGRESS
    return current


def project_from_job_active(job: QuickBooksJob) -> bool:
    """Procore's "Active Project" for ``job``: active in QuickBooks and not ``Closed``."""
    return job.active and job.status is not JobStatus.CLOSED


def project_to_job(
    project: ProcoreProject,
    *,
    existing: QuickBooksJob | None = None,
    parent_id: str | None = None,
    parent_full_name: str = "",
) -> QuickBooksJob:
    """The QuickBooks job for ``project``.

    For an update pass the job as QuickBooks has it (``existing``): its id, version and parent
    are kept. For a new job pass the chosen customer (``parent_id`` and/or
    ``parent_full_name``), or neither for a top-level customer.
    """
    if existing is not None:
        parent_id = parent_id or existing.parent_id
        parent_full_name = parent_full_name or existing.parent_full_name
    full_name = (
        f"{parent_full_name}{HIERARCHY_SEPARATOR}{project.name}" if parent_full_name else ""
    ) or project.name
    return QuickBooksJob(
        name=project.name,
        full_name=full_name,
        id=existing.id if existing else None,
        version=existing.version if existing else None,
        parent_id=parent_id,
        parent_full_name=parent_full_name,
        number=project.project_number,
        address=address_to_job(project.address),
        start_date=project.start_date,
        projected_end_date=project.completion_date,
        status=job_status_for(project.active, existing.status if existing else None),
        active=project.active,
    )


def job_fields(job: QuickBooksJob) -> ProjectFields:
    """The project fields for ``job`` (what *Add to Procore* fills in)."""
    return ProjectFields(
        name=job.name,
        project_number=job.number,
        address=address_from_job(job.address),
        start_date=job.start_date,
        completion_date=job.projected_end_date,
        active=project_from_job_active(job),
    )


def apply_job(project: ProcoreProject, job: QuickBooksJob) -> ProcoreProject:
    """``project`` with every mapped field taken from ``job``; Procore's ids are kept."""
    fields = job_fields(job)
    return replace(
        project,
        name=fields.name,
        project_number=fields.project_number,
        address=fields.address,
        start_date=fields.start_date,
        completion_date=fields.completion_date,
        active=fields.active,
    )
