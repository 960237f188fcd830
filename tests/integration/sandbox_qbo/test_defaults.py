"""What QuickBooks Online fills in when a create or update leaves a field out, and what a sparse
update keeps (Intuit's field descriptions and sample responses, cited in the entity modules)."""

from __future__ import annotations

from typing import Any

from .conftest import Api
from .test_transactions import ids, item_line

USD = {"value": "USD", "name": "United States Dollar"}


def created(api: Api, entity: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/{entity.lower()}", body)
    assert response.status_code == 200, response.text
    return dict(response.json()[entity])


def sparse(api: Api, entity: str, record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {"Id": record["Id"], "SyncToken": record["SyncToken"], "sparse": True, **changes}
    return created(api, entity, body)


def test_customer_and_job_defaults(api: Api) -> None:
    customer = created(api, "Customer", {"GivenName": "Ada", "FamilyName": "Lovelace"})
    assert customer["DisplayName"] == "Ada Lovelace"
    assert customer["FullyQualifiedName"] == "Ada Lovelace"
    assert customer["PrintOnCheckName"] == "Ada Lovelace"
    assert customer["Active"] is True
    assert customer["Job"] is False
    assert customer["BillWithParent"] is False
    assert customer["Taxable"] is False
    assert customer["Balance"] == customer["BalanceWithJobs"] == 0
    assert customer["PreferredDeliveryMethod"] == "Print"
    assert customer["CurrencyRef"] == USD
    assert customer["IsProject"] is False
    job = created(
        api,
        "Customer",
        {"DisplayName": "Analytical Engine", "Job": True, "ParentRef": {"value": customer["Id"]}},
    )
    assert job["FullyQualifiedName"] == "Ada Lovelace:Analytical Engine"
    assert job["Level"] == 1
    taxed = created(
        api, "Customer", {"DisplayName": "Taxed Co", "DefaultTaxCodeRef": {"value": "2"}}
    )
    assert taxed["Taxable"] is True
    # A sparse update changes what it sends and keeps the rest, defaults included.
    renamed = sparse(api, "Customer", customer, Notes="Countess")
    assert renamed["Notes"] == "Countess"
    for key in ("DisplayName", "PrintOnCheckName", "Taxable", "CurrencyRef", "GivenName"):
        assert renamed[key] == customer[key], key
    # python-quickbooks sends PreferredDeliveryMethod "" on every save.
    empty = sparse(api, "Customer", renamed, PreferredDeliveryMethod="")
    assert empty["PreferredDeliveryMethod"] == "Print"


def test_vendor_defaults(api: Api) -> None:
    vendor = created(api, "Vendor", {"CompanyName": "Books by Bessie"})
    assert vendor["DisplayName"] == vendor["PrintOnCheckName"] == "Books by Bessie"
    assert vendor["Vendor1099"] is False
    assert vendor["CurrencyRef"] == USD
    assert vendor["Balance"] == 0
    assert vendor["Active"] is True


def test_item_defaults(api: Api) -> None:
    income = api.one("Account", "Name = 'Construction Income'")["Id"]
    item = created(
        api,
        "Item",
        {"Name": "99-900", "Type": "Service", "IncomeAccountRef": {"value": income}},
    )
    assert item["FullyQualifiedName"] == "99-900"
    assert item["Active"] is True
    assert item["Taxable"] is False
    assert item["UnitPrice"] == item["PurchaseCost"] == 0
    assert item["TrackQtyOnHand"] is False
    assert item["SubItem"] is False
    again = sparse(api, "Item", item, Description="Punch list")
    assert (again["Description"], again["Type"], again["Taxable"]) == (
        "Punch list",
        "Service",
        False,
    )


def test_bill_and_purchase_defaults(api: Api, simulator: Any) -> None:
    known = ids(api)
    today = simulator.clock.now().date().isoformat()
    bill = created(
        api,
        "Bill",
        {"VendorRef": {"value": known["vendor"]}, "Line": [item_line(known, 120.5)]},
    )
    assert bill["TxnDate"] == bill["DueDate"] == today
    assert bill["TotalAmt"] == bill["Balance"] == 120.5
    assert bill["CurrencyRef"] == USD
    payable = api.one("Account", "Name = 'Accounts Payable'")
    assert bill["APAccountRef"] == {"value": payable["Id"], "name": "Accounts Payable"}
    dated = created(
        api,
        "Bill",
        {
            "VendorRef": {"value": known["vendor"]},
            "TxnDate": "2026-10-01",
            "DueDate": "2026-10-31",
            "Line": [item_line(known)],
        },
    )
    assert (dated["TxnDate"], dated["DueDate"]) == ("2026-10-01", "2026-10-31")
    kept = sparse(api, "Bill", bill, PrivateNote="checked")
    assert (kept["DueDate"], kept["TotalAmt"], kept["CurrencyRef"]) == (today, 120.5, USD)
    charge = created(
        api,
        "Purchase",
        {
            "PaymentType": "CreditCard",
            "AccountRef": {"value": known["card"]},
            "Line": [item_line(known, 40)],
        },
    )
    assert charge["Credit"] is False
    assert charge["TxnDate"] == today
    assert charge["TotalAmt"] == 40
    assert charge["CurrencyRef"] == USD
    check = created(
        api,
        "Purchase",
        {
            "PaymentType": "Check",
            "AccountRef": {"value": known["checking"]},
            "Line": [item_line(known)],
        },
    )
    assert "Credit" not in check


def test_employee_account_and_journal_entry_defaults(api: Api) -> None:
    employee = created(api, "Employee", {"GivenName": "Emil", "FamilyName": "Baker"})
    assert (employee["DisplayName"], employee["PrintOnCheckName"]) == ("Emil Baker", "Emil Baker")
    assert employee["BillableTime"] is False
    account = created(api, "Account", {"Name": "Site Fuel", "AccountType": "Expense"})
    assert account["CurrencyRef"] == USD
    assert account["Classification"] == "Expense"
    materials = api.one("Account", "Name = 'Job Materials'")["Id"]

    def line(posting: str) -> dict[str, Any]:
        return {
            "Amount": 10,
            "DetailType": "JournalEntryLineDetail",
            "JournalEntryLineDetail": {"PostingType": posting, "AccountRef": {"value": materials}},
        }

    entry = created(api, "JournalEntry", {"Line": [line("Debit"), line("Credit")]})
    assert entry["Adjustment"] is False
    assert entry["CurrencyRef"] == USD
