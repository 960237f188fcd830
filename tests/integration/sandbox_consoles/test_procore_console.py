"""The Procore sandbox console: every change goes through the REST rules and shows up there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from procore_qb.sandbox.procore import CONSOLE_PATH

from ..sandbox_procore.conftest import ADA, CARA, COMPANY, Sim, make_sim
from .support import csrf_token, error_text, notice_text

NEW_PROJECT = {
    "name": "Lakeview Condos",
    "project_number": "LC-201",
    "address": "1 Lakeview Dr",
    "city": "Springfield",
    "state_code": "IL",
    "zip": "62702",
    "country_code": "US",
    "start_date": "2026-12-01",
    "completion_date": "2027-09-30",
    "project_template_id": "2",
    "standard_cost_code_list_id": "1",
    "active": ["false", "true"],
    "erp_integrated": ["false", "true"],
    "copy_codes": "true",
    "as_user": "101",
}


@pytest.fixture
def sim() -> Iterator[Sim]:
    made = make_sim()
    with made.http:
        yield made


def token(sim: Sim, path: str = CONSOLE_PATH) -> str:
    page = sim.http.get(path)
    assert page.status_code == 200, page.text
    return csrf_token(page.text)


def post(sim: Sim, path: str, data: dict[str, Any]) -> Any:
    return sim.http.post(
        CONSOLE_PATH + path, data={"csrf": token(sim), **data}, follow_redirects=False
    )


def project(sim: Sim, pid: int) -> dict[str, Any]:
    r = sim.http.get(f"/rest/v1.0/projects/{pid}", params={"company_id": COMPANY}, headers=ADA)
    assert r.status_code == 200, r.text
    return dict(r.json())


def all_projects(sim: Sim) -> list[dict[str, Any]]:
    r = sim.http.get(
        "/rest/v1.0/projects",
        params={"company_id": COMPANY, "filters[by_status]": "All", "per_page": 1000},
        headers=ADA,
    )
    assert r.status_code == 200, r.text
    return list(r.json())


def connect_erp(sim: Sim) -> None:
    """The ERP connection with QuickBooks Desktop's 41-character save rule on job names."""
    rule = {"enabled": True, "validation": {"max_length": {"enabled": True, "length": 41}}}
    metadata = {"settings": {"entities": {"jobs": {"rules": {"save": {"fields": {"name": rule}}}}}}}
    r = sim.http.post(
        f"/rest/v1.0/companies/{COMPANY}/erp_connections",
        json={"connection": {"service_url": "http://127.0.0.1:8000/erp", "metadata": metadata}},
        headers=sim.service(),
    )
    assert r.status_code == 201, r.text


def test_the_overview_shows_the_seed_world(sim: Sim) -> None:
    page = sim.http.get(CONSOLE_PATH)
    assert page.status_code == 200
    assert "Summit Ridge Builders" in page.text
    for name in ("Riverside Clinic TI", "Pinecrest School Gym", "Birch Hill Retail Center"):
        assert name in page.text
    assert "QuickBooks Standard Cost Codes" in page.text
    assert "ada@summit.example" in page.text
    assert "demo-ada" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["x-frame-options"] == "DENY"


def test_create_a_project_as_a_directory_admin(sim: Sim) -> None:
    before = {p["id"] for p in all_projects(sim)}
    r = post(sim, "/projects", NEW_PROJECT)
    assert r.status_code == 303, r.text
    made = [p for p in all_projects(sim) if p["id"] not in before]
    assert len(made) == 1
    shown = project(sim, made[0]["id"])
    assert shown["name"] == "Lakeview Condos"
    assert shown["project_number"] == "LC-201"
    assert shown["address"] == "1 Lakeview Dr"
    assert shown["start_date"] == "2026-12-01"
    assert shown["active"] is True
    assert shown["is_erp_integrated"] is True
    assert shown["standard_cost_code_list_id"] == 1
    assert shown["project_template"]["name"] == "Commercial Construction"
    codes = sim.http.get(
        "/rest/v1.0/cost_codes", params={"project_id": shown["id"]}, headers=ADA
    ).json()
    assert {c["code"] for c in codes} >= {"01-100", "03-300", "16-100"}
    landing = sim.http.get(r.headers["location"])
    assert notice_text(landing.text).startswith(f"Created project {shown['id']}")


