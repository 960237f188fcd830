"""The settings page's forms: what each one holds, and the typed changes read from what a
browser posted. Every value is checked here, each refusal naming the rule and the fix; the
use case (:func:`procore_qb.app.company.update_settings`) checks again.

Three forms: **general** (customer/job mode, default project template, what happens when a
synced job changes in QuickBooks), **schedule** (how often each list is synced: every
:class:`~procore_qb.app.company.Schedule` setting of :class:`CompanySettings`), **items** (the
QuickBooks accounts of the service items created for new cost codes).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from procore_qb.app.company import ChangePolicy, CompanySettings, CustomerJobMode, Schedule

__all__ = [
    "ACCOUNT_FIELDS",
    "CHANGE_POLICY_LABELS",
    "FORMS",
    "MAX_ACCOUNT",
    "MAX_TEMPLATE_ID",
    "MODE_LABELS",
    "SCHEDULE_LABELS",
    "FieldError",
    "FormResult",
    "parse_form",
    "schedule_fields",
    "schedule_label",
]

MAX_ACCOUNT = 64
MAX_TEMPLATE_ID = 2**53
MAX_FIELD = 1000
"""Longer text than this is refused before it is looked at."""

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


def parse_form(form: str, posted: Mapping[str, Any]) -> FormResult:
    """The changes the form ``form`` (``general``, ``schedule`` or ``items``) asks for, and
    each field that is not valid. Only the form's own fields are read."""
    if form not in FORMS:
        raise ValueError(f"unknown settings form {form!r}")
    values: dict[str, str] = {}
    for name in FORMS[form]():
        raw = posted.get(name)
        values[name] = raw[:MAX_FIELD] if isinstance(raw, str) else ""
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
    elif form == "schedule":
        for name in schedule_fields():
            keep(name, _choice(name, values[name], Schedule, SCHEDULE_LABELS))
    else:
        for name in ACCOUNT_FIELDS:
            keep(name, _account(name, values[name]))
    return FormResult(changes, errors, values)


def _general_fields() -> list[str]:
    return ["customer_job_mode", "default_template_id", "quickbooks_changes"]


def _account_fields() -> list[str]:
    return list(ACCOUNT_FIELDS)


FORMS: dict[str, Callable[[], list[str]]] = {
    "general": _general_fields,
    "schedule": schedule_fields,
    "items": _account_fields,
}
"""Each form and the fields it posts."""
