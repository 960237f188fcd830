"""Account: the income and expense accounts new cost-code items point at."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from procore_qb.domain.commands import AccountRecord
from procore_qb.quickbooks.online.resources.base import EntityResource, reader

__all__ = ["INCOME_AND_EXPENSE_TYPES", "AccountResource", "account_record"]

# AccountTypeEnum values (XSD Finance.xsd) that an item's IncomeAccountRef/ExpenseAccountRef uses.
INCOME_AND_EXPENSE_TYPES = (
    "Income",
    "Other Income",
    "Expense",
    "Other Expense",
    "Cost of Goods Sold",
)


@reader("Account")
def account_record(account: Mapping[str, Any]) -> AccountRecord:
    return AccountRecord(
        id=str(account["Id"]),
        name=str(account.get("Name", "")),
        full_name=str(account.get("FullyQualifiedName", account.get("Name", ""))),
        account_type=str(account.get("AccountType", "")),
        active=bool(account.get("Active", True)),
    )


class AccountResource(EntityResource):
    ENTITY: ClassVar[str] = "Account"
    NAME_LIST: ClassVar[bool] = True

    def income_and_expense(self) -> Iterator[dict[str, Any]]:
        return self.all(
            query=self.query().where("AccountType", "IN", list(INCOME_AND_EXPENSE_TYPES))
        )
