"""Loads the seed world (``sandbox/seed.py``) into a company, through the same rules as the API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from procore_qb.sandbox import seed
from procore_qb.sandbox.qbo.clock import format_time
from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.entities import Context, Record, spec_by_name
from procore_qb.sandbox.qbo.entities.company import company_info, preferences
from procore_qb.sandbox.qbo.operations import ChangeEvent, create
from procore_qb.sandbox.qbo.store import RealmState

__all__ = ["empty_company", "load_bulk", "seeded_company"]

# seed.py spells account types as qbXML does; QuickBooks Online has its own enum (Finance.xsd).
ACCOUNT_TYPES = {
    "Bank": "Bank",
    "AccountsPayable": "Accounts Payable",
    "CreditCard": "Credit Card",
    "Income": "Income",
    "CostOfGoodsSold": "Cost of Goods Sold",
    "Expense": "Expense",
}
_Ref = Callable[[str, str], dict[str, str]]

ITEM_TYPES = {"Service": "Service", "OtherCharge": "Other Charge", "NonInventory": "NonInventory"}


def empty_company(realm_id: str, config: SimulatorConfig, now: datetime) -> RealmState:
    """A company with only its CompanyInfo and Preferences."""
    realm = RealmState(realm_id=realm_id)
    stamp = format_time(now)
    meta = {"CreateTime": stamp, "LastUpdatedTime": stamp}
    base = {"Id": "1", "SyncToken": "0", "MetaData": meta, "domain": "QBO", "sparse": False}
    realm.table("CompanyInfo")["1"] = {**base, **company_info(config.company_name)}
    realm.table("Preferences")["1"] = {**base, **preferences()}
    realm.next_id = 2
    return realm


def _money(value: Decimal) -> float:
    return float(value)


def seeded_company(realm_id: str, config: SimulatorConfig, now: datetime) -> RealmState:
    """The seed world's QuickBooks company: accounts, items, vendors, customers, jobs, costs."""
    realm = empty_company(realm_id, config, now)
    ctx = Context(realm=realm, config=config, now=now)
    events: list[ChangeEvent] = []
    ids: dict[tuple[str, str], str] = {}

    def add(entity: str, key: str, body: Record) -> None:
        spec = spec_by_name(entity)
        assert spec is not None  # noqa: S101 - the names below are ours
        ids[(entity, key)] = create(ctx, spec, body, events)["Id"]

    def ref(entity: str, key: str) -> dict[str, str]:
        return {"value": ids[(entity, key)]}

    for account in seed.ACCOUNTS:
        add(
            "Account",
            account.name,
            {"Name": account.name, "AccountType": ACCOUNT_TYPES[account.account_type]},
        )
    for vendor in seed.VENDORS:
        add(
            "Vendor",
            vendor.name,
            {
                "DisplayName": vendor.name,
                "CompanyName": vendor.name,
                "BillAddr": {"City": vendor.city},
            },
        )
    for item in seed.ITEMS:
        add(
            "Item",
            item.name,
            {
                "Name": item.name,
                "Description": item.description,
                "Type": ITEM_TYPES[item.item_type],
                "IncomeAccountRef": ref("Account", item.income_account),
                "ExpenseAccountRef": ref("Account", item.expense_account),
                "PurchaseDesc": item.description,
            },
        )
    for customer in seed.CUSTOMERS:
        add(
            "Customer",
            customer.name,
            {
                "DisplayName": customer.name,
                "CompanyName": customer.name,
                "BillAddr": {"City": customer.city, "CountrySubDivisionCode": customer.state},
            },
        )
    for job in seed.JOBS:
        add(
            "Customer",
            job.full_name,
            {
                "DisplayName": job.name,
                "CompanyName": job.customer,
                "Job": True,
                "BillWithParent": True,
                "ParentRef": ref("Customer", job.customer),
                "BillAddr": {
                    "Line1": job.address,
                    "City": job.city,
                    "CountrySubDivisionCode": job.state,
                    "PostalCode": job.postal_code,
                },
                "JobInfo": {
                    "Status": job.status,
                    "StartDate": job.start_date.isoformat(),
                    "ProjectedEndDate": job.projected_end_date.isoformat(),
                    "Description": job.number,
                },
            },
        )
    for txn in seed.TRANSACTIONS:
        _add_transaction(add, ref, txn)
    return realm


