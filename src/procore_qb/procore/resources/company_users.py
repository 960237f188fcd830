"""Company Directory users: ``/rest/v1.0/companies/{company_id}/users``.

Reading only: Procore's collection documents no body for ``users/sync``, so we do not send one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from procore_qb.procore.answers import answer_object
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.filters import FilterValue, filter_params
from procore_qb.procore.sync import JSONObject

__all__ = ["CompanyUsers"]


class CompanyUsers:
    def __init__(self, client: ProcoreClient) -> None:
        self.client = client

    @property
    def _base(self) -> str:
        return f"/rest/v1.0/companies/{self.client.company_id}/users"

    def list(self, **filters: FilterValue) -> Iterator[JSONObject]:
        """Filters: ``updated_at=(start, end)``, ``origin_id``, ``vendor_id``, ``search``..."""
        return self.client.paginate(self._base, filter_params(**filters))

    def show(self, user_id: int) -> JSONObject:
        data: Any = self.client.get(f"{self._base}/{user_id}")
        return dict(answer_object(data, "company user"))
