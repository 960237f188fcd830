"""Project stages: ``GET /rest/v1.0/companies/{company_id}/project_stages``."""

from __future__ import annotations

from collections.abc import Iterator

from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.sync import JSONObject

__all__ = ["ProjectStages"]


class ProjectStages:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(self) -> Iterator[JSONObject]:
        return self.client.paginate(f"/rest/v1.0/companies/{self.client.company_id}/project_stages")
