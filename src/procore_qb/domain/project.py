"""A Procore project as the rules see it: only the fields the workflow needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

__all__ = ["Address", "CostCode", "ProcoreProject"]


@dataclass(frozen=True, slots=True)
class Address:
    """A postal address as Procore holds it on a project."""

    line1: str = ""
    line2: str = ""
    city: str = ""
    state_code: str = ""
    zip: str = ""
    country_code: str = ""

    def is_empty(self) -> bool:
        return not any(
            (self.line1, self.line2, self.city, self.state_code, self.zip, self.country_code)
        )


@dataclass(frozen=True, slots=True)
class CostCode:
    """A project cost code; ``origin_id`` is set once it is synced to QuickBooks."""

    id: int
    full_code: str
    name: str
    origin_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProcoreProject:
    """The Procore side of a sync pair.

    ``standard_cost_code_list_id`` is the company cost code list the project uses;
    ``origin_id`` is the QuickBooks id written back on the project once it is synced.
    """

    id: int
    company_id: int
    name: str
    project_number: str = ""
    address: Address = field(default_factory=Address)
    start_date: date | None = None
    completion_date: date | None = None
    active: bool = True
    erp_sync: bool = False
    standard_cost_code_list_id: int | None = None
    cost_codes: tuple[CostCode, ...] = ()
    origin_id: str | None = None
