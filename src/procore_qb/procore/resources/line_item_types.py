"""Line item types (cost types): ``/rest/v1.0/line_item_types`` (+ sync); spec procore-api §2.4.

The code is sent as ``csv_import_code`` and comes back as ``code``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.filters import filter_params
from procore_qb.procore.resources.fields import check_fields
from procore_qb.procore.sync import JSONObject, SyncResult

__all__ = ["SYNC_FIELDS", "LineItemTypes"]

SYNC_FIELDS = frozenset({"id", "name", "csv_import_code", "base_type", "origin_data", "origin_id"})
"""Keys of each item of ``updates`` in ``PATCH /rest/v1.0/line_item_types/sync``."""


class LineItemTypes:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(
        self, *, project_id: int | None = None, origin_id: str | None = None
    ) -> Iterator[JSONObject]:
        """Company cost types, or those of one project when ``project_id`` is given."""
        params: dict[str, Any] = (
            {"project_id": project_id}
            if project_id is not None
            else {"company_id": self.client.company_id}
        )
        params.update(filter_params(origin_id=origin_id))
        return self.client.paginate("/rest/v1.0/line_item_types", params)

    def sync(self, updates: Sequence[Mapping[str, Any]]) -> SyncResult:
        items = [check_fields("line item type sync item", u, SYNC_FIELDS) for u in updates]
        return self.client.sync(
            "/rest/v1.0/line_item_types/sync", items, body={"company_id": self.client.company_id}
        )
