"""Webhooks at the REST v2.0 company paths: data envelope, string ids, flat bodies."""

from __future__ import annotations

import json
from typing import Any

from .conftest import ADA, CARA, COMPANY, EVE, Sim

V2 = f"/rest/v2.0/companies/{COMPANY}/webhooks"


def make_hook(sim: Sim, version: str = "v3.0") -> dict[str, Any]:
    r = sim.http.post(
        f"{V2}/hooks",
        json={
            "destination_url": "http://127.0.0.1:8000/webhooks/procore",
            "payload_version": version,
            "namespace": "procore-qb",
            "destination_headers": {"Authorization": "Bearer k"},
        },
        headers=ADA,
    )
    assert r.status_code == 201, r.text
    hook: dict[str, Any] = r.json()["data"]
    return hook


def test_hooks_use_the_data_envelope_and_string_ids(sim: Sim) -> None:
    hook = make_hook(sim)
    assert isinstance(hook["id"], str)
    assert hook["payload_version"] == "v3.0"
    listed = sim.http.get(f"{V2}/hooks", headers=ADA)
    assert [h["id"] for h in listed.json()["data"]] == [hook["id"]]
    assert listed.headers["Per-Page"] == "10"
    shown = sim.http.get(f"{V2}/hooks/{hook['id']}", headers=ADA).json()["data"]
    assert shown["namespace"] == "procore-qb"
    r = sim.http.patch(f"{V2}/hooks/{hook['id']}", json={"payload_version": "v4.0"}, headers=ADA)
    assert r.json()["data"]["payload_version"] == "v4.0"
    assert (
        sim.http.patch(
            f"{V2}/hooks/{hook['id']}", json={"payload_version": "v9"}, headers=ADA
        ).status_code
        == 422
    )
    # The same hook is visible through v1.0.
    v1 = sim.http.get(
        "/rest/v1.0/webhooks/hooks", params={"company_id": COMPANY}, headers=ADA
    ).json()
    assert [str(h["id"]) for h in v1] == [hook["id"]]
    assert sim.http.delete(f"{V2}/hooks/{hook['id']}", headers=ADA).status_code == 204
    assert sim.http.get(f"{V2}/hooks/{hook['id']}", headers=ADA).status_code == 404


def test_paging_is_capped_at_100(sim: Sim) -> None:
    for _ in range(3):
        make_hook(sim)
    r = sim.http.get(f"{V2}/hooks", params={"per_page": 500, "page": 1}, headers=ADA)
    assert r.headers["Per-Page"] == "100"
    assert r.headers["Total"] == "3"


def test_triggers_bulk_and_v3_payloads(sim: Sim) -> None:
    hook = make_hook(sim)
    url = f"{V2}/hooks/{hook['id']}/triggers"
    r = sim.http.post(url, json={"resource_name": "Projects", "event_type": "update"}, headers=ADA)
    assert r.status_code == 201
    trigger = r.json()["data"]
    r = sim.http.post(
        f"{url}/bulk",
        json=[
            {"resource_name": "Projects", "event_type": "create"},
            {"resource_name": "Projects", "event_type": "update"},
        ],
        headers=ADA,
    )
    assert len(r.json()["data"]["entities"]) == 1
    assert len(r.json()["data"]["errors"]) == 1
    assert len(sim.http.get(url, headers=ADA).json()["data"]) == 2
    sim.http.patch("/rest/v1.0/projects/2001", json={"project": {"phone": "1"}}, headers=CARA)
    sim.http.post("/_sandbox/webhooks/deliver")
    payload = json.loads(sim.receiver.requests[0].content)
    assert payload["api_version"] == "v3.0"
    assert payload["related_resources"] == []
    deliveries = sim.http.get(
        f"{V2}/hooks/{hook['id']}/deliveries",
        params={"filter[event_type]": "update", "filter[status]": "successful"},
        headers=ADA,
    ).json()
    assert len(deliveries["data"]) == 1
    assert (
        sim.http.get(
            f"{V2}/hooks/{hook['id']}/deliveries",
            params={"filter[event_type]": "create"},
            headers=ADA,
        ).json()["data"]
        == []
    )
    r = sim.http.request("DELETE", f"{url}/bulk", json=[trigger["id"]], headers=ADA)
    assert r.status_code == 204
    assert len(sim.http.get(url, headers=ADA).json()["data"]) == 1


def test_writes_need_erp_admin_and_hooks_stay_in_their_company(sim: Sim) -> None:
    body = {"destination_url": "https://erp.example.com/hook", "namespace": "qb"}
    assert sim.http.post(f"{V2}/hooks", json=body, headers=EVE).status_code == 403
    r = sim.http.get("/rest/v2.0/companies/999/webhooks/hooks", headers=ADA)
    assert r.status_code == 404
    resources = sim.http.get(
        f"{V2}/resources", params={"per_page": 100, "payload_version": "v4.0"}, headers=ADA
    ).json()
    assert "ERP Requests" in [x["name"] for x in resources["data"]]


def test_resources_need_a_payload_version(sim: Sim) -> None:
    assert sim.http.get(f"{V2}/resources", headers=ADA).status_code == 400
    r = sim.http.get(f"{V2}/resources", params={"payload_version": "v1"}, headers=ADA)
    assert r.status_code == 422
