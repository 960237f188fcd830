"""The settings page's forms: what each one holds, and the typed changes read from what a
browser posted. Every value is checked here, each refusal naming the rule and the fix; the
use case (:func:`procore_qb.app.company.update_settings`) checks again.

Four forms: **general** (customer/job mode, default project template, what happens when a
synced job changes in QuickBooks), **schedule** (how often each list is synced: every
:class:`~procore_qb.app.company.Schedule` setting of :class:`CompanySettings`), **items** (the
QuickBooks accounts of the service items created for new cost codes), **job_costs** (Procore's
Budget Direct Cost Columns, and the account-to-cost-code table: one ``ACCOUNT ID = COST CODE``
a line).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from procore_qb.app.company import (
    MAX_ACCOUNT_TABLE,
    ChangePolicy,
    CompanySettings,
    CustomerJobMode,
    Schedule,
)
from procore_qb.domain.cost_code_items import DEFAULT_ITEM_NAME_PATTERN, compile_item_name_pattern
from procore_qb.domain.job_costs import DirectCostColumns

__all__ = [
    "ACCOUNT_FIELDS",
    "CHANGE_POLICY_LABELS",
    "COLUMN_LABELS",
    "FORMS",
    "MAX_ACCOUNT",
    "MAX_TABLE_TEXT",
    "MAX_TEMPLATE_ID",
    "MODE_LABELS",
    "PATTERN_FIELD",
    "PATTERN_LABEL",
    "SCHEDULE_LABELS",
    "FieldError",
    "FormResult",
    "account_table_text",
    "parse_form",
    "schedule_fields",
    "schedule_label",
]

MAX_ACCOUNT = 64
MAX_TEMPLATE_ID = 2**53
MAX_FIELD = 1000
"""Longer text than this is refused before it is looked at."""
MAX_CODE = 255
MAX_TABLE_TEXT = MAX_ACCOUNT_TABLE * (MAX_ACCOUNT + MAX_CODE + 8)
"""The account-to-cost-code table's text: its most rows at their longest."""
_TABLE = "job_cost_account_cost_codes"

MODE_LABELS = {
    CustomerJobMode.CUSTOMER_JOB: "Customer:Job (each project becomes a job under a customer)",
    CustomerJobMode.CUSTOMERS_ARE_JOBS: "Customers = Jobs (each project becomes a customer)",
}
CHANGE_POLICY_LABELS = {
    ChangePolicy.APPLY: "Apply to Procore",
    ChangePolicy.HOLD: "Hold for review",
}
SCHEDULE_LABELS = {
    Schedule.HOURLY: "Hourly",
    Schedule.EVERY_2_HOURS: "Every 2 hours",
    Schedule.EVERY_4_HOURS: "Every 4 hours",
    Schedule.DAILY: "Daily",
    Schedule.NEVER: "Never",
}
_LIST_NAMES = {
    # Procore's names for the lists (spec procore-workflow §3.2 [S12]).
    "job_list_schedule": "Refresh QuickBooks Job List",
    "cost_code_list_schedule": "Sync Standard Cost Codes",
    "job_cost_schedule": "Sync Project Job Costs",
}
COLUMN_LABELS = {c: c.label for c in DirectCostColumns}
ACCOUNT_FIELDS = {
    "item_income_account_id": "Income account",
    "item_expense_account_id": "Expense account",
}


def schedule_fields() -> list[str]:
    """The settings that are a sync schedule, in the order the settings declare them."""
    return [f.name for f in fields(CompanySettings) if isinstance(f.default, Schedule)]


