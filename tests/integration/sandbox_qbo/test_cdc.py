"""ChangeDataCapture: changes and deletions since a moment, the 30-day window, the 1,000 cap."""

from __future__ import annotations

from typing import Any

from procore_qb.sandbox.qbo import ManualClock

from .conftest import Api, fault


def cdc(api: Api, entities: str, since: str) -> Any:
    return api.get("/cdc", entities=entities, changedSince=since)


def responses(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return list(response.json()["CDCResponse"][0]["QueryResponse"])


def test_changes_and_deletions_since_a_moment(api: Api, clock: ManualClock) -> None:
    clock.advance(3600)
    since = clock.now().isoformat()
    clock.advance(60)
    api.renew()
    job = api.one("Customer", "DisplayName = 'Fire Station 3'")
    api.post(
        "/customer", {"Id": job["Id"], "SyncToken": job["SyncToken"], "sparse": True, "Notes": "x"}
    )
    bill = api.one("Bill", "DocNumber = 'VP-330'")
    api.post("/bill", {"Id": bill["Id"], "SyncToken": bill["SyncToken"]}, operation="delete")
    customers, bills, items = responses(cdc(api, "Customer,Bill,Item", since))
    assert [c["Id"] for c in customers["Customer"]] == [job["Id"]]
    assert customers["Customer"][0]["Notes"] == "x"
    assert customers["startPosition"] == 1
    assert customers["maxResults"] == 1
    (tombstone,) = bills["Bill"]
    assert tombstone == {
        "Id": bill["Id"],
        "status": "Deleted",
        "domain": "QBO",
        "MetaData": {"LastUpdatedTime": tombstone["MetaData"]["LastUpdatedTime"]},
    }
    assert items == {}
    assert "time" in cdc(api, "Customer", since).json()


def test_window_is_30_days(api: Api, clock: ManualClock) -> None:
    clock.advance(31 * 86400)
    api.renew()
    response = cdc(api, "Customer", "2026-11-02T09:00:00Z")
    assert response.status_code == 400
    assert "older than fixed days is not supported" in fault(response)["Detail"]
    assert cdc(api, "Customer", "2026-11-03T09:00:00Z").status_code == 200


def test_at_most_1000_objects_oldest_first(api: Api, clock: ManualClock) -> None:
    api.client.post("/_sandbox/config", json={"cdc_max_objects": 5})
    since = clock.now().isoformat()
    for number in range(8):
        clock.advance(1)
        api.post("/class", {"Name": f"Phase {number}"})
    (classes,) = responses(cdc(api, "Class", since))
    assert [c["Name"] for c in classes["Class"]] == [f"Phase {n}" for n in range(5)]


def test_parameters_are_checked(api: Api) -> None:
    assert fault(api.get("/cdc", changedSince="2026-11-01"))["element"] == "entities"
    assert fault(api.get("/cdc", entities="Customer"))["element"] == "changedSince"
    assert fault(cdc(api, "customer", "2026-11-01"))["code"] == "6000"
    assert fault(cdc(api, "Customer", "yesterday"))["code"] == "2010"
