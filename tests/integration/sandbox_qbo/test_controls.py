"""Sandbox controls under /_sandbox/ and persistence to a data directory."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from procore_qb.sandbox.qbo import ManualClock, Simulator, SystemClock, create_app

from .conftest import REALM, Api, fault


def test_reset_empties_the_company_and_seed_restores_it(api: Api) -> None:
    assert api.client.post("/_sandbox/reset").status_code == 200
    assert api.rows("select * from Customer") == []
    assert api.rows("select * from CompanyInfo")
    api.client.post("/_sandbox/seed")
    assert len(api.rows("select * from Customer")) == 8


def test_advance_moves_the_manual_clock(api: Api, clock: ManualClock) -> None:
    before = clock.now()
    answer = api.client.post("/_sandbox/clock/advance", json={"seconds": 90}).json()
    assert (clock.now() - before).total_seconds() == 90
    assert answer["now"] == clock.now().isoformat()
    assert api.client.post("/_sandbox/clock/advance", json={}).status_code == 400


def test_advance_is_refused_on_the_system_clock() -> None:
    client = TestClient(create_app(Simulator(clock=SystemClock())))
    response = client.post("/_sandbox/clock/advance", json={"seconds": 1})
    assert response.status_code == 409


def test_config_accepts_known_settings_only(api: Api) -> None:
    assert api.client.post("/_sandbox/config", json={"nope": 1}).status_code == 400
    assert api.client.post("/_sandbox/config", json={"batch_max_items": "x"}).status_code == 400
    assert api.client.post("/_sandbox/config", json={"batch_max_items": None}).status_code == 400
    refused = api.client.post(
        "/_sandbox/config", json={"query_max_results": 5, "webhook_format": 3}
    )
    assert refused.status_code == 400
    assert api.client.get("/_sandbox").json()["config"]["query_max_results"] == 1000
    nullable = api.client.post(
        "/_sandbox/config", json={"webhook_url": None, "requests_per_second": 10}
    )
    assert nullable.json()["requests_per_second"] == 10
    changed = api.client.post("/_sandbox/config", json={"batch_max_items": 5}).json()
    assert changed["batch_max_items"] == 5
    described = api.client.get("/_sandbox").json()
    assert described["realm_ids"] == [REALM]
    assert described["config"]["batch_max_items"] == 5


def test_change_data_as_a_quickbooks_user(api: Api, clock: ManualClock) -> None:
    clock.advance(5)
    since = clock.now().isoformat()
    job = api.one("Customer", "DisplayName = 'Pier 9 Restaurant'")
    path = f"/_sandbox/companies/{REALM}/Customer"
    renamed = api.client.post(
        path,
        json={"operation": "update", "entity": {"Id": job["Id"], "DisplayName": "Pier 9 Bistro"}},
    )
    assert renamed.status_code == 200
    assert renamed.json()["Customer"]["SyncToken"] == str(int(job["SyncToken"]) + 1)
    stale = api.post("/customer", {**job, "Notes": "from the app"})
    assert fault(stale)["code"] == "5010"
    created = api.client.post(
        path, json={"operation": "create", "entity": {"DisplayName": "Walk-in Client"}}
    )
    assert created.status_code == 200
    duplicate = api.client.post(
        path, json={"operation": "create", "entity": {"DisplayName": "Walk-in Client"}}
    )
    assert fault(duplicate)["code"] == "6240"
    changed = api.get("/cdc", entities="Customer", changedSince=since).json()
    names = {c["DisplayName"] for c in changed["CDCResponse"][0]["QueryResponse"][0]["Customer"]}
    assert names == {"Pier 9 Bistro", "Walk-in Client"}
    bill = api.one("Bill", "DocNumber = 'VP-330'")
    gone = api.client.post(
        f"/_sandbox/companies/{REALM}/Bill",
        json={"operation": "delete", "entity": {"Id": bill["Id"]}},
    )
    assert gone.json()["Bill"]["status"] == "Deleted"
    assert api.client.post(path, json={"operation": "merge", "entity": {}}).status_code == 400
    assert api.client.post(f"/_sandbox/companies/{REALM}/Widget", json={}).status_code == 404


def test_a_user_voids_a_transaction(api: Api, clock: ManualClock) -> None:
    clock.advance(5)
    since = clock.now().isoformat()
    bill = api.one("Bill", "DocNumber = 'ACS-1001'")
    voided = api.client.post(
        f"/_sandbox/companies/{REALM}/Bill",
        json={"operation": "void", "entity": {"Id": bill["Id"]}},
    )
    assert voided.status_code == 200
    stored = api.one("Bill", "DocNumber = 'ACS-1001'")
    assert [line["Amount"] for line in stored["Line"]] == [0, 0]
    assert stored["TotalAmt"] == 0
    assert stored["PrivateNote"].startswith("Voided")
    assert stored["SyncToken"] == str(int(bill["SyncToken"]) + 1)
    changed = api.get("/cdc", entities="Bill", changedSince=since).json()
    [record] = changed["CDCResponse"][0]["QueryResponse"][0]["Bill"]
    assert record["Id"] == bill["Id"]
    customer = api.one("Customer", "DisplayName = 'Pier 9 Restaurant'")
    refused = api.client.post(
        f"/_sandbox/companies/{REALM}/Customer",
        json={"operation": "void", "entity": {"Id": customer["Id"]}},
    )
    assert fault(refused)["code"]


def test_inspect_lists_inactive_records_too(api: Api) -> None:
    item = api.one("Item", "Name = 'Permits'")
    api.post(
        "/item", {"Id": item["Id"], "SyncToken": item["SyncToken"], "sparse": True, "Active": False}
    )
    items = api.client.get(f"/_sandbox/companies/{REALM}/Item").json()["Item"]
    assert {"Permits", "03-300"} <= {i["Name"] for i in items}


def test_company_and_tokens_survive_a_restart(tmp_path: Path) -> None:
    clock = ManualClock()
    first = TestClient(create_app(Simulator(clock=clock, data_dir=tmp_path)))
    tokens = first.post("/_sandbox/tokens").json()
    api = Api(first, tokens["access_token"])
    made = api.post("/customer", {"DisplayName": "Persistent Co"}, requestid="keep-1")
    assert made.status_code == 200
    second = TestClient(create_app(Simulator(clock=clock, data_dir=tmp_path)))
    again = Api(second, tokens["access_token"])
    assert again.rows("select * from Customer where DisplayName = 'Persistent Co'")
    assert (
        again.post("/customer", {"DisplayName": "Persistent Co"}, requestid="keep-1").json()
        == made.json()
    )
    refreshed = second.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        auth=("demo-qbo-client", "demo-qbo-secret"),
    )
    assert refreshed.status_code == 200
