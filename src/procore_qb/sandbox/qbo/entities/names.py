"""Name lists: Customer (customers and jobs), Vendor, Employee (spec A.2, A.4).

Fields: XSD IntuitNamesTypes.xsd, complexTypes ``NameBase``, ``Customer``, ``Vendor``,
``Employee``. Names are never deleted: ``Active=false`` hides them (spec A.2).
"""

from __future__ import annotations

from typing import ClassVar

from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.entities.common import (
    Context,
    EntitySpec,
    Record,
    check_bool,
    check_enum,
    check_name_text,
    default_currency,
    name_owner,
)
from procore_qb.sandbox.qbo.entities.tree import place, tree_fields

__all__ = ["CustomerSpec", "EmployeeSpec", "VendorSpec"]

NAME_BASE = frozenset(
    {
        "Title",
        "GivenName",
        "MiddleName",
        "FamilyName",
        "Suffix",
        "CompanyName",
        "DisplayName",
        "PrintOnCheckName",
        "Active",
        "PrimaryPhone",
        "AlternatePhone",
        "Mobile",
        "Fax",
        "PrimaryEmailAddr",
        "WebAddr",
        "OtherContactInfo",
        "DefaultTaxCodeRef",
    }
)
NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")

# JobInfo.Status: enum Awarded, Closed, InProgress, None, NotAwarded, Pending (spec A.2, XSD).
JOB_STATUSES = ("Awarded", "Closed", "InProgress", "None", "NotAwarded", "Pending")


class NameSpec(EntitySpec):
    name_field: ClassVar[str | None] = "DisplayName"
    ignored = frozenset({"FullyQualifiedName", "Organization", "V4IDPseudonym"})

    def validate(self, ctx: Context, data: Record, current: Record | None) -> Record:
        check_bool(data, "Active")
        data.setdefault("Active", True)
        maximum = ctx.config.display_name_max
        for part in ("GivenName", "MiddleName", "FamilyName"):
            if data.get(part):
                check_name_text(part, data[part], 100)
        display = data.get("DisplayName")
        if not display:
            # "If not supplied, the system generates DisplayName by concatenating customer name
            # components" (spec A.2).
            display = " ".join(str(data[p]) for p in NAME_PARTS if data.get(p)) or data.get(
                "CompanyName"
            )
            if not display:
                raise faults.required_missing(
                    "DisplayName",
                    "supply DisplayName, or a name (GivenName, FamilyName) or CompanyName",
                )
        data["DisplayName"] = check_name_text("DisplayName", display, maximum)
        self.check_display_name(ctx, data, current)
        # PrintOnCheckName: "If not provided, this is populated from FullName"
        # (IntuitNamesTypes.xsd NameBase.PrintOnCheckName); a name's full name is its
        # DisplayName (Intuit's sample responses: "Red Rock Diner" prints as "Red Rock Diner").
        if not data.get("PrintOnCheckName"):
            data["PrintOnCheckName"] = data["DisplayName"]
        return data

    def check_display_name(self, ctx: Context, data: Record, current: Record | None) -> None:
        """Unique across Customer, Vendor and Employee, ignoring case -> 6240 (spec A.2)."""
        owner = name_owner(ctx.realm, self.name, data["DisplayName"])
        if owner is not None and (current is None or owner != f"{self.name}:{current['Id']}"):
            raise faults.duplicate_name()


