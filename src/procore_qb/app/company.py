"""Company settings of the integration, with their defaults and validation.

Stored one key each in ``company_settings``. Changing them needs 'Admin' on ERP Integrations
(spec §4 "Configure settings / sync schedule").
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from procore_qb.app.actors import Actor, require
from procore_qb.app.context import AppContext
from procore_qb.domain.cost_code_items import DEFAULT_ITEM_NAME_PATTERN, compile_item_name_pattern
from procore_qb.domain.job_costs import DirectCostColumns
from procore_qb.domain.permissions import Action
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.companies import Companies

__all__ = [
    "MAX_ACCOUNT_TABLE",
    "ChangePolicy",
    "CompanySettings",
    "CustomerJobMode",
    "Schedule",
    "load_settings",
    "read_settings",
    "save_settings",
    "update_settings",
]


class CustomerJobMode(enum.StrEnum):
    """ "Customer:Job": an export creates a job under the customer the approver picks, and
    imports take jobs. "Customers = Jobs": each export creates a top-level customer, and imports
    take top-level customers."""

    CUSTOMER_JOB = "customer_job"
    CUSTOMERS_ARE_JOBS = "customers_are_jobs"


class Schedule(enum.StrEnum):
    HOURLY = "hourly"
    EVERY_2_HOURS = "every_2_hours"
    EVERY_4_HOURS = "every_4_hours"
    DAILY = "daily"
    NEVER = "never"

    @property
    def every(self) -> timedelta | None:
        return _EVERY[self]


_EVERY = {
    Schedule.HOURLY: timedelta(hours=1),
    Schedule.EVERY_2_HOURS: timedelta(hours=2),
    Schedule.EVERY_4_HOURS: timedelta(hours=4),
    Schedule.DAILY: timedelta(days=1),
    Schedule.NEVER: None,
}


class ChangePolicy(enum.StrEnum):
    """What happens when a synced job is changed in QuickBooks (name, address, status)."""

    APPLY = "apply"
    """Apply the change to the Procore project."""
    HOLD = "hold"
    """Keep the project as it is and show the change for review."""


@dataclass(frozen=True, slots=True)
class CompanySettings:
    customer_job_mode: CustomerJobMode = CustomerJobMode.CUSTOMER_JOB
    default_template_id: int | None = None
    job_list_schedule: Schedule = Schedule.HOURLY
    quickbooks_changes: ChangePolicy = ChangePolicy.APPLY
    cost_code_list_schedule: Schedule = Schedule.DAILY
    """How often the QuickBooks Standard Cost Codes list is brought up to date with QuickBooks'
    service items and its unsynced codes put on the Cost Codes tab (Procore's "Sync Standard
    Cost Codes", spec procore-workflow §3.2 [S12])."""
    quickbooks_cost_code_list_id: int | None = None
    """The company's "QuickBooks Standard Cost Codes" list in Procore (set up on connect)."""
    item_income_account_id: str | None = None
    """Income account of the service items created for new cost codes (QuickBooks Online
    requires one on Service items)."""
    item_expense_account_id: str | None = None
    item_name_pattern: str = DEFAULT_ITEM_NAME_PATTERN
    """How a QuickBooks item's name splits into the standard cost code's code and description:
    a regular expression with the named groups ``code`` and ``description`` (names it does
    not match stay whole)."""
    budget_direct_cost_columns: DirectCostColumns = DirectCostColumns.READ_ONLY
    """Procore's budget direct cost columns: read only and populated from QuickBooks (the
    transactions become direct costs), or editable and not populated (spec §3.8)."""
    job_cost_schedule: Schedule = Schedule.EVERY_2_HOURS
    """How often the job costs of projects with job cost syncing are read (spec §3.2: project
    job costs every two hours)."""
    job_cost_account_cost_codes: dict[str, str] = field(default_factory=dict)
    """QuickBooks account id -> cost code: where lines coded to an account (not an item) go.
    Empty: such lines are reported as not mapped."""

    def to_json(self) -> dict[str, Any]:
        return {k: (v.value if isinstance(v, enum.Enum) else v) for k, v in asdict(self).items()}


_PARSERS: dict[str, Any] = {
    "customer_job_mode": CustomerJobMode,
    "default_template_id": lambda v: None if v is None else _positive(v, "default_template_id"),
    "job_list_schedule": Schedule,
    "quickbooks_changes": ChangePolicy,
    "cost_code_list_schedule": Schedule,
    "quickbooks_cost_code_list_id": lambda v: (
        None if v is None else _positive(v, "quickbooks_cost_code_list_id")
    ),
    "item_income_account_id": lambda v: _account(v, "item_income_account_id"),
    "item_expense_account_id": lambda v: _account(v, "item_expense_account_id"),
    "item_name_pattern": lambda v: _pattern(v),
    "budget_direct_cost_columns": DirectCostColumns,
    "job_cost_schedule": Schedule,
    "job_cost_account_cost_codes": lambda v: _account_table(v),
}

MAX_ACCOUNT_TABLE = 1000
"""Rows of the account-to-cost-code table (QuickBooks companies keep far fewer accounts)."""


def _account_table(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(
            "job_cost_account_cost_codes must be an object mapping QuickBooks account ids to "
            'cost codes, e.g. {"80000007-1795996800": "01-100"}'
        )
    if len(value) > MAX_ACCOUNT_TABLE:
        raise ValueError(
            f"job_cost_account_cost_codes holds at most {MAX_ACCOUNT_TABLE} accounts; "
            f"got {len(value)}"
        )
    table: dict[str, str] = {}
    for account, code in value.items():
        if _account(account, "each account id of job_cost_account_cost_codes") is None:
            raise ValueError("job_cost_account_cost_codes cannot hold an empty account id")
        if (
            not isinstance(code, str)
            or not code.strip()
            or len(code) > 255
            or not code.isprintable()
        ):
            raise ValueError(
                f"job_cost_account_cost_codes[{str(account)[:64]!r}] must be a cost code "
                "(1-255 printable characters)"
            )
        table[account] = code.strip()
    return table


def _pattern(value: Any) -> str:
    if value is None or value == "":
        return DEFAULT_ITEM_NAME_PATTERN
    if not isinstance(value, str):
        raise ValueError("item_name_pattern must be a regular expression (text)")
    compile_item_name_pattern(value)
    return value


def _account(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64 or not value.isprintable():
        raise ValueError(f"{name} must be a QuickBooks account id (at most 64 characters)")
    return value


def _positive(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**53:
        raise ValueError(f"{name} must be a positive whole number (a Procore id)")
    return value


def parse_changes(changes: dict[str, Any]) -> dict[str, Any]:
    """Validate a partial settings update; raises ValueError naming the setting and the
    allowed values."""
    out: dict[str, Any] = {}
    for key, raw in changes.items():
        parser = _PARSERS.get(key)
        if parser is None:
            raise ValueError(f"unknown setting {key!r}; known: {', '.join(sorted(_PARSERS))}")
        try:
            out[key] = parser(raw)
        except ValueError as exc:
            if isinstance(parser, type) and issubclass(parser, enum.Enum):
                allowed = ", ".join(m.value for m in parser)
                raise ValueError(f"{key} must be one of {allowed}") from exc
            raise
    return out


def load_settings(session: Session, company_id: int) -> CompanySettings:
    companies = Companies(session)
    values: dict[str, Any] = {}
    for key in _PARSERS:
        raw = companies.setting(company_id, key)
        if raw is None:
            continue
        try:
            values.update(parse_changes({key: raw}))
        except ValueError:
            continue  # a value from an older release: fall back to the default
    return CompanySettings(**values)


def save_settings(
    session: Session, company_id: int, changes: dict[str, Any], *, now: Any
) -> CompanySettings:
    parsed = parse_changes(changes)
    current = load_settings(session, company_id)
    updated = replace(current, **parsed)
    companies = Companies(session)
    stored = updated.to_json()
    for key in parsed:
        companies.set_setting(company_id, key, stored[key], now=now)
    return updated


def update_settings(ctx: AppContext, actor: Actor, changes: dict[str, Any]) -> CompanySettings:
    """An ERP admin changes settings; the audit log keeps the old and new values."""
    require(ctx, actor, Action.CONFIGURE)
    now = ctx.now()
    with ctx.sessions.begin() as session:
        before = load_settings(session, ctx.company_id).to_json()
        updated = save_settings(session, ctx.company_id, changes, now=now)
        after = updated.to_json()
        AuditLog(session).append(
            at=now,
            actor=actor.label,
            action="settings_changed",
            company_id=ctx.company_id,
            subject_type="company",
            subject_id=ctx.procore_company_id,
            detail={
                k: {"from": before[k], "to": after[k]} for k in changes if before[k] != after[k]
            },
        )
        return updated


def read_settings(ctx: AppContext, actor: Actor) -> CompanySettings:
    """The company's settings, for anyone with access to the ERP Integrations tool."""
    require(ctx, actor, Action.VIEW_JOBS)
    with ctx.sessions.begin() as session:
        return load_settings(session, ctx.company_id)