def test_edit_rename_move_and_deactivate(sim: Sim) -> None:
    r = post(
        sim,
        "/projects/2003",
        {"as_user": "103", "name": "Maple Street Triplex", "address": "417 Maple St"},
    )
    assert r.status_code == 303, r.text
    shown = project(sim, 2003)
    assert (shown["name"], shown["address"]) == ("Maple Street Triplex", "417 Maple St")
    r = post(sim, "/projects/2003", {"as_user": "103", "active": "false"})
    assert r.status_code == 303, r.text
    assert project(sim, 2003)["active"] is False
    r = post(sim, "/projects/2003", {"as_user": "103", "erp_integrated": ["false"]})
    assert r.status_code == 303
    assert project(sim, 2003)["is_erp_integrated"] is False


def test_a_name_over_the_erp_limit_is_refused_with_procores_message(sim: Sim) -> None:
    connect_erp(sim)
    before = all_projects(sim)
    long_name = "Northgate Regional Medical Center Garage Expansion"
    r = post(sim, "/projects", {**NEW_PROJECT, "name": long_name})
    assert r.status_code == 422
    assert error_text(r.text) == "Procore refused (422): name: Too long. Maximum 41 characters."
    assert long_name in r.text  # the form keeps what was typed
    assert all_projects(sim) == before
    r = post(sim, "/projects/2001", {"as_user": "103", "name": long_name})
    assert r.status_code == 422
    assert "Too long. Maximum 41 characters." in error_text(r.text)
    assert project(sim, 2001)["name"] == "Riverside Clinic TI"


def test_missing_permission_is_procores_403(sim: Sim) -> None:
    r = post(sim, "/projects", {**NEW_PROJECT, "as_user": "103"})
    assert r.status_code == 422
    assert error_text(r.text).startswith(
        "Procore refused (403): Cara Chen may not create projects: it needs 'Admin' on the "
        "company Directory tool"
    )


def test_a_synced_projects_name_is_locked_for_project_admins(sim: Sim) -> None:
    r = sim.http.patch(
        "/rest/v1.0/projects/2002",
        params={"company_id": COMPANY},
        json={"project": {"origin_id": "QB-1", "origin_code": "HV-102"}},
        headers=sim.service(),
    )
    assert r.status_code == 200, r.text
    overview = sim.http.get(CONSOLE_PATH).text
    assert "QB-1" in overview
    assert "HV-102" in overview
    r = post(sim, "/projects/2002", {"as_user": "103", "name": "Harbor View Tower"})
    assert r.status_code == 422
    assert "is locked because the project is synced with the ERP" in error_text(r.text)


def test_add_a_cost_code(sim: Sim) -> None:
    std = next(
        s
        for s in sim.sandbox.world.table("standard_cost_codes").values()
        if s["code"] == "02-200" and s["standard_cost_code_list_id"] == 1
    )
    # ERP-integrated projects take cost codes only through the sync door: switch it off first.
    assert (
        post(sim, "/projects/2005", {"as_user": "103", "erp_integrated": "false"}).status_code
        == 303
    )
    r = post(
        sim, "/projects/2005/cost-codes", {"as_user": "103", "standard_cost_code_id": std["id"]}
    )
    assert r.status_code == 303, r.text
    codes = sim.http.get("/rest/v1.0/cost_codes", params={"project_id": 2005}, headers=CARA).json()
    assert [c["code"] for c in codes] == ["02-200"]


def test_a_change_emits_the_webhook_event(sim: Sim) -> None:
    r = sim.http.post(
        "/rest/v1.0/webhooks/hooks",
        json={
            "company_id": COMPANY,
            "hook": {
                "api_version": "v2",
                "namespace": "procore-qb",
                "destination_url": "http://127.0.0.1:9/hook",
            },
        },
        headers=sim.service(),
    )
    assert r.status_code == 201, r.text
    hook = r.json()["id"]
    r = sim.http.post(
        f"/rest/v1.0/webhooks/hooks/{hook}/triggers",
        json={
            "company_id": COMPANY,
            "api_version": "v2",
            "trigger": {"resource_name": "Projects", "event_type": "update"},
        },
        headers=sim.service(),
    )
    assert r.status_code == 201, r.text
    assert post(sim, "/projects/2001", {"as_user": "103", "city": "Chatham"}).status_code == 303
    events = [
        e["payload"]
        for e in sim.sandbox.world.table("events").values()
        if e["payload"]["resource_id"] == 2001 and e["payload"]["event_type"] == "update"
    ]
    assert len(events) == 1
    assert events[0]["user_id"] == 103
    assert events[0]["resource_name"] == "Projects"
