"""Item: service and non-inventory items are the QuickBooks cost codes.

Rules (spec §A.3, XSD ``Finance.xsd``): ``Name`` unique, at most 100 characters; a ``Service``
item needs an ``IncomeAccountRef``; an ``ExpenseAccountRef`` is needed when purchase information
is given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar

from procore_qb.domain.commands import ItemRecord
from procore_qb.quickbooks.online.resources.base import EntityResource, reader, ref

__all__ = ["COST_CODE_TYPES", "ItemResource", "item_record", "service_item_body"]

COST_CODE_TYPES = ("Service", "NonInventory")


def service_item_body(
    name: str,
    *,
    description: str = "",
    income_account_id: str | None,
    expense_account_id: str | None = None,
) -> dict[str, Any]:
    if not income_account_id:
        raise ValueError(
            f"service item {name!r} needs an income account (QuickBooks requires "
            "IncomeAccountRef on Service items); choose one in the cost code settings"
        )
    body: dict[str, Any] = {
        "Name": name,
        "Type": "Service",
        "IncomeAccountRef": ref(income_account_id),
    }
    if description:
        body["Description"] = description
    if expense_account_id:
        body["ExpenseAccountRef"] = ref(expense_account_id)
        if description:
            body["PurchaseDesc"] = description
    return body


@reader("Item")
def item_record(item: Mapping[str, Any]) -> ItemRecord:
    return ItemRecord(
        id=str(item["Id"]),
        name=str(item.get("Name", "")),
        full_name=str(item.get("FullyQualifiedName", item.get("Name", ""))),
        version=str(item.get("SyncToken", "0")),
        item_type=str(item.get("Type", "")),
        description=str(item.get("Description", "")),
        active=bool(item.get("Active", True)),
    )


class ItemResource(EntityResource):
    ENTITY: ClassVar[str] = "Item"
    NAME_LIST: ClassVar[bool] = True

    def cost_codes(self, *, modified_since: datetime | None = None) -> Iterator[dict[str, Any]]:
        return self.all(
            query=self.query().where("Type", "IN", list(COST_CODE_TYPES)),
            modified_since=modified_since,
        )

    def find_by_name(self, name: str) -> dict[str, Any] | None:
        rows = list(self.all(query=self.query().where("Name", "=", name), include_inactive=True))
        return rows[0] if rows else None
