"""Companies the token can see: ``GET /rest/v1.0/companies`` (spec procore-api §2.1)."""

from __future__ import annotations

from collections.abc import Iterator

from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.sync import JSONObject

__all__ = ["Companies"]


class Companies:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    def list(self, *, include_free_companies: bool = False) -> Iterator[JSONObject]:
        params = {"include_free_companies": "true"} if include_free_companies else None
        return self.client.paginate("/rest/v1.0/companies", params)
