"""A broken rule, as data: a stable code for programs and a message for people."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from procore_qb.domain.errors import RuleViolation

__all__ = ["Problem", "RuleCode", "ensure_no_problems"]


class RuleCode(enum.StrEnum):
    """Stable codes of the eligibility rules; the HTTP API returns them as ``rule``."""

    PROJECT_INACTIVE = "project_inactive"
    ERP_SYNC_OFF = "erp_sync_off"
    NOT_ON_QUICKBOOKS_COST_CODES = "not_on_quickbooks_cost_codes"
    NO_COST_CODES = "no_cost_codes"
    NAME_BLANK = "name_blank"
    NAME_TOO_LONG = "name_too_long"
    NAME_FORBIDDEN_CHARACTER = "name_forbidden_character"
    ADDRESS_HAS_COMMA = "address_has_comma"
    ADDRESS_TOO_LONG = "address_too_long"
    PROJECT_NUMBER_TOO_LONG = "project_number_too_long"
    ALREADY_LINKED = "already_linked"
    JOB_ALREADY_EXISTS = "job_already_exists"
    PROJECT_NOT_UNSYNCED = "project_not_unsynced"
    JOB_ALREADY_LINKED = "job_already_linked"
    CUSTOMER_REQUIRED = "customer_required"
    CUSTOMER_NOT_FOUND = "customer_not_found"
    FULL_NAME_TOO_LONG = "full_name_too_long"
    TOO_MANY_LEVELS = "too_many_levels"
    PROJECT_NOT_SYNCED = "project_not_synced"
    JOB_COST_SYNC_OFF = "job_cost_sync_off"
    ITEM_NAME_TOO_LONG = "item_name_too_long"
    ITEM_NAME_FORBIDDEN_CHARACTER = "item_name_forbidden_character"
    ITEM_ACCOUNT_NOT_SET = "item_account_not_set"
    COST_CODE_IN_QUICKBOOKS = "cost_code_in_quickbooks"
    COST_CODE_IN_USE = "cost_code_in_use"


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: what is wrong and how to fix it, in Procore's words."""

    rule: RuleCode
    message: str


def ensure_no_problems(problems: Iterable[Problem]) -> None:
    """Raise :class:`RuleViolation` carrying every problem, if there is any."""
    found = tuple(problems)
    if found:
        raise RuleViolation(found)
