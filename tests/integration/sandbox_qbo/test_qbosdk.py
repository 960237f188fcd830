"""qbosdk (PyPI ``qbosdk``, Fyle's QuickBooks Online SDK) pointed at the simulator over loopback
HTTP, with only its base URLs changed: it refreshes its token, pages every list with
``STARTPOSITION``/``MAXRESULTS 1000``, filters on ``Metadata.LastUpdatedTime`` (spelt so),
counts, creates, reads, updates and deletes bills and purchases. If a client nobody here wrote
cannot do that against the simulator, the simulator is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from qbosdk import QuickbooksOnlineSDK
from qbosdk.exceptions import WrongParamsError
from starlette.testclient import TestClient

from procore_qb.sandbox import seed

REALM = seed.QBO_REALM_ID


@pytest.fixture
def sdk(live: str, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> Any:
    # The consent a person gives in the browser, done by the sandbox control.
    refresh_token = client.post("/_sandbox/tokens").json()["refresh_token"]
    monkeypatch.setattr(QuickbooksOnlineSDK, "TOKEN_URL", f"{live}/oauth2/v1/tokens/bearer")
    connection = QuickbooksOnlineSDK(
        client_id=seed.QBO_APP.client_id,
        client_secret=seed.QBO_APP.client_secret,
        refresh_token=refresh_token,
        realm_id=REALM,
        environment="sandbox",
    )
    connection._QuickbooksOnlineSDK__base_url = f"{live}/v3/company/{REALM}"
    connection.update_server_url()
    return connection


def test_lists_page_filter_and_count(sdk: Any) -> None:
    customers = sdk.customers.get()
    names = {c["DisplayName"] for c in customers}
    assert {c.name for c in seed.CUSTOMERS} | {j.name for j in seed.JOBS} <= names
    assert sdk.customers.count() == len(customers)
    changed = [
        c
        for page in sdk.customers.get_all_generator(last_updated_time="2000-01-01T00:00:00-07:00")
        for c in page
    ]
    assert {c["Id"] for c in changed} == {c["Id"] for c in customers}
    assert not list(sdk.customers.get_all_generator(last_updated_time="2100-01-01T00:00:00Z"))
    assert {v["DisplayName"] for v in sdk.vendors.get()} >= {v.name for v in seed.VENDORS}
    assert {i["Name"] for i in sdk.items.get()} >= {i.name for i in seed.ITEMS}
    assert {a["Name"] for a in sdk.accounts.get()} >= {a.name for a in seed.ACCOUNTS}
    assert sdk.preferences.get()["CurrencyPrefs"]["HomeCurrency"]["value"] == "USD"
    assert sdk.company_info.get()["CompanyName"] == seed.QB_COMPANY_NAME


def test_bill_and_purchase_round_trip(sdk: Any) -> None:
    vendor = next(v for v in sdk.vendors.get() if v["DisplayName"] == "Valley Plumbing")
    job = next(c for c in sdk.customers.get() if c["DisplayName"] == "Fire Station 3")
    item = next(i for i in sdk.items.get() if i["Name"] == "15-400")
    card = next(a for a in sdk.accounts.get() if a["Name"] == "Company Card")
    line = {
        "Amount": 275.5,
        "DetailType": "ItemBasedExpenseLineDetail",
        "ItemBasedExpenseLineDetail": {
            "ItemRef": {"value": item["Id"]},
            "CustomerRef": {"value": job["Id"]},
        },
    }
    created = sdk.bills.post(
        {"VendorRef": {"value": vendor["Id"]}, "DocNumber": "SDK-1", "Line": [line]}
    )["Bill"]
    assert created["TotalAmt"] == 275.5
    read = sdk.bills.get_by_id(created["Id"])
    assert read["DocNumber"] == "SDK-1"
    assert read["Line"][0]["ItemBasedExpenseLineDetail"]["CustomerRef"]["value"] == job["Id"]
    assert "SDK-1" in {b.get("DocNumber") for b in sdk.bills.get()}
    # qbosdk deletes with SyncToken "1": a bill never updated (SyncToken "0") is refused with
    # the stale-object fault, as QuickBooks refuses it; after one update the delete works.
    with pytest.raises(WrongParamsError):
        sdk.bills.delete(created["Id"])
    updated = sdk.bills.post({**read, "PrivateNote": "checked"})["Bill"]
    assert updated["SyncToken"] == "1"
    assert sdk.bills.delete(created["Id"])["Bill"]["status"] == "Deleted"
    charge = sdk.purchases.post(
        {"PaymentType": "CreditCard", "AccountRef": {"value": card["Id"]}, "Line": [line]}
    )["Purchase"]
    assert charge["Credit"] is False
    assert charge["Id"] in {p["Id"] for p in sdk.purchases.get()}
