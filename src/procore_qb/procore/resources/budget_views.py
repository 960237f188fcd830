"""Budget views and their detail rows: how a project's budget line items are read back.

``GET /rest/v1.0/budget_views?project_id`` lists the views of a project's budget;
``GET /rest/v1.0/budget_views/{budget_view_id}/detail_rows?project_id`` lists one row per budget
line item, filtered by ``cost_code_id[]``, ``category_id[]`` (the line item type) and
``budget_line_item_id[]`` (Procore's collection, "List Budget View Detail Rows"). A row's ``id``
is its budget line item; ``original_budget_amount`` is a string (procore_sdk's "Budget View
Detail Row" model). Procore offers no list of budget line items otherwise, so this is how one is
found by its natural key (cost code and cost type) before it is created.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.filters import QueryValue
from procore_qb.procore.sync import JSONObject

__all__ = ["BudgetViews"]


class BudgetViews:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(self, project_id: int) -> Iterator[JSONObject]:
        return self.client.paginate("/rest/v1.0/budget_views", {"project_id": project_id})

    def detail_rows(
        self,
        budget_view_id: int,
        project_id: int,
        *,
        cost_code_ids: Sequence[int] = (),
        category_ids: Sequence[int] = (),
    ) -> Iterator[JSONObject]:
        params: dict[str, QueryValue] = {"project_id": project_id}
        if cost_code_ids:
            params["cost_code_id[]"] = [int(i) for i in cost_code_ids]
        if category_ids:
            params["category_id[]"] = [int(i) for i in category_ids]
        return self.client.paginate(
            f"/rest/v1.0/budget_views/{int(budget_view_id)}/detail_rows", params
        )
