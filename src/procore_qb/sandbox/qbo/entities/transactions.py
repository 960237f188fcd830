"""Transactions that carry job cost: Bill, Purchase, VendorCredit, JournalEntry (spec A.5).

Fields: XSD Finance.xsd (``Transaction``, ``PurchaseByVendor``, ``Bill``, ``VendorCredit``,
``Purchase``, ``JournalEntry``, ``Line`` and its detail types). Transactions, unlike names, can be
deleted (``operation=delete``, spec A.9).
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from procore_qb.sandbox.qbo import faults
from procore_qb.sandbox.qbo.entities.common import (
    Context,
    EntitySpec,
    Record,
    check_enum,
    default_currency,
)

__all__ = ["BillSpec", "JournalEntrySpec", "PurchaseSpec", "VendorCreditSpec"]

TRANSACTION = frozenset(
    {
        "DocNumber",
        "TxnDate",
        "DepartmentRef",
        "CurrencyRef",
        "ExchangeRate",
        "PrivateNote",
        "TxnStatus",
        "LinkedTxn",
        "Line",
        "TxnTaxDetail",
        "TxnSource",
    }
)
TAXED = frozenset({"GlobalTaxCalculation"})
LINE_FIELDS = frozenset({"Id", "LineNum", "Description", "Amount", "LinkedTxn", "DetailType"})
EXPENSE_DETAILS = ("ItemBasedExpenseLineDetail", "AccountBasedExpenseLineDetail")
# BillableStatus enum: Billable, NotBillable, HasBeenBilled (XSD, spec A.5).
BILLABLE = ("Billable", "NotBillable", "HasBeenBilled")
# PaymentType: Cash, Check, CreditCard (XSD Purchase.PaymentType, spec A.5).
PAYMENT_TYPES = ("Cash", "Check", "CreditCard")
POSTING_TYPES = ("Credit", "Debit")
# JournalEntryLineDetail.Entity.Type: Customer, Employee, Job, Other, Vendor (spec A.5).
ENTITY_TYPES = {
    "Customer": "Customer",
    "Job": "Customer",
    "Vendor": "Vendor",
    "Employee": "Employee",
}
DOC_NUMBER_MAX = 21
"""DocNumber: max 21 characters (Finance.xsd Transaction.DocNumber doc string)."""


def amount(element: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise faults.required_missing(element, "a number is required")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise faults.invalid_property(element, "a number") from None
    # Amounts go back as JSON numbers (doubles, as every answer's are): one beyond a double,
    # however it is written ("1E+400" as a string, say), is refused as NaN and Infinity are,
    # never kept to come back as null (Finance.xsd ``Line.Amount`` is an xs:decimal, which
    # has no infinite value).
    if not result.is_finite() or not math.isfinite(float(result)):
        raise faults.invalid_property(element, "a finite number")
    return result


def check_date(element: str, value: object) -> None:
    """``xs:date`` fields: YYYY-MM-DD (Finance.xsd)."""
    try:
        date.fromisoformat(str(value))
    except ValueError:
        raise faults.invalid_property(
            element, f"a date as YYYY-MM-DD ({value!r} is not one)"
        ) from None


def as_number(value: Decimal) -> float:
    return float(value)


class TransactionSpec(EntitySpec):
    deletable = True
    details: tuple[str, ...] = EXPENSE_DETAILS

    def validate(self, ctx: Context, data: Record, current: Record | None) -> Record:
        doc = data.get("DocNumber")
        if isinstance(doc, str) and len(doc) > DOC_NUMBER_MAX:
            raise faults.string_length("DocNumber", DOC_NUMBER_MAX, len(doc))
        data.setdefault("TxnDate", ctx.now.date().isoformat())
        for element in ("TxnDate", "DueDate"):
            if element in data:
                check_date(element, data[element])
        lines = data.get("Line")
        if not isinstance(lines, list) or not lines:
            raise faults.required_missing("Line", f"a {self.name} needs at least one line")
        total = Decimal(0)
        checked: list[Record] = []
        for index, line in enumerate(lines, start=1):
            checked.append(self.line(ctx, index, line))
            total += self.line_total(checked[-1])
        if not math.isfinite(float(total)):
            # Lines each within a double whose total is not: TotalAmt could not be answered.
            raise faults.invalid_property("Line.Amount", f"{self.name} (the lines' total)")
        data["Line"] = checked
        self.header(ctx, data)
        self.check_total(checked)
        data["TotalAmt"] = as_number(total)
        # CurrencyRef: "If not specified, the home currency is used" (Intuit API reference,
        # Bill/Purchase/VendorCredit/JournalEntry; Finance.xsd Transaction.CurrencyRef).
        default_currency(data)
        return data

    def line(self, ctx: Context, index: int, line: Any) -> Record:
        if not isinstance(line, dict):
            raise faults.invalid_property("Line", f"{self.name} (each line must be an object)")
        detail_type = line.get("DetailType")
        if detail_type is None:
            raise faults.required_missing("Line.DetailType", "one of " + ", ".join(self.details))
        check_enum("Line.DetailType", detail_type, self.details)
        unknown = set(line) - LINE_FIELDS - {detail_type}
        if unknown:
            raise faults.invalid_property(f"Line.{sorted(unknown)[0]}", self.name)
        detail = line.get(detail_type)
        if not isinstance(detail, dict):
            raise faults.required_missing(
                f"Line.{detail_type}", f"a {detail_type} line carries a {detail_type} object"
            )
        value = amount("Line.Amount", line.get("Amount"))
        out: Record = {
            "Id": str(line.get("Id") or index),
            "LineNum": index,
            "Amount": as_number(value),
            "DetailType": detail_type,
            detail_type: self.detail(ctx, detail_type, dict(detail)),
        }
        if line.get("Description") is not None:
            out["Description"] = line["Description"]
        if line.get("LinkedTxn") is not None:
            out["LinkedTxn"] = line["LinkedTxn"]
        return out

    def line_total(self, line: Record) -> Decimal:
        return Decimal(str(line["Amount"]))

    def detail(self, ctx: Context, detail_type: str, detail: Record) -> Record:
        """``ItemBasedExpenseLineDetail`` / ``AccountBasedExpenseLineDetail`` (spec A.5)."""
        if detail_type == "ItemBasedExpenseLineDetail":
            if "ItemRef" not in detail:
                raise faults.required_missing("ItemRef", "an item-based line names its item")
            detail["ItemRef"] = ctx.named_ref("ItemRef", ("Item",), detail["ItemRef"])
        else:
            if "AccountRef" not in detail:
                raise faults.required_missing(
                    "AccountRef", "an account-based line names its account"
                )
            detail["AccountRef"] = ctx.named_ref("AccountRef", ("Account",), detail["AccountRef"])
        if detail.get("CustomerRef") is not None:
            # The job the cost belongs to (spec A.5).
            detail["CustomerRef"] = ctx.named_ref(
                "CustomerRef", ("Customer",), detail["CustomerRef"]
            )
        if detail.get("ClassRef") is not None:
            detail["ClassRef"] = ctx.named_ref("ClassRef", ("Class",), detail["ClassRef"])
        if "BillableStatus" in detail:
            check_enum("BillableStatus", detail["BillableStatus"], BILLABLE)
        return detail

    def header(self, ctx: Context, data: Record) -> None:
        """Header checks of the concrete transaction."""

    def check_total(self, lines: list[Record]) -> None:
        """Whole-transaction checks after the lines."""


class VendorTransactionSpec(TransactionSpec):
    def header(self, ctx: Context, data: Record) -> None:
        if data.get("VendorRef") is None:
            raise faults.required_missing("VendorRef", f"a {self.name} is owed to a vendor")
        data["VendorRef"] = ctx.named_ref("VendorRef", ("Vendor",), data["VendorRef"])
        if data.get("APAccountRef") is not None:
            data["APAccountRef"] = ctx.named_ref("APAccountRef", ("Account",), data["APAccountRef"])
        else:
            # "Many/most small businesses have a single AP account, so the account is implied
            # ... The AP Account should always be specified or a default will be used"
            # (Finance.xsd Bill.APAccountRef): the company's first Accounts Payable account.
            payable = next(
                (
                    a
                    for a in ctx.visible("Account")
                    if a.get("AccountType") == "Accounts Payable" and a.get("Active", True)
                ),
                None,
            )
            if payable is not None:
                data["APAccountRef"] = {"value": payable["Id"], "name": payable.get("Name", "")}

    def validate(self, ctx: Context, data: Record, current: Record | None) -> Record:
        data = super().validate(ctx, data, current)
        data["Balance"] = data["TotalAmt"]
        return data


class BillSpec(VendorTransactionSpec):
    name = "Bill"
    writable = (
        TRANSACTION | TAXED | {"VendorRef", "APAccountRef", "SalesTermRef", "DueDate", "VendorAddr"}
    )
    computed = frozenset({"TotalAmt", "Balance"})

    def header(self, ctx: Context, data: Record) -> None:
        super().header(ctx, data)
        # DueDate: "If date is not provided, the number of days specified in SalesTermRef
        # added the transaction date will be used" (Intuit API reference, Bill.DueDate). The
        # simulator serves no Term entities, so a bill without DueDate is due on its TxnDate
        # (a term of 0 days, QuickBooks' "Due on receipt").
        data.setdefault("DueDate", data["TxnDate"])


class VendorCreditSpec(VendorTransactionSpec):
    name = "VendorCredit"
    writable = TRANSACTION | TAXED | {"VendorRef", "APAccountRef"}
    computed = frozenset({"TotalAmt", "Balance"})


class PurchaseSpec(TransactionSpec):
    name = "Purchase"
    writable = (
        TRANSACTION
        | TAXED
        | {
            "AccountRef",
            "PaymentType",
            "EntityRef",
            "Credit",
            "PaymentMethodRef",
            "RemitToAddr",
            "PrintStatus",
        }
    )
    computed = frozenset({"TotalAmt"})

    def header(self, ctx: Context, data: Record) -> None:
        if "PaymentType" not in data:
            raise faults.required_missing("PaymentType", "one of " + ", ".join(PAYMENT_TYPES))
        check_enum("PaymentType", data["PaymentType"], PAYMENT_TYPES)
        if data.get("AccountRef") is None:
            raise faults.required_missing(
                "AccountRef", "the bank or credit card account the purchase is paid from"
            )
        account = ctx.ref("AccountRef", ("Account",), data["AccountRef"])
        # AccountRef: "Check should have bank account, CreditCard should specify credit card
        # account" (Finance.xsd, Purchase.AccountRef); Cash is paid from a bank account too [I].
        wanted = "Credit Card" if data["PaymentType"] == "CreditCard" else "Bank"
        if account.get("AccountType") != wanted:
            raise faults.business_validation(
                f"A {data['PaymentType']} purchase is paid from a {wanted} account; account "
                f"{account['Id']} is of type {account.get('AccountType')!r}.",
                "AccountRef",
            )
        data["AccountRef"] = {"value": account["Id"], "name": account.get("Name", "")}
        if "Credit" in data and not isinstance(data["Credit"], bool):
            raise faults.invalid_property("Credit", "a boolean (Credit must be true or false)")
        if data["PaymentType"] == "CreditCard":
            # "If Credit is Null or False, it is considered as Charge ... Valid only for
            # CreditCard transaction" (Finance.xsd Purchase.Credit): a charge reads back false.
            data.setdefault("Credit", False)
        entity_ref = data.get("EntityRef")
        if entity_ref is not None:
            data["EntityRef"] = ctx.named_ref(
                "EntityRef", ("Vendor", "Customer", "Employee"), entity_ref
            )


class JournalEntrySpec(TransactionSpec):
    name = "JournalEntry"
    writable = TRANSACTION | {"Adjustment"}
    computed = frozenset({"TotalAmt"})
    details = ("JournalEntryLineDetail",)

    def header(self, ctx: Context, data: Record) -> None:
        if "Adjustment" in data and not isinstance(data["Adjustment"], bool):
            raise faults.invalid_property("Adjustment", "a boolean (true or false)")
        # "Adjustment: Indicates the total amount of the transaction is an adjustment"; a
        # journal entry reads back false unless it was sent true (Intuit's JournalEntry samples).
        data.setdefault("Adjustment", False)

    def detail(self, ctx: Context, detail_type: str, detail: Record) -> Record:
        if "PostingType" not in detail:
            raise faults.required_missing("PostingType", "Debit or Credit")
        check_enum("PostingType", detail["PostingType"], POSTING_TYPES)
        if "AccountRef" not in detail:
            raise faults.required_missing("AccountRef", "every journal line posts to an account")
        detail["AccountRef"] = ctx.named_ref("AccountRef", ("Account",), detail["AccountRef"])
        entity = detail.get("Entity")
        if entity is not None:
            if not isinstance(entity, dict) or "EntityRef" not in entity:
                raise faults.required_missing(
                    "Entity.EntityRef", "Entity names a customer or vendor"
                )
            kind = entity.get("Type", "Customer")
            check_enum("Entity.Type", kind, (*ENTITY_TYPES, "Other"))
            targets = (ENTITY_TYPES[kind],) if kind in ENTITY_TYPES else ("Customer", "Vendor")
            entity["EntityRef"] = ctx.named_ref("Entity.EntityRef", targets, entity["EntityRef"])
            detail["Entity"] = entity
        if detail.get("ClassRef") is not None:
            detail["ClassRef"] = ctx.named_ref("ClassRef", ("Class",), detail["ClassRef"])
        return detail

    def line_total(self, line: Record) -> Decimal:
        detail = line["JournalEntryLineDetail"]
        return Decimal(str(line["Amount"])) if detail["PostingType"] == "Debit" else Decimal(0)

    def check_total(self, lines: list[Record]) -> None:
        debit = sum(
            (
                Decimal(str(x["Amount"]))
                for x in lines
                if x["JournalEntryLineDetail"]["PostingType"] == "Debit"
            ),
            Decimal(0),
        )
        credit = sum(
            (
                Decimal(str(x["Amount"]))
                for x in lines
                if x["JournalEntryLineDetail"]["PostingType"] == "Credit"
            ),
            Decimal(0),
        )
        if debit != credit:
            # Double entry: a journal entry's debits equal its credits [I].
            raise faults.business_validation(
                f"Journal entry does not balance: debits {debit} and credits {credit} must be "
                "equal. Add or correct a line.",
                "Line",
            )
