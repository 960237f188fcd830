"""Other lists: Item (cost codes), Account and Class (spec A.3, A.4; XSD Finance.xsd)."""

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
)
from procore_qb.sandbox.qbo.entities.tree import place, tree_fields

__all__ = ["ACCOUNT_TYPES", "ITEM_TYPES", "AccountSpec", "ClassSpec", "ItemSpec"]

ITEM_TYPES = (
    "Assembly",
    "Category",
    "Fixed Asset",
    "Group",
    "Inventory",
    "NonInventory",
    "Other Charge",
    "Payment",
    "Service",
    "Subtotal",
    "Discount",
    "Tax",
    "Tax Group",
    "Bundle",
)
"""XSD ``ItemTypeEnum`` (Finance.xsd; spec A.3)."""

CREATABLE_ITEM_TYPES = ("Service", "NonInventory", "Other Charge", "Inventory", "Category")
"""The types this simulator creates; the others are valid enum values it refuses to create."""

# IncomeAccountRef "Required for the following types: Assembly, Inventory, Other Charge,
# Product, Service" (Finance.xsd, Item.IncomeAccountRef; spec A.3).
NEEDS_INCOME_ACCOUNT = ("Assembly", "Inventory", "Other Charge", "Service")
# ExpenseAccountRef: "If the Purchase information (PurchaseDesc, PurchaseTaxIncluded,
# PurchaseCost, etc.) is provided, this account is required for ... Other Charge, Product,
# Service" (Finance.xsd, Item.ExpenseAccountRef; spec A.3).
NEEDS_EXPENSE_ACCOUNT_WITH_PURCHASE = ("Other Charge", "NonInventory", "Service")
PURCHASE_FIELDS = ("PurchaseDesc", "PurchaseCost", "PurchaseTaxIncluded")

ACCOUNT_TYPES = {
    # XSD AccountTypeEnum -> AccountClassificationEnum (Finance.xsd).
    "Bank": "Asset",
    "Accounts Receivable": "Asset",
    "Other Current Asset": "Asset",
    "Fixed Asset": "Asset",
    "Other Asset": "Asset",
    "Accounts Payable": "Liability",
    "Credit Card": "Liability",
    "Other Current Liability": "Liability",
    "Long Term Liability": "Liability",
    "Equity": "Equity",
    "Income": "Revenue",
    "Other Income": "Revenue",
    "Cost of Goods Sold": "Expense",
    "Expense": "Expense",
    "Other Expense": "Expense",
}

NAME_MAX = 100
"""Item and Class ``Name``: QBO max 100 characters (Finance.xsd doc strings; spec A.3, A.4)."""


class ItemSpec(EntitySpec):
    name = "Item"
    name_field: ClassVar[str | None] = "Name"
    writable = frozenset(
        {
            "Name",
            "Sku",
            "Description",
            "Active",
            "SubItem",
            "ParentRef",
            "Taxable",
            "UnitPrice",
            "Type",
            "IncomeAccountRef",
            "PurchaseDesc",
            "PurchaseCost",
            "PurchaseTaxIncluded",
            "SalesTaxIncluded",
            "ExpenseAccountRef",
            "COGSAccountRef",
            "AssetAccountRef",
            "PrefVendorRef",
            "TrackQtyOnHand",
            "QtyOnHand",
            "InvStartDate",
            "ClassRef",
            "Source",
        }
    )
    computed = frozenset({"FullyQualifiedName", "Level"})

    def validate(self, ctx: Context, data: Record, current: Record | None) -> Record:
        if not data.get("Name"):
            raise faults.required_missing("Name", "every item needs a Name")
        check_name_text("Name", data["Name"], NAME_MAX)
        for flag in ("Active", "SubItem", "Taxable", "TrackQtyOnHand"):
            check_bool(data, flag)
        data.setdefault("Active", True)
        # "The item name must be unique" (Finance.xsd Item.Name; spec A.3) -> 6240 [I].
        self.check_unique_name(ctx, data, current)
        if "Type" not in data:
            # Type defaulted to Service/Inventory only "for requests with minor versions earlier
            # than 4"; with minor version 4 and later it "is required to be explicitly set"
            # (Intuit API reference, Item.Type), and since 2025-08-01 every request is served
            # as minor version 75 (blogs.intuit.com/2025/01/21/changes-to-our-accounting-api).
            raise faults.required_missing("Type", "one of " + ", ".join(CREATABLE_ITEM_TYPES))
        check_enum("Type", data["Type"], ITEM_TYPES)
        if data["Type"] not in CREATABLE_ITEM_TYPES:
            raise faults.business_validation(
                f"Items of Type {data['Type']!r} cannot be created here; use one of "
                + ", ".join(CREATABLE_ITEM_TYPES),
                "Type",
            )
        item_type = data["Type"]
        if item_type in NEEDS_INCOME_ACCOUNT and not data.get("IncomeAccountRef"):
            raise faults.required_missing(
                "IncomeAccountRef", f"an item of Type {item_type!r} needs an income account"
            )
        if (
            item_type in NEEDS_EXPENSE_ACCOUNT_WITH_PURCHASE
            and any(data.get(f) not in (None, "", 0) for f in PURCHASE_FIELDS)
            and not data.get("ExpenseAccountRef")
        ):
            raise faults.required_missing(
                "ExpenseAccountRef",
                f"an item of Type {item_type!r} with purchase information needs an expense account",
            )
        if item_type == "Inventory":
            for element in ("AssetAccountRef", "COGSAccountRef"):
                if not data.get(element):
                    raise faults.required_missing(element, "an Inventory item needs it")
        for element in (
            "IncomeAccountRef",
            "ExpenseAccountRef",
            "COGSAccountRef",
            "AssetAccountRef",
        ):
            if data.get(element) is not None:
                data[element] = ctx.named_ref(element, ("Account",), data[element])
        if data.get("PrefVendorRef") is not None:
            data["PrefVendorRef"] = ctx.named_ref(
                "PrefVendorRef", ("Vendor",), data["PrefVendorRef"]
            )
        if data.get("ClassRef") is not None:
            data["ClassRef"] = ctx.named_ref("ClassRef", ("Class",), data["ClassRef"])
        # What every Item QuickBooks Online returns carries when the request left it out
        # (Intuit's Item samples, e.g. the Service item "Gardening" and the Inventory item
        # "Garden Supplies"): not taxable, no price or cost, quantity tracked only for Inventory
        # ("TrackQtyOnHand ... true if there is quantity on hand to be tracked", Finance.xsd).
        data.setdefault("Taxable", False)
        data.setdefault("UnitPrice", 0)
        data.setdefault("PurchaseCost", 0)
        data.setdefault("TrackQtyOnHand", item_type == "Inventory")
        if data.get("SubItem") and data.get("ParentRef") is None:
            raise faults.required_missing("ParentRef", "a sub-item (SubItem=true) needs ParentRef")
        parent = place(ctx, "Item", data, current)
        if parent is not None:
            data["ParentRef"] = {"value": parent["Id"]}
            data["SubItem"] = True
        else:
            data.pop("ParentRef", None)
            data["SubItem"] = False
        return data

    def render(self, ctx: Context, record: Record) -> Record:
        out = dict(record)
        tree = tree_fields(ctx, "Item", record, "Name")
        out["FullyQualifiedName"] = tree["FullyQualifiedName"]
        out["Level"] = tree["Level"]
        return out


