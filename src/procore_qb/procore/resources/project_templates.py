"""Project templates: ``GET /rest/v1.0/project_templates?company_id=…``."""

from __future__ import annotations

from collections.abc import Iterator

from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.sync import JSONObject

__all__ = ["ProjectTemplates"]


class ProjectTemplates:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(self) -> Iterator[JSONObject]:
        return self.client.paginate(
            "/rest/v1.0/project_templates", {"company_id": self.client.company_id}
        )
