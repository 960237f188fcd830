"""Project types: ``GET /rest/v1.0/companies/{company_id}/project_types``."""

from __future__ import annotations

from collections.abc import Iterator

from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.sync import JSONObject

__all__ = ["ProjectTypes"]


class ProjectTypes:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(self) -> Iterator[JSONObject]:
        return self.client.paginate(f"/rest/v1.0/companies/{self.client.company_id}/project_types")