class AccountSpec(EntitySpec):
    name = "Account"
    name_field: ClassVar[str | None] = "Name"
    writable = frozenset(
        {
            "Name",
            "SubAccount",
            "ParentRef",
            "Description",
            "Active",
            "AccountType",
            "AccountSubType",
            "AcctNum",
            "CurrencyRef",
            "OpeningBalance",
            "OpeningBalanceDate",
            "TaxCodeRef",
        }
    )
    computed = frozenset(
        {"FullyQualifiedName", "Classification", "CurrentBalance", "CurrentBalanceWithSubAccounts"}
    )

    def validate(self, ctx: Context, data: Record, current: Record | None) -> Record:
        if not data.get("Name"):
            raise faults.required_missing("Name", "every account needs a Name")
        check_name_text("Name", data["Name"], NAME_MAX)
        check_bool(data, "Active")
        data.setdefault("Active", True)
        self.check_unique_name(ctx, data, current)
        if "AccountType" not in data:
            raise faults.required_missing("AccountType", "one of " + ", ".join(ACCOUNT_TYPES))
        check_enum("AccountType", data["AccountType"], tuple(ACCOUNT_TYPES))
        # Accounts are in the home currency unless the request names another (Intuit's
        # Account samples carry CurrencyRef USD / United States Dollar).
        default_currency(data)
        parent = place(ctx, "Account", data, current)
        if parent is not None:
            data["ParentRef"] = {"value": parent["Id"]}
            data["SubAccount"] = True
        else:
            data.pop("ParentRef", None)
            data["SubAccount"] = False
        return data

    def render(self, ctx: Context, record: Record) -> Record:
        out = dict(record)
        out["FullyQualifiedName"] = tree_fields(ctx, "Account", record, "Name")[
            "FullyQualifiedName"
        ]
        out["Classification"] = ACCOUNT_TYPES.get(str(record.get("AccountType")), "Expense")
        out.setdefault("CurrentBalance", 0)
        out.setdefault("CurrentBalanceWithSubAccounts", 0)
        return out


class ClassSpec(EntitySpec):
    name = "Class"
    name_field: ClassVar[str | None] = "Name"
    writable = frozenset({"Name", "SubClass", "ParentRef", "Active"})
    computed = frozenset({"FullyQualifiedName"})

    def validate(self, ctx: Context, data: Record, current: Record | None) -> Record:
        if not data.get("Name"):
            raise faults.required_missing("Name", "every class needs a Name")
        check_name_text("Name", data["Name"], NAME_MAX)
        check_bool(data, "Active")
        data.setdefault("Active", True)
        self.check_unique_name(ctx, data, current)
        parent = place(ctx, "Class", data, current)
        if parent is not None:
            data["ParentRef"] = {"value": parent["Id"]}
            data["SubClass"] = True
        else:
            data.pop("ParentRef", None)
            data["SubClass"] = False
        return data

    def render(self, ctx: Context, record: Record) -> Record:
        out = dict(record)
        out["FullyQualifiedName"] = tree_fields(ctx, "Class", record, "Name")["FullyQualifiedName"]
        return out
