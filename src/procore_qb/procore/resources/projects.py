"""Projects: list, show, create, update and sync (``/rest/v1.0/projects``; spec procore-api §2.2).

``origin_id``/``origin_data``/``origin_code`` mark a project synced with QuickBooks;
``standard_cost_code_list_id`` and ``erp_integrated`` are set through update.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from procore_qb.procore.answers import answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.filters import FilterValue, filter_params
from procore_qb.procore.resources.fields import check_fields
from procore_qb.procore.sync import JSONObject, SyncResult

__all__ = ["CREATE_FIELDS", "SYNC_FIELDS", "UPDATE_FIELDS", "Projects"]

_COMMON = frozenset(
    {
        "name", "active", "address", "city", "country_code", "description", "start_date",
        "completion_date", "total_value", "warranty_start_date", "warranty_end_date", "flag",
        "image_id", "office_id", "phone", "project_number", "public_notes", "project_stage_id",
        "square_feet", "state_code", "time_zone", "zip", "program_id", "project_bid_type_id",
        "project_type_id", "project_owner_type_id", "project_region_id", "project_template_id",
        "origin_id", "origin_data", "department_ids", "estimated_value", "estimated_start_date",
        "estimated_completion_date", "store_number", "accounting_project_number",
        "designated_market_area", "sector", "work_scope", "delivery_method",
        "project_sector_id",
    }
)  # fmt: skip
CREATE_FIELDS = _COMMON | {
    "code", "locale", "parent_job_id", "origin_code", "override_start_date",
    "override_start_date_check", "override_end_date", "override_end_date_check",
    "erp_integrated", "latitude", "longitude", "enable_copy_of_standard_cost_codes",
    "estimated_budget", "priority", "currency_configuration",
}  # fmt: skip
"""Keys of ``project`` in ``POST /rest/v1.0/projects``."""
UPDATE_FIELDS = _COMMON | {
    "county", "erp_integrated", "standard_cost_code_list_id", "fax", "locale",
    "parent_job_id", "origin_code",
}  # fmt: skip
"""Keys of ``project`` in ``PATCH /rest/v1.0/projects/{id}``."""
SYNC_FIELDS = _COMMON | {
    "id", "enable_copy_of_standard_cost_codes", "estimated_budget", "priority",
}  # fmt: skip
"""Keys of each item of ``updates`` in ``PATCH /rest/v1.0/projects/sync``."""


class Projects:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(self, *, by_status: str | None = None, **filters: FilterValue) -> Iterator[JSONObject]:
        """Projects of the company. ``by_status``: Active (Procore's default), Inactive or All.

        Filters: ``updated_at=(start, end)``, ``origin_id``, ``id=[...]``, ``name``, ``synced``.
        """
        params: dict[str, Any] = {"company_id": self.client.company_id}
        if by_status:
            params["filters[by_status]"] = by_status
        params.update(filter_params(**filters))
        return self.client.paginate("/rest/v1.0/projects", params)

    def show(self, project_id: int) -> JSONObject:
        data: Any = self.client.get(
            f"/rest/v1.0/projects/{project_id}", {"company_id": self.client.company_id}
        )
        return dict(answer_object(data, "project"))

    def create(self, project: Mapping[str, Any]) -> JSONObject:
        body = {
            "company_id": self.client.company_id,
            "project": check_fields("project create", project, CREATE_FIELDS),
        }
        data: Any = self.client.post("/rest/v1.0/projects", body)
        return dict(answer_object(data, "project"))

    def update(self, project_id: int, changes: Mapping[str, Any]) -> JSONObject:
        body = {
            "company_id": self.client.company_id,
            "project": check_fields("project update", changes, UPDATE_FIELDS),
        }
        data: Any = self.client.patch(f"/rest/v1.0/projects/{project_id}", body)
        return dict(answer_object(data, "project"))

    def sync(self, updates: Sequence[Mapping[str, Any]]) -> SyncResult:
        """Batch upsert matched by ``id`` or ``origin_id``; Procore advises against bulk create."""
        items = [check_fields("project sync item", u, SYNC_FIELDS) for u in updates]
        return self.client.sync(
            "/rest/v1.0/projects/sync", items, body={"company_id": self.client.company_id}
        )
