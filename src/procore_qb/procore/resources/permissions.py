"""The permission manifest of the token's user: ``GET /rest/v1.0/settings/permissions``.

``{"tools": [{id, name, friendly_name, user_access_level: {id, name}, permitted_actions: [...],
...}]}`` for the company (``company_id``) or one project (``project_id``); spec procore-api §2.1.
"""

from __future__ import annotations

from typing import Any

from procore_qb.procore.answers import answer_list, answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.sync import JSONObject

__all__ = ["PermissionManifest"]


class PermissionManifest:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def company(self) -> list[JSONObject]:
        """Company-level tools and the user's access level on each."""
        data: Any = self.client.get(
            "/rest/v1.0/settings/permissions", {"company_id": self.client.company_id}
        )
        return _tools(data)

    def project(self, project_id: int) -> list[JSONObject]:
        """Project-level tools (the project's Admin tool among them) on one project."""
        data: Any = self.client.get("/rest/v1.0/settings/permissions", {"project_id": project_id})
        return _tools(data)


def _tools(data: Any) -> list[JSONObject]:
    tools = answer_object(data, "permission manifest").get("tools")
    return answer_list(tools, "permission manifest tool")
