"""Bills, purchases, vendor credits and journal entries coded to jobs and items."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Api, fault


def ids(api: Api) -> dict[str, str]:
    return {
        "vendor": str(api.one("Vendor", "DisplayName = 'Valley Plumbing'")["Id"]),
        "job": str(api.one("Customer", "DisplayName = 'Fire Station 3'")["Id"]),
        "item": str(api.one("Item", "Name = '15-400'")["Id"]),
        "materials": str(api.one("Account", "Name = 'Job Materials'")["Id"]),
        "checking": str(api.one("Account", "Name = 'Checking'")["Id"]),
        "card": str(api.one("Account", "Name = 'Company Card'")["Id"]),
    }


def item_line(known: dict[str, str], amount: float | str = 100.0) -> dict[str, Any]:
    return {
        "Amount": amount,
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {
            "ItemRef": {"value": known["item"]},
            "CustomerRef": {"value": known["job"]},
            "BillableStatus": "NotBillable",
        },
    }


def test_seeded_costs_are_coded_to_jobs(api: Api) -> None:
    bills = api.rows("select * from Bill")
    assert {bill["DocNumber"] for bill in bills} == {"ACS-1001", "BEC-2210", "VP-330"}
    first = next(bill for bill in bills if bill["DocNumber"] == "ACS-1001")
    detail = first["Line"][0]["ItemBasedExpenseLineDetail"]
    assert detail["CustomerRef"]["name"] == "Elm Court Apartments"
    assert first["TotalAmt"] == 14350.0
    purchases = api.rows("select * from Purchase")
    assert {p["PaymentType"] for p in purchases} == {"Check", "CreditCard"}
    (entry,) = api.rows("select * from JournalEntry")
    postings = [line["JournalEntryLineDetail"]["PostingType"] for line in entry["Line"]]
    assert postings == ["Debit", "Credit"]
    assert api.rows("select * from VendorCredit")[0]["TotalAmt"] == 500.0


def test_bill_create_totals_and_validates_refs(api: Api) -> None:
    known = ids(api)
    made = api.post(
        "/bill",
        {
            "VendorRef": {"value": known["vendor"]},
            "Line": [item_line(known, 10), item_line(known, 5.5)],
        },
    )
    assert made.status_code == 200, made.text
    bill = made.json()["Bill"]
    assert bill["TotalAmt"] == 15.5
    assert bill["Balance"] == 15.5
    assert [line["Id"] for line in bill["Line"]] == ["1", "2"]
    assert bill["TxnDate"] == "2026-11-02"
    no_vendor = api.post("/bill", {"Line": [item_line(known)]})
    assert fault(no_vendor)["element"] == "VendorRef"
    no_lines = api.post("/bill", {"VendorRef": {"value": known["vendor"]}, "Line": []})
    assert fault(no_lines)["code"] == "2020"
    bad_job = item_line(known)
    bad_job["ItemBasedExpenseLineDetail"]["CustomerRef"] = {"value": "123456"}
    response = api.post("/bill", {"VendorRef": {"value": known["vendor"]}, "Line": [bad_job]})
    assert fault(response)["code"] == "2500"
    assert fault(response)["element"] == "CustomerRef"


def test_line_detail_must_match_its_type(api: Api) -> None:
    known = ids(api)
    line = {"Amount": 1, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {}}
    response = api.post("/bill", {"VendorRef": {"value": known["vendor"]}, "Line": [line]})
    assert fault(response)["code"] == "2170"
    missing = {"Amount": 1, "DetailType": "AccountBasedExpenseLineDetail"}
    response = api.post("/bill", {"VendorRef": {"value": known["vendor"]}, "Line": [missing]})
    assert fault(response)["code"] == "2020"
    no_amount = item_line(known)
    del no_amount["Amount"]
    response = api.post("/bill", {"VendorRef": {"value": known["vendor"]}, "Line": [no_amount]})
    assert fault(response)["element"] == "Line.Amount"


def test_purchase_payment_type_and_account(api: Api) -> None:
    known = ids(api)
    body = {
        "PaymentType": "CreditCard",
        "AccountRef": {"value": known["card"]},
        "EntityRef": {"value": known["vendor"]},
        "Line": [item_line(known)],
    }
    assert api.post("/purchase", body).status_code == 200
    wrong_account = api.post("/purchase", {**body, "AccountRef": {"value": known["checking"]}})
    assert fault(wrong_account)["code"] == "6000"
    assert fault(api.post("/purchase", {**body, "PaymentType": "Wire"}))["code"] == "2170"


def test_journal_entries_must_balance(api: Api) -> None:
    known = ids(api)

    def line(posting: str, amount: float, job: bool) -> dict[str, Any]:
        detail: dict[str, Any] = {
            "PostingType": posting,
            "AccountRef": {"value": known["materials"]},
        }
        if job:
            detail["Entity"] = {"Type": "Customer", "EntityRef": {"value": known["job"]}}
        return {
            "Amount": amount,
            "DetailType": "JournalEntryLineDetail",
            "JournalEntryLineDetail": detail,
        }

    good = api.post("/journalentry", {"Line": [line("Debit", 40, True), line("Credit", 40, False)]})
    assert good.status_code == 200
    assert good.json()["JournalEntry"]["TotalAmt"] == 40.0
    bad = api.post("/journalentry", {"Line": [line("Debit", 40, True), line("Credit", 30, False)]})
    assert fault(bad)["code"] == "6000"
    assert "balance" in fault(bad)["Detail"]


def test_delete_a_transaction_with_its_sync_token(api: Api) -> None:
    known = ids(api)
    bill = api.post(
        "/bill", {"VendorRef": {"value": known["vendor"]}, "Line": [item_line(known)]}
    ).json()["Bill"]
    stale = api.post("/bill", {"Id": bill["Id"], "SyncToken": "7"}, operation="delete")
    assert fault(stale)["code"] == "5010"
    missing = api.post("/bill", {"Id": bill["Id"]}, operation="delete")
    assert fault(missing)["element"] == "SyncToken"
    deleted = api.post("/bill", {"Id": bill["Id"], "SyncToken": "0"}, operation="delete")
    assert deleted.status_code == 200
    assert deleted.json()["Bill"] == {"Id": bill["Id"], "status": "Deleted", "domain": "QBO"}
    assert fault(api.get(f"/bill/{bill['Id']}"))["code"] == "610"


def test_inactive_items_cannot_be_used_on_new_lines(api: Api) -> None:
    known = ids(api)
    item = api.get(f"/item/{known['item']}").json()["Item"]
    api.post(
        "/item", {"Id": item["Id"], "SyncToken": item["SyncToken"], "sparse": True, "Active": False}
    )
    response = api.post(
        "/bill", {"VendorRef": {"value": known["vendor"]}, "Line": [item_line(known)]}
    )
    assert fault(response)["code"] == "2500"


def test_dates_are_checked(api: Api) -> None:
    known = ids(api)
    body = {"VendorRef": {"value": known["vendor"]}, "Line": [item_line(known)]}
    response = api.post("/bill", {**body, "TxnDate": "03/04/2026"})
    assert fault(response)["code"] == "2010"
    assert fault(response)["element"] == "TxnDate"
    assert fault(api.post("/bill", {**body, "DueDate": "soon"}))["element"] == "DueDate"
    long_doc = api.post("/bill", {**body, "DocNumber": "X" * 22})
    assert fault(long_doc)["code"] == "2050"


@pytest.mark.parametrize("amount", ["1E+400", "-1E+999999999", "Infinity"])
def test_an_amount_beyond_a_number_is_refused_not_kept_as_null(api: Api, amount: str) -> None:
    known = ids(api)
    bills = len(api.rows("select * from Bill"))
    response = api.post(
        "/bill", {"VendorRef": {"value": known["vendor"]}, "Line": [item_line(known, amount)]}
    )
    assert fault(response)["code"] == "2010"
    assert fault(response)["element"] == "Line.Amount"
    assert len(api.rows("select * from Bill")) == bills


def test_lines_whose_total_is_beyond_a_number_are_refused(api: Api) -> None:
    known = ids(api)
    lines = [item_line(known, 1e308), item_line(known, 1e308)]
    response = api.post("/bill", {"VendorRef": {"value": known["vendor"]}, "Line": lines})
    assert fault(response)["element"] == "Line.Amount"
    made = api.post("/bill", {"VendorRef": {"value": known["vendor"]}, "Line": lines[:1]})
    assert made.status_code == 200, made.text
    assert made.json()["Bill"]["TotalAmt"] == 1e308


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.decimals(allow_nan=False, allow_infinity=False).map(str)
    | st.from_regex(r"-?[0-9]{1,6}(\.[0-9]{1,4})?E[-+]?[0-9]{1,9}", fullmatch=True)
)
def test_any_amount_is_answered_as_a_number_or_refused(api: Api, amount: str) -> None:
    known = ids(api)
    response = api.post(
        "/bill", {"VendorRef": {"value": known["vendor"]}, "Line": [item_line(known, amount)]}
    )
    if response.status_code != 200:
        assert fault(response)["element"] == "Line.Amount"
        return
    bill = response.json()["Bill"]
    assert isinstance(bill["TotalAmt"], int | float)
    assert all(isinstance(line["Amount"], int | float) for line in bill["Line"])
