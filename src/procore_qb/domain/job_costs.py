"""Job costs: QuickBooks cost lines placed on a Procore project's cost codes.

Rules (spec procore-workflow §1.4, §3.8; spec quickbooks-api §A.5, §B.5):

* A cost line reaches a project cost code through its **item**: "Job cost transactions in
  QuickBooks Desktop must be coded to Service Items that are synced with Procore Cost Codes"
  (§3.8). A line coded to a G/L **account** instead (expense lines, journal entries) is placed
  only when the company keeps an account-to-cost-code table (a procore-qb setting); Procore's
  own connector drops such lines.
* A line that cannot be placed is kept and reported as *not mapped* with the reason and the
  fix (:class:`LineMapping`); it is never dropped silently.
* The lines of bills procore-qb itself wrote from Procore records (subcontractor invoices
  exported as bills) carry procore-qb's marker in the transaction memo; they are costs Procore
  already has, so they are *excluded* rather than imported a second time (peers: Agave's
  double-count guard, spec peers §2.5).
* Amounts are signed (credits reduce cost) and kept in whole cents; anything beyond
  :data:`MAX_CENTS` is refused as not mapped.
* Procore identities: a transaction becomes one direct cost per project, with
  ``origin_id`` = ``"<job id>|<transaction id>"`` (origin ids are unique per company, and one
  transaction may carry lines of several jobs), and each line a direct cost line item with
  ``"<job id>|<transaction id>|<line id>"``, so a second sync updates instead of duplicating.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from procore_qb.domain.commands import JobCostSource

__all__ = [
    "MAX_CENTS",
    "OWN_MARKER",
    "SOURCE_LABELS",
    "CostCodeMap",
    "DirectCostColumns",
    "LineMapping",
    "MappingReason",
    "created_by_procore_qb",
    "direct_cost_origin_id",
    "direct_cost_type",
    "line_origin_id",
    "map_line",
    "own_marker",
    "to_cents",
]

MAX_CENTS = 10**15
"""Ten trillion dollars: a line amount beyond this is not a cost, it is a malformed answer."""
_CENTS_DIGITS = 15
"""Digits before the point of a number of cents below :data:`MAX_CENTS`."""

OWN_MARKER = "procore-qb"
"""What procore-qb writes, as ``[procore-qb:<Procore record>]``, into the memo of every
transaction it creates in QuickBooks from a Procore record."""
_OWN_MARKER = re.compile(r"\[procore-qb:[^\]\r\n]{1,80}\]")


def own_marker(procore_record: str) -> str:
    """The marker for a transaction written from ``procore_record`` (e.g. ``requisition-42``)."""
    if not procore_record or len(procore_record) > 80 or not procore_record.isprintable():
        raise ValueError("the Procore record named in the marker must be 1-80 printable characters")
    if "]" in procore_record:
        raise ValueError("the Procore record named in the marker may not contain ']'")
    return f"[{OWN_MARKER}:{procore_record}]"


def created_by_procore_qb(txn_memo: str) -> bool:
    """Whether a transaction memo carries procore-qb's marker."""
    return bool(txn_memo) and _OWN_MARKER.search(txn_memo) is not None


class DirectCostColumns(enum.StrEnum):
    """The company's "Procore's Budget Direct Cost Columns" setting (spec §3.1, §3.8, [S14])."""

    READ_ONLY = "read_only"
    """"Read Only, Populate From QuickBooks": the QuickBooks transactions are written as
    synced direct costs, so the budget's direct cost column is QuickBooks' costs."""
    EDITABLE = "editable"
    """"Editable, Do Not Populate": no direct costs are written; people keep entering their
    own. The job-to-date cost per budget line (the ERP columns) is still written."""

    @property
    def label(self) -> str:
        return _COLUMN_LABELS[self]


_COLUMN_LABELS = {
    DirectCostColumns.READ_ONLY: "Read Only, Populate From QuickBooks",
    DirectCostColumns.EDITABLE: "Editable, Do Not Populate",
}


class MappingReason(enum.StrEnum):
    """Why a line is not on a cost code (stable codes; the API returns them)."""

    NO_ITEM_OR_ACCOUNT = "no_item_or_account"
    ITEM_NOT_COST_CODE = "item_not_cost_code"
    ACCOUNT_LINE = "account_line"
    ACCOUNT_NOT_IN_TABLE = "account_not_in_table"
    ACCOUNT_CODE_NOT_ON_PROJECT = "account_code_not_on_project"
    AMOUNT_OUT_OF_RANGE = "amount_out_of_range"
    CREATED_BY_PROCORE_QB = "created_by_procore_qb"


