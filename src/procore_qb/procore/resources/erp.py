"""Procore's ERP platform endpoints (spec procore-api §3.4), for the later connector mode.

These are not in Procore's public API collection; paths are the ones Procore's ERP guides
printed (developers.procore.com ERP technical guide and events dictionary, 2022 revisions), and
``show_request`` uses the path the spec infers (§3.4 row 3, marked [I]).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from procore_qb.procore.answers import answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.errors import ProcoreUsageError
from procore_qb.procore.sync import JSONObject, SyncResult

__all__ = [
    "EXTERNAL_DATA_ITEM_TYPES",
    "LEGACY_STAGING",
    "REQUEST_DETAIL_STATUSES",
    "ErpPlatform",
]

LEGACY_STAGING = frozenset(
    {
        "vendors",
        "projects",
        "sub_jobs",
        "prime_contracts",
        "work_order_contracts",
        "purchase_order_contracts",
        "work_order_contract_line_items",
        "purchase_order_contract_line_items",
    }
)

REQUEST_DETAIL_STATUSES = frozenset({"in_progress", "success", "failed", "stale"})
EXTERNAL_DATA_ITEM_TYPES = frozenset(
    {
        "change_order", "contract_payment", "cost_code", "department", "item", "budget",
        "insurance", "invoice_payment", "line_item", "line_item_type", "markup",
        "payment_application", "payment_application_line_item", "prime_contract", "project",
        "purchase_order_contract", "requisition", "requisition_change_order_item",
        "requisition_contract_detail_item", "requisition_contract_item", "standard_cost_code",
        "sub_job", "tax_code", "vendor", "work_order_contract",
    }
)  # fmt: skip


class ErpPlatform:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    @property
    def _company(self) -> str:
        return f"/rest/v1.0/companies/{self.client.company_id}"

    def create_connection(self, service_url: str, metadata: Mapping[str, Any]) -> JSONObject:
        """Register the connector; the answer names the company's ERP cost code list."""
        data: Any = self.client.post(
            f"{self._company}/erp_connections",
            {"connection": {"service_url": service_url, "metadata": dict(metadata)}},
        )
        return dict(answer_object(data, "ERP connection"))

    def show_request(self, request_id: int) -> JSONObject:
        data: Any = self.client.get(f"{self._company}/erp_requests/{request_id}")
        return dict(answer_object(data, "ERP request"))

    def close_request_detail(
        self, detail_id: int, status: str, messages: Sequence[str] = ()
    ) -> JSONObject:
        if status not in REQUEST_DETAIL_STATUSES:
            raise ProcoreUsageError(
                f"ERP request detail status must be one of {sorted(REQUEST_DETAIL_STATUSES)}"
            )
        data: Any = self.client.patch(
            f"{self._company}/erp_request_details/{detail_id}",
            {"request_detail": {"status": status, "messages": list(messages)}},
        )
        return dict(answer_object(data, "ERP request detail"))

    def close_request_details(self, details: Sequence[Mapping[str, Any]]) -> SyncResult:
        """Close many details at once: items ``{"id", "status", "messages"}`` (§3.4 row 5).

        Sent as ``{"updates": [...]}`` like every other sync action; the 2022 guide printed a
        bare array, which the spec leaves open (§6.3).
        """
        items = []
        for detail in details:
            if detail.get("status") not in REQUEST_DETAIL_STATUSES:
                raise ProcoreUsageError(
                    f"ERP request detail status must be one of {sorted(REQUEST_DETAIL_STATUSES)}"
                )
            items.append(dict(detail))
        return self.client.sync(f"{self._company}/erp_request_details/sync", items)

    def stage(self, entity: str, updates: Sequence[Mapping[str, Any]]) -> SyncResult:
        """Legacy staging for the Ready to Import list, e.g. ``stage("projects", [...])``.

        ``PATCH /rest/v1.0/erp_<entity>/sync`` with ``{"company_id", "updates"}`` (§3.4 row 9).
        """
        if entity not in LEGACY_STAGING:
            raise ProcoreUsageError(
                f"legacy ERP staging exists for {sorted(LEGACY_STAGING)}, not {entity!r}"
            )
        return self.client.sync(
            f"/rest/v1.0/erp_{entity}/sync",
            [dict(u) for u in updates],
            body={"company_id": self.client.company_id},
        )

    def external_data_sync(self, updates: Sequence[Mapping[str, Any]]) -> SyncResult:
        """Set (or clear with ``origin_id: None``) the origin id of any Procore record."""
        items = []
        for update in updates:
            if update.get("item_type") not in EXTERNAL_DATA_ITEM_TYPES:
                raise ProcoreUsageError(
                    f"external data item_type {update.get('item_type')!r} is not one Procore "
                    "knows; see EXTERNAL_DATA_ITEM_TYPES"
                )
            items.append(dict(update))
        return self.client.sync(f"{self._company}/external_data/sync", items)

    def job_costs_sync(
        self, job_origin_id: str, updates: Sequence[Mapping[str, Any]]
    ) -> SyncResult:
        """Job-to-date figures per cost code and cost type for one synced project."""
        return self.client.sync(
            "/rest/v1.0/erp_job_costs/sync",
            [dict(u) for u in updates],
            body={"company_id": self.client.company_id, "job_origin_id": job_origin_id},
        )

    def delete_job_cost(self, job_cost_id: int) -> None:
        self.client.delete(f"/rest/v1.0/erp_job_costs/{job_cost_id}")

    def transactions_sync(
        self, project_id: int, updates: Sequence[Mapping[str, Any]]
    ) -> SyncResult:
        return self.client.sync(
            "/rest/v1.0/erp_transactions/sync",
            [dict(u) for u in updates],
            body={"project_id": project_id},
        )

    def cost_code_line_item_types_sync(
        self, project_id: int, updates: Sequence[Mapping[str, Any]]
    ) -> SyncResult:
        return self.client.sync(
            "/rest/v1.0/cost_code_line_item_types/sync",
            [dict(u) for u in updates],
            params={"project_id": project_id},
        )

    def delete_cost_code_line_item_type(self, assignment_id: int) -> None:
        """Remove a cost code / cost type assignment (the path is spelled as Procore prints it)."""
        self.client.delete(f"/rest/v1.0/cost_codes_line_item_types/{assignment_id}")

    def set_job_cost_transaction_syncing(self, project_id: int, enabled: bool) -> JSONObject:
        data: Any = self.client.patch(
            f"/rest/v1.0/projects/{project_id}/configuration",
            {"configuration": {"erp_job_cost_transaction_syncing_enabled": enabled}},
        )
        return {} if data is None else dict(answer_object(data, "project configuration"))
