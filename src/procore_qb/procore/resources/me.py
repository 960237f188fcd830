"""The signed-in user: ``GET /rest/v1.0/me`` and ``GET /rest/v1.0/companies/{id}/me``."""

from __future__ import annotations

from typing import Any

from procore_qb.procore.answers import answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.sync import JSONObject

__all__ = ["Me"]


class Me:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def show(self) -> JSONObject:
        """``{"id", "login", "name"}`` of the token's user (spec procore-api §2.1)."""
        data: Any = self.client.get("/rest/v1.0/me")
        return dict(answer_object(data, "user"))

    def in_company(self) -> JSONObject:
        """The user as the client's company's Directory knows them."""
        data: Any = self.client.get(f"/rest/v1.0/companies/{self.client.company_id}/me")
        return dict(answer_object(data, "user"))
