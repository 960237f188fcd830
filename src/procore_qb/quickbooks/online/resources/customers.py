"""Customer: top-level customers and their jobs (sub-customers).

Rules (spec §A.2, XSD ``IntuitNamesTypes.xsd``): a job has ``Job=true`` and a ``ParentRef`` (one
without the other is fault 6150); ``BillWithParent`` only on jobs; ``Level``,
``FullyQualifiedName`` (``Parent:Job``) and ``RootCustomerRef`` are computed by QuickBooks;
``DisplayName`` is unique across customers, vendors and employees (fault 6240); customers are
deactivated (``Active=false``), never deleted.

Mapping to :class:`~procore_qb.domain.quickbooks_job.QuickBooksJob`: ``name`` ↔ ``DisplayName``,
``full_name`` ↔ ``FullyQualifiedName``, ``version`` ↔ ``SyncToken``, ``number`` ↔ ``AcctNum``,
``address`` ↔ ``BillAddr``, dates and status ↔ ``JobInfo``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any, ClassVar

from procore_qb.domain.quickbooks_job import JobAddress, JobStatus, QuickBooksJob
from procore_qb.quickbooks.online.resources.base import EntityResource, reader, ref, ref_value

__all__ = ["CustomerResource", "customer_body", "customer_to_job", "job_update_body"]

_ADDRESS_FIELDS = (
    ("line1", "Line1"),
    ("line2", "Line2"),
    ("city", "City"),
    ("state", "CountrySubDivisionCode"),
    ("postal_code", "PostalCode"),
    ("country", "Country"),
)


def _address(job: QuickBooksJob) -> dict[str, str]:
    return {
        qbo: getattr(job.address, ours)
        for ours, qbo in _ADDRESS_FIELDS
        if getattr(job.address, ours)
    }


def _job_info(job: QuickBooksJob) -> dict[str, str]:
    info: dict[str, str] = {}
    if job.status is not JobStatus.NONE:
        info["Status"] = job.status.value
    if job.start_date:
        info["StartDate"] = job.start_date.isoformat()
    if job.projected_end_date:
        info["ProjectedEndDate"] = job.projected_end_date.isoformat()
    return info


def customer_body(job: QuickBooksJob) -> dict[str, Any]:
    """The create body for a customer (no parent) or a job under ``job.parent_id``."""
    body: dict[str, Any] = {"DisplayName": job.name}
    if job.parent_id:
        body["Job"] = True
        body["ParentRef"] = ref(job.parent_id)
        body["BillWithParent"] = True
    address = _address(job)
    if address:
        body["BillAddr"] = address
    if job.number:
        body["AcctNum"] = job.number
    info = _job_info(job)
    if info:
        body["JobInfo"] = info
    if not job.active:
        body["Active"] = False
    return body


def job_update_body(job: QuickBooksJob) -> dict[str, Any]:
    """A sparse update of the fields we own; needs ``job.id`` and ``job.version``."""
    if not job.id or job.version is None:
        raise ValueError("updating a job needs its Id and SyncToken")
    body = customer_body(job)
    body["Id"] = job.id
    body["SyncToken"] = job.version
    body["Active"] = job.active
    return body


def _date(raw: Any) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw)[:10])
    except ValueError:
        return None


@reader("Customer")
def customer_to_job(customer: Mapping[str, Any]) -> QuickBooksJob:
    full_name = str(customer.get("FullyQualifiedName") or customer.get("DisplayName", ""))
    parent_id = ref_value(customer, "ParentRef")
    addr = customer.get("BillAddr") or {}
    info = customer.get("JobInfo") or {}
    try:
        status = JobStatus(str(info.get("Status", "None")))
    except ValueError:
        status = JobStatus.NONE
    return QuickBooksJob(
        name=str(customer.get("DisplayName", "")),
        full_name=full_name,
        id=str(customer["Id"]),
        version=str(customer.get("SyncToken", "0")),
        parent_id=parent_id,
        parent_full_name=full_name.rsplit(":", 1)[0] if parent_id and ":" in full_name else "",
        number=str(customer.get("AcctNum", "")),
        address=JobAddress(**{ours: str(addr.get(qbo, "")) for ours, qbo in _ADDRESS_FIELDS}),
        start_date=_date(info.get("StartDate")),
        projected_end_date=_date(info.get("ProjectedEndDate")),
        status=status,
        active=bool(customer.get("Active", True)),
    )


class CustomerResource(EntityResource):
    ENTITY: ClassVar[str] = "Customer"
    NAME_LIST: ClassVar[bool] = True

    def create_job(self, job: QuickBooksJob, *, request_id: str) -> dict[str, Any]:
        return self.create(customer_body(job), request_id=request_id)

    def update_job(self, job: QuickBooksJob, *, request_id: str) -> dict[str, Any]:
        return self.update(job_update_body(job), request_id=request_id)

    def top_level(self, *, include_inactive: bool = False) -> Iterator[dict[str, Any]]:
        return self.all(
            query=self.query().where("Job", "=", False), include_inactive=include_inactive
        )

    def jobs_and_customers(
        self, *, include_inactive: bool = False, modified_since: datetime | None = None
    ) -> Iterator[dict[str, Any]]:
        return self.all(include_inactive=include_inactive, modified_since=modified_since)

    def find_by_display_name(self, name: str) -> dict[str, Any] | None:
        rows = list(
            self.all(query=self.query().where("DisplayName", "=", name), include_inactive=True)
        )
        return rows[0] if rows else None

    def find_by_full_name(self, full_name: str) -> dict[str, Any] | None:
        query = self.query().where("FullyQualifiedName", "=", full_name)
        rows = list(self.all(query=query, include_inactive=True))
        return rows[0] if rows else None
