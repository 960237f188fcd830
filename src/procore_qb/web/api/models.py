"""Request and response bodies of the API (validated: every string and number is bounded)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

__all__ = [
    "AcceptBody",
    "BulkAcceptBody",
    "BulkRejectBody",
    "CostCodeIdsBody",
    "CostCodeRejectBody",
    "ImportBody",
    "JobCostSyncBody",
    "JobItem",
    "JobsList",
    "RejectBody",
]

ItemId = Annotated[
    str, Field(min_length=1, max_length=40, pattern=r"^(export|import)-[0-9]{1,18}$")
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AcceptBody(_Body):
    """The Customer choice: an existing QuickBooks customer, or a new one (Customer:Job mode).
    Leave both out to update a synced job, or in "Customers = Jobs" mode."""

    customer_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$"
    )
    new_customer: str | None = Field(default=None, min_length=1, max_length=255)

    @model_validator(mode="after")
    def _one(self) -> AcceptBody:
        if self.customer_id is not None and self.new_customer is not None:
            raise ValueError("choose either customer_id or new_customer, not both")
        return self


class BulkAcceptBody(AcceptBody):
    ids: list[ItemId] = Field(min_length=1, max_length=1000)


class RejectBody(_Body):
    comment: str = Field(default="", max_length=2000)


class BulkRejectBody(RejectBody):
    ids: list[ItemId] = Field(min_length=1, max_length=1000)


EntryId = Annotated[int, Field(ge=1, le=2**53)]


class CostCodeIdsBody(_Body):
    """Cost Codes tab entries to accept at once (all or none)."""

    ids: list[EntryId] = Field(min_length=1, max_length=1000)


class CostCodeRejectBody(CostCodeIdsBody):
    comment: str = Field(default="", max_length=2000)


class ImportBody(_Body):
    method: Literal["new", "link"]
    project_id: int | None = Field(default=None, ge=1, le=2**53)

    @model_validator(mode="after")
    def _project(self) -> ImportBody:
        if self.method == "link" and self.project_id is None:
            raise ValueError("method 'link' needs project_id (the unsynced project to link)")
        if self.method == "new" and self.project_id is not None:
            raise ValueError("method 'new' creates the project; leave project_id out")
        return self


class JobCostSyncBody(_Body):
    """``{"enabled": true}`` turns job cost syncing of the project on, ``false`` off."""

    enabled: StrictBool


class JobItem(BaseModel):
    id: str
    kind: Literal["export", "import"]
    state: str
    state_label: str
    name: str
    procore_project_id: int | None
    quickbooks: dict[str, Any] | None
    sent_by: str | None = None
    sent_at: datetime | None = None
    comment: str = ""
    error: str | None = None
    waiting_for: str | None = None
    quickbooks_flags: list[str] = []
    created_at: datetime | None = None
    updated_at: datetime | None = None


class JobsList(BaseModel):
    filter: str
    items: list[JobItem]
    total: int
    page: int
    per_page: int
    counts: dict[str, int]