def load_bulk(
    realm: RealmState, config: SimulatorConfig, now: datetime, size: int
) -> dict[str, int]:
    """Add ``seed.bulk_world(size)`` to ``realm`` through the same create rules as the API (names,
    references, computed fields); returns how many records of each entity were added.

    Accounts come from the company: the seed world's by name, created when missing (an empty
    company). No change events are kept: a load is not a user's edit, so it sends no webhooks;
    CDC still sees the records by their ``MetaData``.
    """
    world = seed.bulk_world(size)
    ctx = Context(realm=realm, config=config, now=now)
    events: list[ChangeEvent] = []
    ids: dict[tuple[str, str], str] = {}
    added: dict[str, int] = {}
    for record in realm.table("Account").values():
        ids[("Account", str(record.get("Name", "")))] = str(record["Id"])

    def add(entity: str, key: str, body: Record) -> None:
        spec = spec_by_name(entity)
        assert spec is not None  # noqa: S101 - the names below are ours
        ids[(entity, key)] = create(ctx, spec, body, events)["Id"]
        added[entity] = added.get(entity, 0) + 1
        events.clear()

    def ref(entity: str, key: str) -> dict[str, str]:
        return {"value": ids[(entity, key)]}

    for account in seed.ACCOUNTS:
        if ("Account", account.name) not in ids:
            add(
                "Account",
                account.name,
                {"Name": account.name, "AccountType": ACCOUNT_TYPES[account.account_type]},
            )
    for vendor in world.vendors:
        add("Vendor", vendor.name, {"DisplayName": vendor.name, "BillAddr": {"City": vendor.city}})
    for item in world.items:
        add(
            "Item",
            item.name,
            {
                "Name": item.name,
                "Description": item.description,
                "Type": ITEM_TYPES[item.item_type],
                "IncomeAccountRef": ref("Account", item.income_account),
                "ExpenseAccountRef": ref("Account", item.expense_account),
            },
        )
    for customer, job in zip(world.customers, world.jobs, strict=True):
        add(
            "Customer",
            customer.name,
            {
                "DisplayName": customer.name,
                "BillAddr": {"City": customer.city, "CountrySubDivisionCode": customer.state},
            },
        )
        add(
            "Customer",
            job.full_name,
            {
                "DisplayName": job.name,
                "Job": True,
                "BillWithParent": True,
                "ParentRef": ref("Customer", job.customer),
                "BillAddr": {
                    "Line1": job.address,
                    "City": job.city,
                    "CountrySubDivisionCode": job.state,
                    "PostalCode": job.postal_code,
                },
                "JobInfo": {
                    "Status": job.status,
                    "StartDate": job.start_date.isoformat(),
                    "ProjectedEndDate": job.projected_end_date.isoformat(),
                    "Description": job.number,
                },
            },
        )
    for txn in world.transactions:
        _add_transaction(add, ref, txn)
    return added


def _expense_line(ref: _Ref, line: seed.TransactionLine) -> Record:
    detail: Record = {"CustomerRef": ref("Customer", line.job), "BillableStatus": "NotBillable"}
    if line.item is not None:
        detail["ItemRef"] = ref("Item", line.item)
        kind = "ItemBasedExpenseLineDetail"
    else:
        detail["AccountRef"] = ref("Account", line.account or "Job Materials")
        kind = "AccountBasedExpenseLineDetail"
    return {
        "Amount": _money(line.amount),
        "Description": line.memo,
        "DetailType": kind,
        kind: detail,
    }


def _add_transaction(
    add: Callable[[str, str, Record], None], ref: _Ref, txn: seed.Transaction
) -> None:
    key = f"{txn.kind}:{txn.ref_number}"
    header: Record = {"DocNumber": txn.ref_number, "TxnDate": txn.txn_date.isoformat()}
    if txn.kind in ("Bill", "VendorCredit"):
        lines = [_expense_line(ref, line) for line in txn.lines]
        add(txn.kind, key, {**header, "VendorRef": ref("Vendor", txn.vendor or ""), "Line": lines})
    elif txn.kind in ("Check", "CreditCardCharge"):
        check = txn.kind == "Check"
        add(
            "Purchase",
            key,
            {
                **header,
                "PaymentType": "Check" if check else "CreditCard",
                "AccountRef": ref("Account", "Checking" if check else "Company Card"),
                "EntityRef": ref("Vendor", txn.vendor or ""),
                "Line": [_expense_line(ref, line) for line in txn.lines],
            },
        )
    else:
        # The seed's journal entry lists only its job-coded debit line; the balancing credit goes
        # to the same account without a job (a reclass), so the entry balances.
        je_lines: list[Record] = []
        for line in txn.lines:
            account = ref("Account", line.account or "Job Materials")
            je_lines.append(
                {
                    "Amount": _money(line.amount),
                    "Description": line.memo,
                    "DetailType": "JournalEntryLineDetail",
                    "JournalEntryLineDetail": {
                        "PostingType": "Debit",
                        "AccountRef": account,
                        "Entity": {"Type": "Customer", "EntityRef": ref("Customer", line.job)},
                    },
                }
            )
            je_lines.append(
                {
                    "Amount": _money(line.amount),
                    "Description": line.memo,
                    "DetailType": "JournalEntryLineDetail",
                    "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": account},
                }
            )
        add("JournalEntry", key, {**header, "Line": je_lines})