@dataclass(frozen=True, slots=True)
class CostCodeMap:
    """How a project's QuickBooks lines reach its cost codes.

    ``by_item``: QuickBooks item id -> project cost code id (the items the project's cost codes
    were built from). ``account_codes``: the company's account-to-cost-code table (QuickBooks
    account id -> cost code, as its code), empty when the company does not use one;
    ``by_code``: the project's cost codes by code (case-insensitive keys).
    """

    by_item: Mapping[str, int] = field(default_factory=dict)
    account_codes: Mapping[str, str] = field(default_factory=dict)
    by_code: Mapping[str, int] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """Changes whenever any line could map differently."""
        data = {
            "items": sorted(self.by_item.items()),
            "accounts": sorted(self.account_codes.items()),
            "codes": sorted(self.by_code.items()),
        }
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class LineMapping:
    """Where a line goes: ``cost_code_id``, or ``reason`` and ``message`` why nowhere."""

    cost_code_id: int | None
    reason: MappingReason | None = None
    message: str = ""

    @property
    def mapped(self) -> bool:
        return self.cost_code_id is not None


def map_line(item_id: str | None, account_id: str | None, cost_codes: CostCodeMap) -> LineMapping:
    """The project cost code of a line coded to ``item_id`` or ``account_id``."""
    if item_id:
        found = cost_codes.by_item.get(item_id)
        if found is not None:
            return LineMapping(found)
        return LineMapping(
            None,
            MappingReason.ITEM_NOT_COST_CODE,
            f"coded to QuickBooks item {item_id}, which is not a cost code of this project "
            "(the item is not on the QuickBooks Standard Cost Codes list, or the project does "
            "not have its cost code). Add the cost code to the project, or recode the line in "
            "QuickBooks to an item that is one, then sync again.",
        )
    if account_id:
        if not cost_codes.account_codes:
            return LineMapping(
                None,
                MappingReason.ACCOUNT_LINE,
                f"coded to QuickBooks account {account_id} without an item; costs reach a cost "
                "code through their item. Recode the line to an item in QuickBooks, or map the "
                "account to a cost code in the setting job_cost_account_cost_codes.",
            )
        code = cost_codes.account_codes.get(account_id)
        if code is None:
            return LineMapping(
                None,
                MappingReason.ACCOUNT_NOT_IN_TABLE,
                f"coded to QuickBooks account {account_id}, which the account-to-cost-code "
                "table (setting job_cost_account_cost_codes) does not list. Add the account "
                "to the table, then sync again.",
            )
        found = cost_codes.by_code.get(code.casefold())
        if found is None:
            return LineMapping(
                None,
                MappingReason.ACCOUNT_CODE_NOT_ON_PROJECT,
                f"coded to QuickBooks account {account_id}, which the account-to-cost-code "
                f"table maps to cost code {code}; this project has no cost code {code}. Add it "
                "to the project, then sync again.",
            )
        return LineMapping(found)
    return LineMapping(
        None,
        MappingReason.NO_ITEM_OR_ACCOUNT,
        "the line names neither an item nor an account in QuickBooks; code it to an item.",
    )


def to_cents(amount: Decimal) -> int:
    """``amount`` in whole cents (half-even at the third decimal); ValueError beyond
    :data:`MAX_CENTS` or for a value that is not a finite number."""
    if not amount.is_finite():
        raise ValueError(f"amount {amount} is not a finite number")
    if amount and amount.adjusted() >= _CENTS_DIGITS - 2:
        # Checked on the exponent first, so that no amount makes a huge integer below.
        raise ValueError(f"amount {amount} is beyond {MAX_CENTS // 100:,} in either direction")
    # A whole number of cents, as nearly every QuickBooks amount is: no rounding to do, at
    # two thirds of the cost of the quantize below (1.2 against 1.8 us an amount).
    scaled = amount.scaleb(2)
    cents = int(scaled)
    if cents == scaled and abs(cents) < MAX_CENTS:
        return cents
    try:
        cents = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    except ArithmeticError as exc:
        raise ValueError(f"amount {amount} is not a number") from exc
    if abs(cents) >= MAX_CENTS:
        raise ValueError(f"amount {amount} is beyond {MAX_CENTS // 100:,} in either direction")
    return cents


def direct_cost_origin_id(job_id: str, txn_id: str) -> str:
    return f"{job_id}|{txn_id}"


def line_origin_id(job_id: str, txn_id: str, line_id: str) -> str:
    return f"{job_id}|{txn_id}|{line_id}"


SOURCE_LABELS: dict[str, str] = {
    JobCostSource.BILL: "Bill",
    JobCostSource.CHECK: "Check",
    JobCostSource.CREDIT_CARD_CHARGE: "Credit card charge",
    JobCostSource.CREDIT_CARD_CREDIT: "Credit card credit",
    JobCostSource.VENDOR_CREDIT: "Vendor credit",
    JobCostSource.JOURNAL_ENTRY: "Journal entry",
    JobCostSource.PURCHASE: "Expense",
}
"""What people call each kind of QuickBooks transaction a cost comes from (pages, Procore
descriptions)."""

_DIRECT_COST_TYPES = {
    JobCostSource.BILL: "invoice",
    JobCostSource.VENDOR_CREDIT: "invoice",
}


def direct_cost_type(source: JobCostSource) -> str:
    """Procore's direct cost type of a QuickBooks transaction: bills and vendor credits are
    invoices; checks, card charges and credits, other purchases and journal entries are
    expenses (Procore's types: invoice, expense, payroll; spec procore-api §2.5)."""
    return _DIRECT_COST_TYPES.get(source, "expense")