class CustomerSpec(NameSpec):
    name = "Customer"
    writable = NAME_BASE | {
        "Taxable",
        "BillAddr",
        "ShipAddr",
        "OtherAddr",
        "ContactName",
        "AltContactName",
        "Notes",
        "Job",
        "BillWithParent",
        "ParentRef",
        "CustomerTypeRef",
        "SalesTermRef",
        "SalesRepRef",
        "PaymentMethodRef",
        "PriceLevelRef",
        "CreditLimit",
        "AcctNum",
        "CurrencyRef",
        "PreferredDeliveryMethod",
        "ResaleNum",
        "JobInfo",
        "ARAccountRef",
        "BusinessNumber",
        "PrimaryTaxIdentifier",
        "Source",
    }
    computed = frozenset(
        {
            "FullyQualifiedName",
            "Level",
            "RootCustomerRef",
            "Balance",
            "BalanceWithJobs",
            "IsProject",
        }
    )
    ignored = NameSpec.ignored | {"OpenBalanceDate", "TotalRevenue", "TotalExpense"}

    def validate(self, ctx: Context, data: Record, current: Record | None) -> Record:
        data = super().validate(ctx, data, current)
        for flag in ("Job", "BillWithParent", "Taxable"):
            check_bool(data, flag)
        data.setdefault("Job", False)
        data.setdefault("BillWithParent", False)
        # Filled in when absent, as every Customer QuickBooks Online returns carries them
        # (Intuit's Customer samples: "Bill's Windsurf Shop" and "Red Rock Diner"):
        # Taxable false unless a default tax code makes the customer taxable (the create
        # sample "King's Groceries" sends DefaultTaxCodeRef and reads back Taxable true);
        # PreferredDeliveryMethod "Print" (XSD: "Print, Email, or None"); the home currency.
        # python-quickbooks sends PreferredDeliveryMethod "" on every save and QuickBooks takes
        # it, so an empty value counts as not provided and no value is refused.
        data.setdefault("Taxable", data.get("DefaultTaxCodeRef") is not None)
        if not data.get("PreferredDeliveryMethod"):
            data["PreferredDeliveryMethod"] = "Print"
        default_currency(data)
        if data.get("ParentRef") is None:
            data.pop("ParentRef", None)
        # Job=true requires ParentRef and ParentRef requires Job=true: 6150 (spec A.2,
        # intuit/QuickBooks-V3-PHP-SDK#71 and #265).
        if data["Job"] != ("ParentRef" in data):
            raise faults.parent_ref_required()
        # A job cannot be turned back into a top-level customer: the same 6150
        # (intuit/QuickBooks-V3-PHP-SDK#265, spec A.2).
        if current is not None and current.get("Job") and not data["Job"]:
            raise faults.parent_ref_required()
        # BillWithParent is valid only for a Job/sub-customer (XSD doc string, spec A.2).
        if data["BillWithParent"] and not data["Job"]:
            raise faults.business_validation(
                "BillWithParent can be true only for a sub-customer or job (Job=true with a "
                "ParentRef); set BillWithParent to false for a top-level customer.",
                "BillWithParent",
            )
        parent = place(ctx, "Customer", data, current)
        if parent is not None:
            data["ParentRef"] = {"value": parent["Id"]}
        notes = data.get("Notes")
        if isinstance(notes, str) and len(notes) > 1024:
            # Notes: max 1024 characters (XSD doc string, spec A.2).
            raise faults.string_length("Notes", 1024, len(notes))
        job_info = data.get("JobInfo")
        if isinstance(job_info, dict) and "Status" in job_info:
            check_enum("JobInfo.Status", job_info["Status"], JOB_STATUSES)
        if data.get("ARAccountRef") is not None:
            data["ARAccountRef"] = ctx.named_ref("ARAccountRef", ("Account",), data["ARAccountRef"])
        return data

    def render(self, ctx: Context, record: Record) -> Record:
        out = dict(record)
        tree = tree_fields(ctx, "Customer", record, "DisplayName")
        out["FullyQualifiedName"] = tree["FullyQualifiedName"]
        out["Level"] = tree["Level"]
        root = tree.get("_root")
        if root is not None:
            out["RootCustomerRef"] = {"value": root["Id"], "name": root.get("DisplayName", "")}
        out.setdefault("Balance", 0)
        out.setdefault("BalanceWithJobs", 0)
        out.setdefault("IsProject", False)
        return out


class VendorSpec(NameSpec):
    name = "Vendor"
    writable = NAME_BASE | {
        "BillAddr",
        "OtherAddr",
        "TaxIdentifier",
        "TermRef",
        "AcctNum",
        "Vendor1099",
        "CurrencyRef",
        "APAccountRef",
        "CostRate",
        "BillRate",
        "TaxReportingBasis",
    }
    computed = frozenset({"Balance"})

    def validate(self, ctx: Context, data: Record, current: Record | None) -> Record:
        data = super().validate(ctx, data, current)
        check_bool(data, "Vendor1099")
        # Intuit's Vendor samples ("Books by Bessie") read back Vendor1099 false and the home
        # currency when the request sends neither.
        data.setdefault("Vendor1099", False)
        default_currency(data)
        return data

    def render(self, ctx: Context, record: Record) -> Record:
        out = dict(record)
        out.setdefault("Balance", 0)
        return out


class EmployeeSpec(NameSpec):
    name = "Employee"
    writable = NAME_BASE | {
        "EmployeeNumber",
        "PrimaryAddr",
        "BillableTime",
        "BillRate",
        "CostRate",
        "BirthDate",
        "Gender",
        "HiredDate",
        "ReleasedDate",
    }

    def validate(self, ctx: Context, data: Record, current: Record | None) -> Record:
        data = super().validate(ctx, data, current)
        check_bool(data, "BillableTime")
        # Intuit's Employee samples read back BillableTime false when the request left it out.
        data.setdefault("BillableTime", False)
        return data
