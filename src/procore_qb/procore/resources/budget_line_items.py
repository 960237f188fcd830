"""Budget line items: create, show, update and sync; spec procore-api §2.5.

v1.0 create takes ``cost_code_id`` + ``line_item_type_id``; the sync action is the exception
among Procore's syncs: ``POST /rest/v1.0/budget_line_items/sync`` with a ``budget_line_items``
key (not ``updates``) whose items reference ``wbs_code_id``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from procore_qb.procore.answers import answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.resources.fields import check_fields
from procore_qb.procore.sync import JSONObject, SyncResult

__all__ = ["CREATE_FIELDS", "SYNC_FIELDS", "BudgetLineItems"]

CREATE_FIELDS = frozenset(
    {
        "cost_code_id",
        "line_item_type_id",
        "original_budget_amount",
        "uom",
        "quantity",
        "unit_cost",
        "calculation_strategy",
    }
)
"""Keys of ``budget_line_item`` in ``POST /rest/v1.0/budget_line_items``."""
SYNC_FIELDS = frozenset(
    {
        "id",
        "wbs_code_id",
        "original_budget_amount",
        "uom",
        "quantity",
        "unit_cost",
        "calculation_strategy",
    }
)
"""Keys of each item of ``budget_line_items`` in ``POST /rest/v1.0/budget_line_items/sync``."""


class BudgetLineItems:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def create(self, project_id: int, item: Mapping[str, Any]) -> JSONObject:
        data: Any = self.client.post(
            "/rest/v1.0/budget_line_items",
            {
                "project_id": project_id,
                "budget_line_item": check_fields("budget line item", item, CREATE_FIELDS),
            },
        )
        return dict(answer_object(data, "budget line"))

    def show(self, project_id: int, item_id: int) -> JSONObject:
        data: Any = self.client.get(
            f"/rest/v1.0/budget_line_items/{item_id}", {"project_id": project_id}
        )
        return dict(answer_object(data, "budget line"))

    def sync(self, project_id: int, items: Sequence[Mapping[str, Any]]) -> SyncResult:
        checked = [check_fields("budget line item sync item", i, SYNC_FIELDS) for i in items]
        return self.client.sync(
            "/rest/v1.0/budget_line_items/sync",
            checked,
            body={"project_id": project_id},
            items_key="budget_line_items",
            method="POST",
        )