def schedule_label(name: str) -> str:
    default = name.removesuffix("_schedule").replace("_", " ").capitalize()
    return _LIST_NAMES.get(name, default)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field that is not valid: its name, the rule, and what to do."""

    field: str
    rule: str
    message: str


@dataclass(frozen=True, slots=True)
class FormResult:
    changes: dict[str, Any]
    errors: list[FieldError]
    values: dict[str, str]
    """What was posted, as text (to show the form again as it was filled in)."""


def _choice(
    name: str, raw: str | None, allowed: type[enum.StrEnum], labels: Mapping[Any, str]
) -> tuple[Any, FieldError | None]:
    for member in allowed:
        if raw == member.value:
            return member, None
    words = " or ".join(f"'{labels[m]}'" for m in allowed)
    return None, FieldError(name, f"invalid_{name}", f"must be {words}: pick one")


def _template(raw: str | None) -> tuple[int | None, FieldError | None]:
    text = (raw or "").strip()
    if not text:
        return None, None
    if text.isascii() and text.isdigit() and len(text) <= 16 and 1 <= int(text) <= MAX_TEMPLATE_ID:
        return int(text), None
    return None, FieldError(
        "default_template_id",
        "invalid_default_template_id",
        "must be one of the company's project templates in Procore (or none): pick one from "
        "the list",
    )


PATTERN_FIELD = "item_name_pattern"
PATTERN_LABEL = "Item name pattern"


def _item_name_pattern(raw: str | None) -> tuple[str, FieldError | None]:
    text = (raw or "").strip()
    if not text:
        return DEFAULT_ITEM_NAME_PATTERN, None
    try:
        compile_item_name_pattern(text)
    except ValueError as exc:
        return "", FieldError(
            PATTERN_FIELD,
            f"invalid_{PATTERN_FIELD}",
            f"{exc}; leave it empty for the default (a leading number such as 01-100)",
        )
    return text, None


def _account(name: str, raw: str | None) -> tuple[str | None, FieldError | None]:
    text = (raw or "").strip()
    if not text:
        return None, None
    if len(text) <= MAX_ACCOUNT and text.isprintable():
        return text, None
    return None, FieldError(
        name,
        f"invalid_{name}",
        f"must be the account's id in QuickBooks (the ListID on Desktop, the Id on Online): at "
        f"most {MAX_ACCOUNT} characters, no control characters; leave it empty for none",
    )


def account_table_text(table: Mapping[str, str]) -> str:
    """The account-to-cost-code table as the form shows it: ``ACCOUNT ID = COST CODE`` a
    line, by account id."""
    return "".join(f"{account} = {code}\n" for account, code in sorted(table.items()))


def _table_error(message: str) -> FieldError:
    return FieldError(_TABLE, f"invalid_{_TABLE}", message)


def _account_table(raw: str) -> tuple[dict[str, str] | None, FieldError | None]:
    if len(raw) > MAX_TABLE_TEXT:
        return None, _table_error(
            f"must be at most {MAX_ACCOUNT_TABLE} lines: remove the accounts no cost goes to"
        )
    table: dict[str, str] = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        account, equals, code = (part.strip() for part in line.partition("="))
        if not equals or not account or not code:
            return None, _table_error(
                f"line {number}: must be ACCOUNT ID = COST CODE, e.g. 80000007-1795996800 = "
                "01-100 (the account's id in QuickBooks, then the cost code)"
            )
        if len(account) > MAX_ACCOUNT or not account.isprintable():
            return None, _table_error(
                f"line {number}: the account id must be at most {MAX_ACCOUNT} characters, no "
                "control characters (the ListID on Desktop, the Id on Online)"
            )
        if len(code) > MAX_CODE or not code.isprintable():
            return None, _table_error(
                f"line {number}: the cost code must be at most {MAX_CODE} characters, no "
                "control characters"
            )
        if account in table:
            return None, _table_error(
                f"line {number}: account {account} is already on line "
                f"{_line_of(raw, account)}: keep one cost code per account"
            )
        table[account] = code
    if len(table) > MAX_ACCOUNT_TABLE:
        return None, _table_error(
            f"must be at most {MAX_ACCOUNT_TABLE} lines: remove the accounts no cost goes to"
        )
    return table, None


def _line_of(raw: str, account: str) -> int:
    for number, line in enumerate(raw.splitlines(), start=1):
        if line.partition("=")[0].strip() == account:
            return number
    return 0


def parse_form(form: str, posted: Mapping[str, Any]) -> FormResult:
    """The changes the form ``form`` (``general``, ``schedule`` or ``items``) asks for, and
    each field that is not valid. Only the form's own fields are read."""
    if form not in FORMS:
        raise ValueError(f"unknown settings form {form!r}")
    values: dict[str, str] = {}
    for name in FORMS[form]():
        raw = posted.get(name)
        longest = MAX_TABLE_TEXT + 1 if name == _TABLE else MAX_FIELD
        values[name] = raw[:longest] if isinstance(raw, str) else ""
    changes: dict[str, Any] = {}
    errors: list[FieldError] = []

    def keep(name: str, parsed: tuple[Any, FieldError | None]) -> None:
        value, error = parsed
        if error is not None:
            errors.append(error)
        else:
            changes[name] = value.value if isinstance(value, enum.Enum) else value

    if form == "general":
        keep(
            "customer_job_mode",
            _choice("customer_job_mode", values["customer_job_mode"], CustomerJobMode, MODE_LABELS),
        )
        keep("default_template_id", _template(values["default_template_id"]))
        keep(
            "quickbooks_changes",
            _choice(
                "quickbooks_changes",
                values["quickbooks_changes"],
                ChangePolicy,
                CHANGE_POLICY_LABELS,
            ),
        )
    elif form == "job_costs":
        keep(
            "budget_direct_cost_columns",
            _choice(
                "budget_direct_cost_columns",
                values["budget_direct_cost_columns"],
                DirectCostColumns,
                COLUMN_LABELS,
            ),
        )
        keep(_TABLE, _account_table(values[_TABLE]))
    elif form == "schedule":
        for name in schedule_fields():
            keep(name, _choice(name, values[name], Schedule, SCHEDULE_LABELS))
    else:
        for name in ACCOUNT_FIELDS:
            keep(name, _account(name, values[name]))
        keep(PATTERN_FIELD, _item_name_pattern(values[PATTERN_FIELD]))
    return FormResult(changes, errors, values)


def _general_fields() -> list[str]:
    return ["customer_job_mode", "default_template_id", "quickbooks_changes"]


def _account_fields() -> list[str]:
    return [*ACCOUNT_FIELDS, PATTERN_FIELD]


def _job_cost_fields() -> list[str]:
    return ["budget_direct_cost_columns", _TABLE]


FORMS: dict[str, Callable[[], list[str]]] = {
    "general": _general_fields,
    "schedule": schedule_fields,
    "items": _account_fields,
    "job_costs": _job_cost_fields,
}
"""Each form and the fields it posts."""
