"""Standard cost code lists and standard cost codes (+ sync); spec procore-api §2.4.

``/rest/v1.0/standard_cost_code_lists`` and ``/rest/v1.0/standard_cost_codes``; the sync body
is ``{"company_id", "standard_cost_code_list_id", "updates": [...]}``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from procore_qb.procore.answers import answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.filters import filter_params
from procore_qb.procore.resources.fields import check_fields
from procore_qb.procore.sync import JSONObject, SyncResult

__all__ = ["CODE_FIELDS", "SYNC_FIELDS", "StandardCostCodeLists", "StandardCostCodes"]

CODE_FIELDS = frozenset({"parent_id", "code", "name", "origin_data", "origin_id"})
"""Keys of ``standard_cost_code`` in create and update."""
SYNC_FIELDS = frozenset({"id", "name", "code", "parent_id", "origin_id", "origin_data"})
"""Keys of each item of ``updates`` in ``PATCH /rest/v1.0/standard_cost_codes/sync``."""


class StandardCostCodeLists:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(self) -> Iterator[JSONObject]:
        """``{id, name, is_erp_list, available_to_use_on_new_projects}`` items."""
        return self.client.paginate(
            "/rest/v1.0/standard_cost_code_lists", {"company_id": self.client.company_id}
        )

    def show(self, list_id: int) -> JSONObject:
        data: Any = self.client.get(
            f"/rest/v1.0/standard_cost_code_lists/{list_id}",
            {"company_id": self.client.company_id},
        )
        return dict(answer_object(data, "cost code list"))

    def create(self, name: str) -> JSONObject:
        data: Any = self.client.post(
            "/rest/v1.0/standard_cost_code_lists",
            {"company_id": self.client.company_id, "standard_cost_code_list": {"name": name}},
        )
        return dict(answer_object(data, "cost code list"))


class StandardCostCodes:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(self, list_id: int, *, origin_id: str | None = None) -> Iterator[JSONObject]:
        params: dict[str, Any] = {
            "company_id": self.client.company_id,
            "standard_cost_code_list_id": list_id,
        }
        params.update(filter_params(origin_id=origin_id))
        return self.client.paginate("/rest/v1.0/standard_cost_codes", params)

    def create(self, list_id: int, code: Mapping[str, Any]) -> JSONObject:
        data: Any = self.client.post(
            "/rest/v1.0/standard_cost_codes",
            {
                "company_id": self.client.company_id,
                "standard_cost_code_list_id": list_id,
                "standard_cost_code": check_fields("standard cost code", code, CODE_FIELDS),
            },
        )
        return dict(answer_object(data, "standard cost code"))

    def update(self, list_id: int, code_id: int, changes: Mapping[str, Any]) -> JSONObject:
        data: Any = self.client.patch(
            f"/rest/v1.0/standard_cost_codes/{code_id}",
            {
                "company_id": self.client.company_id,
                "standard_cost_code_list_id": list_id,
                "standard_cost_code": check_fields("standard cost code", changes, CODE_FIELDS),
            },
        )
        return dict(answer_object(data, "standard cost code"))

    def delete(self, code_id: int) -> None:
        self.client.delete(
            f"/rest/v1.0/standard_cost_codes/{code_id}", {"company_id": self.client.company_id}
        )

    def sync(self, list_id: int, updates: Sequence[Mapping[str, Any]]) -> SyncResult:
        items = [check_fields("standard cost code sync item", u, SYNC_FIELDS) for u in updates]
        return self.client.sync(
            "/rest/v1.0/standard_cost_codes/sync",
            items,
            body={"company_id": self.client.company_id, "standard_cost_code_list_id": list_id},
        )
