"""Permission templates of the company and of a project."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from procore_qb.procore.answers import answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.sync import JSONObject

__all__ = ["PermissionTemplates"]


class PermissionTemplates:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(self) -> Iterator[JSONObject]:
        """``{id, name, project_specific, type}`` items (spec procore-api §2.1)."""
        return self.client.paginate(
            f"/rest/v1.0/companies/{self.client.company_id}/permission_templates"
        )

    def show(self, template_id: int) -> JSONObject:
        data: Any = self.client.get(
            f"/rest/v1.0/companies/{self.client.company_id}/permission_templates/{template_id}"
        )
        return dict(answer_object(data, "permission template"))

    def for_project(self, project_id: int) -> Iterator[JSONObject]:
        return self.client.paginate(f"/rest/v1.0/projects/{project_id}/permission_templates")
