"""A QuickBooks customer or job as the rules see it, the same for Desktop and Online."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

__all__ = ["JobAddress", "JobStatus", "QuickBooksEdition", "QuickBooksJob"]


class QuickBooksEdition(enum.StrEnum):
    """Which QuickBooks the company keeps its books in."""

    DESKTOP = "desktop"
    ONLINE = "online"


class JobStatus(enum.StrEnum):
    """QuickBooks' job status (qbXML ``JobStatus``; QBO ``JobInfo.Status``), same enum in both."""

    AWARDED = "Awarded"
    CLOSED = "Closed"
    IN_PROGRESS = "InProgress"
    NONE = "None"
    NOT_AWARDED = "NotAwarded"
    PENDING = "Pending"


@dataclass(frozen=True, slots=True)
class JobAddress:
    """QuickBooks bill address (qbXML ``BillAddress``; QBO ``BillAddr``)."""

    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class QuickBooksJob:
    """A customer (``parent_id`` is None) or a job under a customer.

    ``id`` is the ListID on Desktop and the Id on Online; ``version`` is the EditSequence on
    Desktop and the SyncToken on Online. Both are None for a job not yet created.
    """

    name: str
    full_name: str = ""
    id: str | None = None
    version: str | None = None
    parent_id: str | None = None
    parent_full_name: str = ""
    number: str = ""
    address: JobAddress = field(default_factory=JobAddress)
    start_date: date | None = None
    projected_end_date: date | None = None
    status: JobStatus = JobStatus.NONE
    active: bool = True

    @property
    def is_job(self) -> bool:
        return self.parent_id is not None or bool(self.parent_full_name)
