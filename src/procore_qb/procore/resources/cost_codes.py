"""Project cost codes (+ sync): ``/rest/v1.0/cost_codes?project_id=…``; spec procore-api §2.4.

On ERP-integrated projects cost codes are created and updated only through ``cost_codes/sync``
(developers.procore.com ERP technical guide, 2022 revision).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from procore_qb.procore.answers import answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.filters import filter_params
from procore_qb.procore.resources.fields import check_fields
from procore_qb.procore.sync import JSONObject, SyncResult

__all__ = ["CODE_FIELDS", "SYNC_FIELDS", "CostCodes"]

CODE_FIELDS = frozenset(
    {"name", "code", "position", "origin_data", "origin_id", "parent_id", "standard_cost_code_id"}
)
"""Keys of ``cost_code`` in ``POST``/``PATCH /rest/v1.0/cost_codes``."""
SYNC_FIELDS = CODE_FIELDS | {"id"}
"""Keys of each item of ``updates`` in ``PATCH /rest/v1.0/cost_codes/sync``."""


class CostCodes:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(
        self,
        project_id: int,
        *,
        sub_job_id: int | None = None,
        origin_id: str | None = None,
    ) -> Iterator[JSONObject]:
        params: dict[str, Any] = {"project_id": project_id}
        if sub_job_id is not None:
            params["sub_job_id"] = sub_job_id
        params.update(filter_params(origin_id=origin_id))
        return self.client.paginate("/rest/v1.0/cost_codes", params)

    def show(self, project_id: int, cost_code_id: int) -> JSONObject:
        data: Any = self.client.get(
            f"/rest/v1.0/cost_codes/{cost_code_id}", {"project_id": project_id}
        )
        return dict(answer_object(data, "cost code"))

    def create(self, project_id: int, code: Mapping[str, Any]) -> JSONObject:
        data: Any = self.client.post(
            "/rest/v1.0/cost_codes",
            {"project_id": project_id, "cost_code": check_fields("cost code", code, CODE_FIELDS)},
        )
        return dict(answer_object(data, "cost code"))

    def update(self, project_id: int, cost_code_id: int, changes: Mapping[str, Any]) -> JSONObject:
        data: Any = self.client.patch(
            f"/rest/v1.0/cost_codes/{cost_code_id}",
            {
                "project_id": project_id,
                "cost_code": check_fields("cost code", changes, CODE_FIELDS),
            },
        )
        return dict(answer_object(data, "cost code"))

    def sync(
        self,
        project_id: int,
        updates: Sequence[Mapping[str, Any]],
        *,
        sub_job_id: int | None = None,
    ) -> SyncResult:
        params: dict[str, Any] = {"project_id": project_id}
        if sub_job_id is not None:
            params["sub_job_id"] = sub_job_id
        items = [check_fields("cost code sync item", u, SYNC_FIELDS) for u in updates]
        return self.client.sync("/rest/v1.0/cost_codes/sync", items, params=params)
