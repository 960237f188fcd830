"""Direct costs and their line items (+ sync); spec procore-api §2.5.

``/rest/v1.0/projects/{project_id}/direct_costs``: v1.0 create takes ``{"item": {...}}`` without
amounts; the amounts live on line items (``…/direct_costs/{id}/line_items`` and
``…/direct_costs/line_items/sync``). A direct cost with an ``origin_id`` is immutable in Procore.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from procore_qb.procore.answers import answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.filters import FilterValue, filter_params
from procore_qb.procore.resources.fields import check_fields
from procore_qb.procore.sync import JSONObject, SyncResult

__all__ = ["CREATE_FIELDS", "LINE_ITEM_FIELDS", "SYNC_FIELDS", "DirectCosts"]

CREATE_FIELDS = frozenset(
    {
        "invoice_number", "vendor_id", "direct_cost_type", "description", "direct_cost_date",
        "employee_id", "origin_data", "origin_id", "payment_date", "received_date", "status",
        "terms",
    }
)  # fmt: skip
"""Keys of ``item`` in ``POST /rest/v1.0/projects/{project_id}/direct_costs``."""
SYNC_FIELDS = CREATE_FIELDS | {"id", "currency_iso_code", "currency_exchange_rate"}
"""Keys of each item of ``updates`` in ``PATCH …/direct_costs/sync``."""
LINE_ITEM_FIELDS = frozenset(
    {
        "amount", "wbs_code_id", "cost_code_id", "description", "direct_cost_id",
        "extended_type", "quantity", "line_item_type_id", "origin_data", "origin_id",
        "unit_cost", "uom", "tax_code_id",
    }
)  # fmt: skip
"""Keys of ``line_item`` (create) and of ``updates`` items (``…/line_items/sync``, plus id)."""


class DirectCosts:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    @staticmethod
    def _base(project_id: int) -> str:
        return f"/rest/v1.0/projects/{project_id}/direct_costs"

    def list(self, project_id: int, **filters: FilterValue) -> Iterator[JSONObject]:
        """Filters: ``origin_id``, ``id=[...]``, ``invoice_number``, ``updated_at=(a, b)``..."""
        return self.client.paginate(self._base(project_id), filter_params(**filters))

    def show(self, project_id: int, direct_cost_id: int) -> JSONObject:
        data: Any = self.client.get(f"{self._base(project_id)}/{direct_cost_id}")
        return dict(answer_object(data, "direct cost"))

    def create(self, project_id: int, item: Mapping[str, Any]) -> JSONObject:
        data: Any = self.client.post(
            self._base(project_id), {"item": check_fields("direct cost", item, CREATE_FIELDS)}
        )
        return dict(answer_object(data, "direct cost"))

    def sync(self, project_id: int, updates: Sequence[Mapping[str, Any]]) -> SyncResult:
        items = [check_fields("direct cost sync item", u, SYNC_FIELDS) for u in updates]
        return self.client.sync(f"{self._base(project_id)}/sync", items)

    def all_line_items(self, project_id: int, **filters: FilterValue) -> Iterator[JSONObject]:
        """Every direct cost line item of the project ("List All Direct Cost Line Items");
        filters: ``direct_cost_id``, ``cost_code_id``, ``line_item_type_id`` (lists)."""
        return self.client.paginate(
            f"{self._base(project_id)}/line_items", filter_params(**filters)
        )

    def line_items(self, project_id: int, direct_cost_id: int) -> Iterator[JSONObject]:
        return self.client.paginate(f"{self._base(project_id)}/{direct_cost_id}/line_items")

    def create_line_item(
        self, project_id: int, direct_cost_id: int, line_item: Mapping[str, Any]
    ) -> JSONObject:
        data: Any = self.client.post(
            f"{self._base(project_id)}/{direct_cost_id}/line_items",
            {"line_item": check_fields("direct cost line item", line_item, LINE_ITEM_FIELDS)},
        )
        return dict(answer_object(data, "direct cost line item"))

    def sync_line_items(self, project_id: int, updates: Sequence[Mapping[str, Any]]) -> SyncResult:
        allowed = LINE_ITEM_FIELDS | {"id"}
        items = [check_fields("direct cost line item sync item", u, allowed) for u in updates]
        return self.client.sync(f"{self._base(project_id)}/line_items/sync", items)
