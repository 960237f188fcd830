"""The QuickBooks Online sandbox console: changes go through the API's operations layer and are
seen through the Accounting API, CDC and webhooks."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from procore_qb.sandbox.qbo import (
    CONSOLE_PATH,
    ManualClock,
    Simulator,
    SimulatorConfig,
    create_app,
)
from procore_qb.sandbox.qbo.clock import format_time

from ..sandbox_qbo.conftest import Api, fault
from .support import csrf_token, error_text, notice_text


@pytest.fixture
def simulator() -> Simulator:
    return Simulator(
        SimulatorConfig(webhook_url="http://127.0.0.1:9/webhooks/quickbooks"), clock=ManualClock()
    )


@pytest.fixture
def client(simulator: Simulator) -> Iterator[TestClient]:
    with TestClient(create_app(simulator), base_url="http://127.0.0.1:8001") as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    return Api(client, client.post("/_sandbox/tokens").json()["access_token"])


def post(client: TestClient, path: str, data: dict[str, Any]) -> Any:
    token = csrf_token(client.get(CONSOLE_PATH).text)
    return client.post(CONSOLE_PATH + path, data={"csrf": token, **data}, follow_redirects=False)


def made_id(response: Any) -> str:
    assert response.status_code == 303, response.text
    found = re.search(r"/(\d+)\?", response.headers["location"])
    assert found is not None
    return found.group(1)


def test_the_overview_shows_the_tree_items_and_vendors(client: TestClient, api: Api) -> None:
    page = client.get(CONSOLE_PATH).text
    greenleaf = api.one("Customer", "DisplayName = 'Greenleaf Properties'")
    assert f'data-customer-id="{greenleaf["Id"]}"' in page
    assert "Elm Court Apartments" in page
    for name in ("01-100", "Retainage", "Ace Concrete Supply", "Valley Plumbing"):
        assert name in page


def test_create_a_customer_and_a_job_rename_and_make_inactive(
    client: TestClient, api: Api, simulator: Simulator
) -> None:
    clock = simulator.clock
    assert isinstance(clock, ManualClock)
    since = format_time(clock.now())
    clock.advance(60)
    customer = made_id(post(client, "/customers", {"name": "Lakeshore Partners"}))
    job = made_id(post(client, "/customers", {"name": "Lakeshore Lofts", "parent_id": customer}))
    read = api.get(f"/customer/{job}").json()["Customer"]
    assert read["FullyQualifiedName"] == "Lakeshore Partners:Lakeshore Lofts"
    assert read["Job"] is True
    assert read["ParentRef"]["value"] == customer

    r = post(client, f"/customers/{job}", {"name": "Lakeshore Lofts Phase 2"})
    assert r.status_code == 303, r.text
    r = post(client, f"/customers/{job}", {"active": "false"})
    assert r.status_code == 303, r.text
    read = api.get(f"/customer/{job}").json()["Customer"]
    assert read["DisplayName"] == "Lakeshore Lofts Phase 2"
    assert read["Active"] is False
    assert read["SyncToken"] == "2"
    assert notice_text(client.get(r.headers["location"]).text).endswith("(inactive).")

    # The same changes an API client would see: CDC ...
    cdc = api.get("/cdc", entities="Customer", changedSince=since).json()
    changed = cdc["CDCResponse"][0]["QueryResponse"][0]["Customer"]
    assert {c["Id"] for c in changed} >= {customer, job}
    # ... and webhook notifications for each change.
    notified = [
        (entity["id"], entity["operation"])
        for delivery in simulator.webhooks.deliveries()
        for note in json.loads(delivery["body"])["eventNotifications"]
        for entity in note["dataChangeEvent"]["entities"]
    ]
    assert notified.count((job, "Update")) == 2
    assert (customer, "Create") in notified
    assert (job, "Create") in notified


@pytest.mark.parametrize(
    ("name", "code", "words"),
    [
        ("Greenleaf Properties", "6240", "The name supplied already exists."),
        ("Greenleaf: Phase 2", "6000", "contains ':'"),
    ],
)
def test_refusals_are_quickbooks_faults(
    client: TestClient, api: Api, name: str, code: str, words: str
) -> None:
    before = api.rows("select * from Customer")
    r = post(client, "/customers", {"name": name})
    assert r.status_code == 422
    refusal = error_text(r.text)
    assert refusal.startswith(f"QuickBooks refused ({code} ")
    assert words in refusal
    assert api.rows("select * from Customer") == before


def _first(page: str, select_id: str) -> str:
    found = re.search(
        rf'id="{select_id}" name="\w+">(?:<option value="">[^<]*</option>)?<option value="(\d+)"',
        page,
    )
    assert found is not None, select_id
    return found.group(1)


def test_a_bill_coded_to_a_job_and_item_is_edited_and_deleted(client: TestClient, api: Api) -> None:
    job = api.one("Customer", "DisplayName = 'Elm Court Apartments'")["Id"]
    item = api.one("Item", "Name = '03-300'")["Id"]
    vendor = api.one("Vendor", "DisplayName = 'Ace Concrete Supply'")["Id"]
    r = post(
        client,
        "/transactions",
        {
            "kind": "bill",
            "vendor_id": vendor,
            "job_id": job,
            "item_id": item,
            "amount": "1250.00",
            "txn_date": "2026-11-02",
            "doc_number": "ACS-9001",
            "memo": "Footings",
        },
    )
    bill = made_id(r)
    read = api.get(f"/bill/{bill}").json()["Bill"]
    line = read["Line"][0]["ItemBasedExpenseLineDetail"]
    assert (line["CustomerRef"]["value"], line["ItemRef"]["value"]) == (job, item)
    assert read["TotalAmt"] == 1250.0
    assert read["DocNumber"] == "ACS-9001"

    other = api.one("Customer", "DisplayName = 'Greenleaf Properties'")["Id"]
    r = post(
        client,
        f"/transactions/Bill/{bill}",
        {"line-0-amount": "1300.50", "line-0-job_id": other, "doc_number": "ACS-9002"},
    )
    assert r.status_code == 303, r.text
    read = api.get(f"/bill/{bill}").json()["Bill"]
    assert read["TotalAmt"] == 1300.5
    assert read["DocNumber"] == "ACS-9002"
    assert read["Line"][0]["ItemBasedExpenseLineDetail"]["CustomerRef"]["value"] == other
    assert read["SyncToken"] == "1"

    r = post(client, f"/transactions/Bill/{bill}/delete", {})
    assert r.status_code == 303, r.text
    gone = api.get(f"/bill/{bill}")
    assert fault(gone)["code"] == "610"


@pytest.mark.parametrize("kind", ["check", "credit_card", "journal_entry"])
def test_purchases_and_journal_entries(client: TestClient, api: Api, kind: str) -> None:
    job = api.one("Customer", "DisplayName = 'Elm Court Apartments'")["Id"]
    page = client.get(CONSOLE_PATH).text
    data = {
        "kind": kind,
        "vendor_id": _first(page, "nt-vendor"),
        "job_id": job,
        "item_id": _first(page, "nt-item"),
        "account_id": api.one("Account", "Name = 'Job Materials'")["Id"],
        "amount": "80.25",
    }
    entity = "JournalEntry" if kind == "journal_entry" else "Purchase"
    made = made_id(post(client, "/transactions", data))
    read = api.get(f"/{entity.lower()}/{made}").json()[entity]
    assert read["TotalAmt"] == 80.25
    if kind == "journal_entry":
        debit = read["Line"][0]["JournalEntryLineDetail"]
        assert debit["PostingType"] == "Debit"
        assert debit["Entity"]["EntityRef"]["value"] == job
    else:
        assert read["PaymentType"] == ("Check" if kind == "check" else "CreditCard")


def test_an_unbalanced_journal_entry_edit_is_refused(client: TestClient, api: Api) -> None:
    entry = api.rows("select * from JournalEntry")[0]
    r = post(client, f"/transactions/JournalEntry/{entry['Id']}", {"line-0-amount": "1.00"})
    assert r.status_code == 422
    assert "Journal entry does not balance" in error_text(r.text)
    assert (
        api.get(f"/journalentry/{entry['Id']}").json()["JournalEntry"]["SyncToken"]
        == entry["SyncToken"]
    )


def test_an_amount_that_is_not_a_number_is_refused(client: TestClient, api: Api) -> None:
    r = post(client, "/transactions", {"kind": "bill", "amount": "twelve"})
    assert r.status_code == 422
    assert "is not an amount" in error_text(r.text)
