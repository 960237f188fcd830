"""CompanyInfo: the connected company's name and country (``GET /companyinfo/{realmId}``)."""

from __future__ import annotations

from typing import Any, ClassVar

from procore_qb.quickbooks.online.resources.base import EntityResource

__all__ = ["CompanyInfoResource"]


class CompanyInfoResource(EntityResource):
    ENTITY: ClassVar[str] = "CompanyInfo"

    def current(self) -> dict[str, Any]:
        return self.get(self.client.realm_id)

    def company_name(self) -> str:
        return str(self.current().get("CompanyName", ""))
