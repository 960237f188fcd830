"""The entities the simulator serves, by name and by URL path."""

from __future__ import annotations

from procore_qb.sandbox.qbo.entities.common import Context, EntitySpec, Record
from procore_qb.sandbox.qbo.entities.company import CompanyInfoSpec, PreferencesSpec
from procore_qb.sandbox.qbo.entities.lists import AccountSpec, ClassSpec, ItemSpec
from procore_qb.sandbox.qbo.entities.names import CustomerSpec, EmployeeSpec, VendorSpec
from procore_qb.sandbox.qbo.entities.transactions import (
    BillSpec,
    JournalEntrySpec,
    PurchaseSpec,
    VendorCreditSpec,
)

__all__ = ["SPECS", "Context", "EntitySpec", "Record", "spec_by_name", "spec_by_path"]

SPECS: tuple[EntitySpec, ...] = (
    CompanyInfoSpec(),
    PreferencesSpec(),
    CustomerSpec(),
    VendorSpec(),
    EmployeeSpec(),
    ItemSpec(),
    AccountSpec(),
    ClassSpec(),
    BillSpec(),
    PurchaseSpec(),
    VendorCreditSpec(),
    JournalEntrySpec(),
)


def spec_by_name(name: str, *, ignore_case: bool = False) -> EntitySpec | None:
    """The entity called ``name``: exactly (CDC's ``entities`` list), or ignoring case (the
    query language, see ``query.py``)."""
    for spec in SPECS:
        if spec.name == name or (ignore_case and spec.name.casefold() == name.casefold()):
            return spec
    return None


def spec_by_path(path: str) -> EntitySpec | None:
    """URL paths are the lower-case entity name (spec A.1)."""
    for spec in SPECS:
        if spec.path == path:
            return spec
    return None
