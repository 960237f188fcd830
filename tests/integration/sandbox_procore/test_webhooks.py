"""Hooks and triggers, event payloads, authenticated deliveries, backoff and the 12-hour discard."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from .conftest import ADA, CARA, COMPANY, Sim

HOOKS = "/rest/v1.0/webhooks/hooks"
SECRET = "Bearer per-company-secret"


def make_hook(sim: Sim, *, project_id: int | None = None, version: str = "v2") -> dict[str, Any]:
    scope: dict[str, Any] = {"project_id": project_id} if project_id else {"company_id": COMPANY}
    r = sim.http.post(
        HOOKS,
        json={
            **scope,
            "hook": {
                "api_version": version,
                "namespace": "procore-qb",
                "destination_url": "http://127.0.0.1:8000/webhooks/procore",
                "destination_headers": {"Authorization": SECRET},
            },
        },
        headers=ADA,
    )
    assert r.status_code == 201, r.text
    hook: dict[str, Any] = r.json()
    r = sim.http.post(
        f"{HOOKS}/{hook['id']}/triggers",
        json={
            "company_id": COMPANY,
            "api_version": "v2",
            "trigger": {"resource_name": "Projects", "event_type": "update"},
        },
        headers=ADA,
    )
    assert r.status_code == 201, r.text
    return hook


def touch_project(sim: Sim, project_id: int = 2001, text: str = "x") -> None:
    r = sim.http.patch(
        f"/rest/v1.0/projects/{project_id}", json={"project": {"description": text}}, headers=CARA
    )
    assert r.status_code == 200


def deliver(sim: Sim) -> list[dict[str, Any]]:
    r = sim.http.post("/_sandbox/webhooks/deliver")
    assert r.status_code == 200
    out: list[dict[str, Any]] = r.json()["deliveries"]
    return out


def test_a_change_is_delivered_with_the_destination_headers(sim: Sim) -> None:
    make_hook(sim)
    touch_project(sim)
    made = deliver(sim)
    assert [d["outcome"] for d in made] == ["ok"]
    [request] = sim.receiver.requests
    assert request.method == "POST"
    assert str(request.url) == "http://127.0.0.1:8000/webhooks/procore"
    assert request.headers["Authorization"] == SECRET
    assert request.headers["Content-Type"] == "application/json"
    payload = json.loads(request.content)
    assert payload["resource_name"] == "Projects"
    assert payload["event_type"] == "update"
    assert payload["resource_id"] == 2001
    assert payload["company_id"] == COMPANY
    assert payload["project_id"] == 2001
    assert payload["api_version"] == "v2.0"
    assert payload["user_id"] == 103
    assert len(payload["ulid"]) == 26
    assert payload["metadata"]["source_user_id"] == 103
    assert payload["metadata"]["source_company_id"] == COMPANY
    assert deliver(sim) == []  # nothing left


def test_only_matching_triggers_and_scope_queue_events(sim: Sim) -> None:
    make_hook(sim, project_id=2002)
    touch_project(sim, 2001)  # another project
    r = sim.http.patch(
        "/rest/v1.0/cost_codes/sync",
        params={"project_id": 2002},
        json={"updates": [{"code": "1", "name": "n"}]},
        headers=CARA,
    )
    assert r.status_code == 200  # a cost code, not a project
    assert deliver(sim) == []
    touch_project(sim, 2002)
    assert len(deliver(sim)) == 1


def test_v4_payloads(sim: Sim) -> None:
    make_hook(sim, version="v4.0")
    touch_project(sim)
    deliver(sim)
    payload = json.loads(sim.receiver.requests[0].content)
    assert payload["reason"] == "update"
    assert payload["resource_type"] == "Projects"
    assert payload["resource_id"] == "2001"
    assert "ulid" not in payload
    assert "metadata" not in payload


def test_failures_back_off_exponentially_and_keep_order(sim: Sim) -> None:
    make_hook(sim)
    sim.receiver.statuses = [500, 502, 503]
    touch_project(sim, text="first")
    touch_project(sim, text="second")
    assert [d["outcome"] for d in deliver(sim)] == ["retried"]
    assert deliver(sim) == []  # paused for 1 s
    sim.advance(1)
    assert [d["outcome"] for d in deliver(sim)] == ["retried"]
    sim.advance(1)
    assert deliver(sim) == []  # now paused for 2 s
    sim.advance(1)
    assert [d["outcome"] for d in deliver(sim)] == ["retried"]
    sim.advance(4)
    made = deliver(sim)
    assert [d["outcome"] for d in made] == ["ok", "ok"]
    ids = [json.loads(r.content)["id"] for r in sim.receiver.requests]
    assert ids[:4] == [ids[0]] * 4  # the first event until it got through, then the second
    assert ids[4] != ids[0]


def test_backoff_is_capped_at_an_hour(sim: Sim) -> None:
    make_hook(sim)
    sim.receiver.statuses = [500] * 20
    touch_project(sim)
    waited = 0.0
    for _ in range(14):
        deliver(sim)
        step = min(2**_, 3600)
        sim.advance(step)
        waited += step
    assert waited < 12 * 3600
    hook = next(iter(sim.sandbox.world.table("hooks").values()))
    assert (hook["_next_attempt_at"] - sim.clock.now()).total_seconds() <= 3600


def test_connection_errors_and_timeouts_are_retried(sim: Sim) -> None:
    make_hook(sim)

    def boom(request: httpx2.Request) -> None:
        raise httpx2.ConnectTimeout("timed out", request=request)

    sim.receiver.fail_with = boom
    touch_project(sim)
    [made] = deliver(sim)
    assert made["outcome"] == "retried"
    assert "ConnectTimeout" in made["response_error"]
    sim.receiver.fail_with = None
    sim.advance(1)
    assert [d["outcome"] for d in deliver(sim)] == ["ok"]


def test_events_are_discarded_after_12_hours_of_failure(sim: Sim) -> None:
    make_hook(sim)
    sim.receiver.statuses = [500] * 100
    touch_project(sim, text="a")
    touch_project(sim, text="b")
    deliver(sim)
    elapsed = 0
    outcomes: list[str] = []
    while elapsed < 12 * 3600:
        sim.advance(3600)
        elapsed += 3600
        outcomes += [d["outcome"] for d in deliver(sim)]
    assert outcomes[-2:] == ["discarded", "discarded"]
    assert "discarded" not in outcomes[:-3]
    assert deliver(sim) == []
    r = sim.http.get(
        f"{HOOKS}/{next(iter(sim.sandbox.world.table('hooks')))}/deliveries",
        params={"company_id": COMPANY, "filters[status]": "discarded"},
        headers=ADA,
    )
    assert len(r.json()) == 2
    # The counters reset: a new event is delivered at once.
    sim.receiver.statuses = []
    touch_project(sim, text="c")
    assert [d["outcome"] for d in deliver(sim)] == ["ok"]


def test_deliveries_list_pages_by_last_id(sim: Sim) -> None:
    hook = make_hook(sim)
    for n in range(3):
        touch_project(sim, text=str(n))
    deliver(sim)
    url = f"{HOOKS}/{hook['id']}/deliveries"
    first = sim.http.get(url, params={"company_id": COMPANY, "page_size": 2}, headers=ADA).json()
    assert len(first) == 2
    rest = sim.http.get(
        url, params={"company_id": COMPANY, "page_start": first[-1]["id"]}, headers=ADA
    ).json()
    assert len(rest) == 1
    assert rest[0]["response_status"] == 204
    assert rest[0]["event"]["resource_id"] == 2001
    ok = sim.http.get(
        url, params={"company_id": COMPANY, "filters[status]": "successful"}, headers=ADA
    ).json()
    assert len(ok) == 3


@pytest.mark.parametrize(
    ("hook", "field"),
    [
        ({"namespace": "Procore QB", "destination_url": "http://127.0.0.1/x"}, "namespace"),
        ({"namespace": "qb", "destination_url": "ftp://x"}, "destination_url"),
        (
            {"namespace": "qb", "destination_url": "http://127.0.0.1/x", "api_version": "v9"},
            "api_version",
        ),
    ],
)
def test_hook_validation(sim: Sim, hook: dict[str, Any], field: str) -> None:
    r = sim.http.post(HOOKS, json={"company_id": COMPANY, "hook": hook}, headers=ADA)
    assert r.status_code == 422
    assert field in r.json()["errors"]


def test_trigger_rules_and_bulk(sim: Sim) -> None:
    hook = make_hook(sim)
    url = f"{HOOKS}/{hook['id']}/triggers"
    dup = {"trigger": {"resource_name": "Projects", "event_type": "update"}}
    assert sim.http.post(url, json=dup, headers=ADA).status_code == 422
    bad = {"trigger": {"resource_name": "Projects", "event_type": "explode"}}
    assert sim.http.post(url, json=bad, headers=ADA).status_code == 422
    r = sim.http.post(
        f"{url}/bulk",
        json={
            "company_id": COMPANY,
            "triggers": [
                {"resource_name": "Cost Codes", "event_type": "create"},
                {"resource_name": "Nope", "event_type": "create"},
            ],
        },
        headers=ADA,
    )
    assert len(r.json()["entities"]) == 1
    assert len(r.json()["errors"]) == 1
    listed = sim.http.get(url, params={"company_id": COMPANY}, headers=ADA).json()
    assert len(listed) == 2
    r = sim.http.request(
        "DELETE", f"{url}/bulk", json={"triggers": [t["id"] for t in listed]}, headers=ADA
    )
    assert r.status_code == 204
    assert sim.http.get(url, params={"company_id": COMPANY}, headers=ADA).json() == []


def test_hooks_list_update_delete(sim: Sim) -> None:
    hook = make_hook(sim)
    listed = sim.http.get(
        HOOKS, params={"company_id": COMPANY, "namespace": "procore-qb"}, headers=ADA
    ).json()
    assert [h["id"] for h in listed] == [hook["id"]]
    assert sim.http.get(HOOKS, headers=ADA).status_code == 400  # no scope
    r = sim.http.patch(
        f"{HOOKS}/{hook['id']}",
        json={"hook": {"destination_url": "http://127.0.0.1:9000/hook"}},
        headers=ADA,
    )
    assert r.json()["destination_url"] == "http://127.0.0.1:9000/hook"
    assert (
        sim.http.delete(
            f"{HOOKS}/{hook['id']}", params={"company_id": COMPANY}, headers=ADA
        ).status_code
        == 204
    )
    assert sim.http.get(HOOKS, params={"company_id": COMPANY}, headers=ADA).json() == []


def test_resources_list(sim: Sim) -> None:
    r = sim.http.get("/rest/v1.0/webhooks/resources", params={"company_id": COMPANY}, headers=ADA)
    assert "Projects" in [x["name"] for x in r.json()]


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://erp.example.com/hook", True),
        ("http://127.0.0.1:8000/hook", True),
        ("http://localhost/hook", True),
        ("http://erp.example.com/hook", False),
        ("https://", False),
    ],
)
def test_destinations_are_https_or_loopback(sim: Sim, url: str, ok: bool) -> None:
    r = sim.http.post(
        HOOKS,
        json={"company_id": COMPANY, "hook": {"namespace": "qb", "destination_url": url}},
        headers=ADA,
    )
    assert (r.status_code == 201) is ok


def test_duplicate_chaos_mode_sends_each_event_twice(sim: Sim) -> None:
    make_hook(sim)
    assert sim.http.put("/_sandbox/webhooks/duplicates", json={"enabled": True}).status_code == 200
    touch_project(sim)
    made = deliver(sim)
    assert [d["outcome"] for d in made] == ["ok", "ok"]
    first, second = (json.loads(r.content) for r in sim.receiver.requests)
    assert first["ulid"] == second["ulid"]
    sim.http.put("/_sandbox/webhooks/duplicates", json={"enabled": False})
    touch_project(sim, text="again")
    assert len(deliver(sim)) == 1
    assert sim.http.put("/_sandbox/webhooks/duplicates", json={"enabled": "yes"}).status_code == 400
