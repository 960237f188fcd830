"""Permissions per seed user: the manifest, and the 403s for what a user may not do."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ADA, BEN, CARA, COMPANY, DAN, EVE, Sim


def levels(sim: Sim, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    r = sim.http.get("/rest/v1.0/settings/permissions", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return {t["friendly_name"]: t for t in r.json()["tools"]}


def push(tool: dict[str, Any]) -> bool:
    return any(a["action_name"] == "can_push_to_accounting" for a in tool["permitted_actions"])


@pytest.mark.parametrize(
    ("headers", "erp", "directory", "can_push"),
    [
        (ADA, "Admin", "Admin", True),
        (BEN, "Standard", "Read Only", True),
        (CARA, "None", "None", False),
        (DAN, "Admin", "Standard", False),
        (EVE, "Read Only", "Read Only", False),
    ],
)
def test_company_manifest_per_seed_user(
    sim: Sim, headers: dict[str, str], erp: str, directory: str, can_push: bool
) -> None:
    tools = levels(sim, headers, company_id=COMPANY)
    assert tools["ERP Integrations"]["user_access_level"]["name"] == erp
    assert tools["Directory"]["user_access_level"]["name"] == directory
    assert push(tools["ERP Integrations"]) is can_push
    for tool in tools.values():
        assert set(tool) >= {
            "id",
            "name",
            "friendly_name",
            "user_access_level",
            "permitted_actions",
        }


def test_access_level_ids_follow_procore(sim: Sim) -> None:
    tools = levels(sim, EVE, company_id=COMPANY)
    assert tools["Directory"]["user_access_level"] == {"id": 2, "name": "Read Only"}
    tools = levels(sim, BEN, company_id=COMPANY)
    assert tools["ERP Integrations"]["user_access_level"] == {"id": 3, "name": "Standard"}


@pytest.mark.parametrize(("headers", "level"), [(ADA, "None"), (CARA, "Admin"), (EVE, "Read Only")])
def test_project_manifest_reports_the_project_admin_tool(
    sim: Sim, headers: dict[str, str], level: str
) -> None:
    tools = levels(sim, headers, project_id=2001)
    assert tools["Admin"]["user_access_level"]["name"] == level


def test_service_account_is_admin_on_what_erp_connectors_need(sim: Sim) -> None:
    tools = levels(sim, sim.service(), company_id=COMPANY)
    for name in ("Admin", "Directory", "ERP Integrations"):
        assert tools[name]["user_access_level"]["name"] == "Admin"


def test_directory_read_needs_read_only(sim: Sim) -> None:
    url = f"/rest/v1.0/companies/{COMPANY}/users"
    assert sim.http.get(url, headers=EVE).status_code == 200
    r = sim.http.get(url, headers=CARA)
    assert r.status_code == 403
    message = r.json()["error"]["message"]
    assert "Cara Chen" in message
    assert "'Read Only'" in message
    assert "Directory" in message


def test_directory_write_needs_admin(sim: Sim) -> None:
    url = f"/rest/v1.0/companies/{COMPANY}/users"
    body = {
        "user": {"first_name": "Fay", "last_name": "Fox", "email_address": "fay@summit.example"}
    }
    r = sim.http.post(url, json=body, headers=DAN)
    assert r.status_code == 403
    assert "has 'Standard'" in r.json()["error"]["message"]
    r = sim.http.post(url, json=body, headers=ADA)
    assert r.status_code == 201
    assert r.json()["name"] == "Fay Fox"


def test_creating_projects_needs_directory_admin(sim: Sim) -> None:
    body = {"company_id": COMPANY, "project": {"name": "New Job"}}
    for headers in (BEN, CARA, DAN, EVE):
        assert sim.http.post("/rest/v1.0/projects", json=body, headers=headers).status_code == 403
    assert sim.http.post("/rest/v1.0/projects", json=body, headers=ADA).status_code == 201


def test_updating_a_project_needs_project_admin(sim: Sim) -> None:
    body = {"company_id": COMPANY, "project": {"description": "Phase 2"}}
    r = sim.http.patch("/rest/v1.0/projects/2001", json=body, headers=ADA)
    assert r.status_code == 403
    assert "project's Admin tool" in r.json()["error"]["message"]
    assert sim.http.patch("/rest/v1.0/projects/2001", json=body, headers=CARA).status_code == 200


def test_cost_code_writes_need_project_admin(sim: Sim) -> None:
    body = {"updates": [{"code": "99-900", "name": "Extra"}]}
    r = sim.http.patch(
        "/rest/v1.0/cost_codes/sync", params={"project_id": 2001}, json=body, headers=EVE
    )
    assert r.status_code == 200
    assert r.json()["entities"] == []
    assert "project's Admin tool" in r.json()["errors"][0]["errors"]["base"][0]
    r = sim.http.patch(
        "/rest/v1.0/cost_codes/sync", params={"project_id": 2001}, json=body, headers=CARA
    )
    assert r.json()["errors"] == []


def test_master_data_writes_need_erp_admin(sim: Sim) -> None:
    body = {"company_id": COMPANY, "line_item_type": {"name": "Fees", "csv_import_code": "F"}}
    assert sim.http.post("/rest/v1.0/line_item_types", json=body, headers=BEN).status_code == 403
    assert sim.http.post("/rest/v1.0/line_item_types", json=body, headers=DAN).status_code == 201
    body = {"company_id": COMPANY, "standard_cost_code_list": {"name": "Another"}}
    assert (
        sim.http.post("/rest/v1.0/standard_cost_code_lists", json=body, headers=CARA).status_code
        == 403
    )


def test_everyone_in_the_company_reads_projects(sim: Sim) -> None:
    for headers in (ADA, BEN, CARA, DAN, EVE):
        r = sim.http.get("/rest/v1.0/projects", params={"company_id": COMPANY}, headers=headers)
        assert r.status_code == 200


def test_webhooks_need_erp_admin(sim: Sim) -> None:
    body = {
        "company_id": COMPANY,
        "hook": {"namespace": "procore-qb", "destination_url": "http://127.0.0.1:9/hook"},
    }
    assert sim.http.post("/rest/v1.0/webhooks/hooks", json=body, headers=EVE).status_code == 403
    assert sim.http.post("/rest/v1.0/webhooks/hooks", json=body, headers=ADA).status_code == 201
