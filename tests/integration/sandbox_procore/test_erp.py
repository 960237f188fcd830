"""The ERP platform subset: connection, external data, assignments, job costs, configuration."""

from __future__ import annotations

import json
from typing import Any

from .conftest import ADA, BEN, CARA, COMPANY, Sim

METADATA_WITH_TRANSACTIONS = {
    "settings": {"entities": {"job_cost_transactions": {"configs": {"import": {"enabled": True}}}}}
}


def connect(sim: Sim, headers: dict[str, str], metadata: dict[str, Any] | None = None) -> Any:
    return sim.http.post(
        f"/rest/v1.0/companies/{COMPANY}/erp_connections",
        json={
            "connection": {
                "service_url": "http://127.0.0.1:8000/erp",
                "metadata": metadata or {"settings": {}},
            }
        },
        headers=headers,
    )


def codes(sim: Sim, project_id: int) -> list[dict[str, Any]]:
    r = sim.http.get("/rest/v1.0/cost_codes", params={"project_id": project_id}, headers=ADA)
    result: list[dict[str, Any]] = r.json()
    return result


def other_type(sim: Sim) -> int:
    types = sim.http.get(
        "/rest/v1.0/line_item_types", params={"company_id": COMPANY}, headers=ADA
    ).json()
    return int(next(t["id"] for t in types if t["name"] == "Other"))


def test_connection_names_the_one_erp_list(sim: Sim) -> None:
    r = connect(sim, sim.service())
    assert r.status_code == 201
    assert r.json() == {"id": COMPANY, "standard_cost_code_list_id": 1}
    assert connect(sim, sim.service()).json()["standard_cost_code_list_id"] == 1
    assert connect(sim, BEN).status_code == 403


def test_external_data_marks_and_clears_origin_ids(sim: Sim) -> None:
    svc = sim.service()
    code = codes(sim, 2001)[0]
    url = f"/rest/v1.0/companies/{COMPANY}/external_data/sync"
    r = sim.http.patch(
        url,
        json={
            "updates": [
                {
                    "item_type": "project",
                    "item_id": 2001,
                    "origin_id": "800001-1",
                    "origin_data": '{"edit_sequence":"1"}',
                },
                {"item_type": "cost_code", "item_id": code["id"], "origin_id": "800001-1|ITEM-1"},
                {"item_type": "project", "item_id": 2002, "origin_id": "800001-1"},
                {"item_type": "vendor", "item_id": 1, "origin_id": "V1"},
                {"item_type": "spaceship", "item_id": 1, "origin_id": "S"},
                {"item_type": "project", "item_id": 4, "origin_id": "P"},
            ]
        },
        headers=svc,
    )
    body = r.json()
    assert [e["item_id"] for e in body["entities"]] == [2001, code["id"]]
    assert [sorted(e["errors"]) for e in body["errors"]] == [
        ["origin_id"],
        ["item_type"],
        ["item_type"],
        ["item_id"],
    ]
    project = sim.http.get(
        "/rest/v1.0/projects/2001", params={"company_id": COMPANY}, headers=ADA
    ).json()
    assert project["origin_id"] == "800001-1"
    assert project["origin_data"] == '{"edit_sequence":"1"}'
    # A bare array, as the 2022 guide printed, clears it.
    r = sim.http.patch(
        url, json=[{"item_type": "project", "item_id": 2001, "origin_id": None}], headers=svc
    )
    assert r.json()["entities"][0]["origin_id"] is None
    assert sim.http.patch(url, json={"updates": []}, headers=CARA).status_code == 403


def test_assignments_and_job_costs(sim: Sim) -> None:
    svc = sim.service()
    code = codes(sim, 2001)[0]
    kind = other_type(sim)
    r = sim.http.patch(
        "/rest/v1.0/cost_code_line_item_types/sync",
        params={"project_id": 2001},
        json={
            "updates": [
                {"cost_code_id": code["id"], "line_item_type_id": kind, "synced": True},
                {"cost_code_id": codes(sim, 2002)[0]["id"], "line_item_type_id": kind},
            ]
        },
        headers=svc,
    )
    body = r.json()
    assert body["entities"][0]["synced"] is True
    assert "cost_code_id" in body["errors"][0]["errors"]
    assignment = body["entities"][0]["id"]
    r = sim.http.patch(
        "/rest/v1.0/erp_job_costs/sync",
        json={
            "company_id": COMPANY,
            "job_origin_id": "JOB-1",
            "updates": [
                {"cost_code_id": code["id"], "line_item_type_id": kind, "job_to_date_cost": 14350.0}
            ],
        },
        headers=svc,
    )
    assert r.status_code == 404
    sim.http.patch(
        "/rest/v1.0/projects/2001", json={"project": {"origin_id": "JOB-1"}}, headers=svc
    )
    update = {"cost_code_id": code["id"], "line_item_type_id": kind, "job_to_date_cost": 14350.0}
    r = sim.http.patch(
        "/rest/v1.0/erp_job_costs/sync",
        json={
            "company_id": COMPANY,
            "job_origin_id": "JOB-1",
            "updates": [update, {**update, "job_to_date_cost": "lots"}],
        },
        headers=svc,
    )
    body = r.json()
    assert body["entities"][0]["job_to_date_cost"] == 14350.0
    assert "job_to_date_cost" in body["errors"][0]["errors"]
    again = sim.http.patch(
        "/rest/v1.0/erp_job_costs/sync",
        json={
            "company_id": COMPANY,
            "job_origin_id": "JOB-1",
            "updates": [{**update, "job_to_date_cost": 15000.0}],
        },
        headers=svc,
    ).json()
    assert again["entities"][0]["id"] == body["entities"][0]["id"]
    cost_id = again["entities"][0]["id"]
    assert sim.http.delete(f"/rest/v1.0/erp_job_costs/{cost_id}", headers=svc).status_code == 204
    r = sim.http.delete(f"/rest/v1.0/cost_codes_line_item_types/{assignment}", headers=svc)
    assert r.status_code == 204


def test_transaction_syncing_needs_the_metadata_switch(sim: Sim) -> None:
    svc = sim.service()
    body = {"configuration": {"erp_job_cost_transaction_syncing_enabled": True}}
    connect(sim, svc)
    r = sim.http.patch("/rest/v1.0/projects/2001/configuration", json=body, headers=svc)
    assert r.status_code == 422
    connect(sim, svc, METADATA_WITH_TRANSACTIONS)
    r = sim.http.patch("/rest/v1.0/projects/2001/configuration", json=body, headers=svc)
    assert r.status_code == 200
    assert r.json()["erp_job_cost_transaction_syncing_enabled"] is True
    assert (
        sim.http.patch(
            "/rest/v1.0/projects/2001/configuration", json=body, headers=CARA
        ).status_code
        == 403
    )


def test_approver_button_makes_a_request_the_connector_reads_and_closes(sim: Sim) -> None:
    svc = sim.service()
    r = sim.http.post(
        "/rest/v1.0/webhooks/hooks",
        json={
            "company_id": COMPANY,
            "hook": {
                "namespace": "procore-qb",
                "destination_url": "http://127.0.0.1:8000/webhooks/procore",
                "destination_headers": {"Authorization": "Bearer s3cret"},
            },
        },
        headers=svc,
    )
    hook = r.json()["id"]
    sim.http.post(
        f"/rest/v1.0/webhooks/hooks/{hook}/triggers",
        json={"trigger": {"resource_name": "ERP Requests", "event_type": "create"}},
        headers=svc,
    )
    r = sim.http.post(
        "/_sandbox/erp/requests",
        json={
            "request_name": "create_or_update_job",
            "request_data": {"job": {"id": 2001, "name": "Riverside Clinic TI"}},
            "details": [{"item_type": "project", "item_id": 2001}],
        },
    )
    assert r.status_code == 201
    made = r.json()
    detail_id = made["details"][0]["id"]
    sim.http.post("/_sandbox/webhooks/deliver")
    event = json.loads(sim.receiver.requests[0].content)
    assert event["resource_name"] == "ERP Requests"
    assert event["event_type"] == "create"
    assert event["resource_id"] == made["request"]["id"]
    shown = sim.http.get(
        f"/rest/v1.0/companies/{COMPANY}/erp_requests/{event['resource_id']}", headers=svc
    ).json()
    assert shown["request_name"] == "create_or_update_job"
    assert shown["request_data"]["request_detail_id"] == detail_id
    url = f"/rest/v1.0/companies/{COMPANY}/erp_request_details/{detail_id}"
    r = sim.http.patch(url, json={"request_detail": {"status": "done"}}, headers=svc)
    assert r.status_code == 422
    r = sim.http.patch(
        url,
        json={
            "request_detail": {"status": "failed", "messages": ["name is too long for QuickBooks"]}
        },
        headers=svc,
    )
    assert r.json()["status"] == "failed"
    details = sim.http.get("/_sandbox/erp/request_details").json()
    assert details[0]["messages"] == ["name is too long for QuickBooks"]
    assert (
        sim.http.patch(
            url, json={"request_detail": {"status": "success"}}, headers=CARA
        ).status_code
        == 403
    )


def test_request_details_close_in_bulk(sim: Sim) -> None:
    svc = sim.service()
    r = sim.http.post(
        "/_sandbox/erp/requests",
        json={
            "request_name": "create_standard_cost_codes",
            "request_data": [{"full_code": "01-100"}, {"full_code": "02-200"}],
            "details": [
                {"item_type": "standard_cost_code", "item_id": 1},
                {"item_type": "standard_cost_code", "item_id": 2},
            ],
        },
    )
    made = r.json()
    ids = [d["id"] for d in made["details"]]
    assert [x["request_detail_id"] for x in made["request"]["request_data"]] == ids
    r = sim.http.patch(
        f"/rest/v1.0/companies/{COMPANY}/erp_request_details/sync",
        json=[
            {"id": ids[0], "status": "success", "messages": []},
            {"id": ids[1], "status": "failed", "messages": ["SCC 2 failed to export!"]},
            {"id": 1, "status": "success"},
        ],
        headers=svc,
    )
    body = r.json()
    assert [e["status"] for e in body["entities"]] == ["success", "failed"]
    assert body["errors"][0]["errors"] == {"id": ["Entity with this ID not found"]}
    assert sim.http.post("/_sandbox/erp/requests", json={"request_data": {}}).status_code == 400


QB_RULES = {
    "settings": {
        "entities": {
            "jobs": {
                "rules": {
                    "save": {
                        "fields": {
                            "name": {
                                "enabled": True,
                                "validation": {
                                    "max_length": {
                                        "enabled": True,
                                        "length": 41,
                                        "message": "Name is too long (max %{length}).",
                                    }
                                },
                            },
                            "address": {
                                "enabled": True,
                                "validation": {"present": {"enabled": True}},
                            },
                        }
                    }
                }
            },
            "standard_cost_codes": {
                "rules": {
                    "save": {
                        "fields": {
                            "code": {
                                "enabled": True,
                                "validation": {"max_length": {"enabled": True, "length": 31}},
                            }
                        }
                    }
                }
            },
        }
    }
}


def test_save_rules_from_the_connection_metadata(sim: Sim) -> None:
    svc = sim.service()
    long_name = "Northgate Regional Medical Center Parking Expansion Phase 2"
    body = {"company_id": COMPANY, "project": {"name": long_name}}
    assert sim.http.post("/rest/v1.0/projects", json=body, headers=ADA).status_code == 201
    connect(sim, svc, QB_RULES)
    r = sim.http.post("/rest/v1.0/projects", json=body, headers=ADA)
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "name": ["Name is too long (max 41)."],
        "address": ["Must provide a value"],
    }
    ok = {"company_id": COMPANY, "project": {"name": "Fire Station 3", "address": "300 S 9th St"}}
    assert sim.http.post("/rest/v1.0/projects", json=ok, headers=ADA).status_code == 201
    # An update checks only the fields it changes: the seed's long name stays as it is.
    r = sim.http.patch("/rest/v1.0/projects/2006", json={"project": {"phone": "1"}}, headers=CARA)
    assert r.status_code == 200
    r = sim.http.patch(
        "/rest/v1.0/projects/2006", json={"project": {"name": long_name}}, headers=CARA
    )
    assert r.status_code == 422
    r = sim.http.patch(
        "/rest/v1.0/standard_cost_codes/sync",
        json={
            "company_id": COMPANY,
            "standard_cost_code_list_id": 1,
            "updates": [{"code": "X" * 32, "name": "Too long"}],
        },
        headers=svc,
    )
    assert r.json()["errors"][0]["errors"] == {"code": ["Too long. Maximum 31 characters."]}


def test_staged_jobs_import_archive_and_restore(sim: Sim) -> None:
    svc = sim.service()
    r = sim.http.patch(
        "/rest/v1.0/erp_projects/sync",
        json={
            "company_id": COMPANY,
            "updates": [
                {
                    "origin_id": "80000010-1",
                    "name": "Willow Creek Condos",
                    "project_number": "GL-2202",
                    "address": "1200 Willow Creek Dr",
                    "city": "Skokie",
                    "state_code": "IL",
                    "zip": "60076",
                    "estimated_start_date": "2026-05-04",
                },
                {"origin_id": "80000011-1", "name": "Fire Station 3"},
                {"origin_id": "80000012-1"},  # a new staged job needs a name
            ],
        },
        headers=svc,
    )
    body = r.json()
    assert [e["status"] for e in body["entities"]] == ["staged", "staged"]
    assert "name" in body["errors"][0]["errors"]
    willow, fire = (e["id"] for e in body["entities"])
    # Re-staging by origin_id updates the staged record.
    r = sim.http.patch(
        "/rest/v1.0/erp_projects/sync",
        json={
            "company_id": COMPANY,
            "updates": [{"origin_id": "80000011-1", "name": "Fire Station No. 3"}],
        },
        headers=svc,
    )
    assert r.json()["entities"][0]["id"] == fire
    assert sim.http.post(f"/_sandbox/erp/staged/{fire}/archive").json()["status"] == "archived"
    assert sim.http.post(f"/_sandbox/erp/staged/{fire}/import").status_code == 400
    assert sim.http.post(f"/_sandbox/erp/staged/{fire}/restore").json()["status"] == "staged"
    r = sim.http.post(f"/_sandbox/erp/staged/{willow}/import", json={"user_id": 101})
    assert r.status_code == 201
    project_id = r.json()["project_id"]
    assert r.json()["request"]["request_name"] == "create_job_in_procore"
    project = sim.http.get(
        f"/rest/v1.0/projects/{project_id}", params={"company_id": COMPANY}, headers=svc
    ).json()
    assert project["origin_id"] == "80000010-1"
    assert project["standard_cost_code_list_id"] == 1
    assert project["is_erp_integrated"] is True
    assert project["start_date"] == "2026-05-04"
    # Once imported, the job is synced: staging it again is refused.
    r = sim.http.patch(
        "/rest/v1.0/erp_projects/sync",
        json={"company_id": COMPANY, "updates": [{"origin_id": "80000010-1", "name": "Willow"}]},
        headers=svc,
    )
    assert "projects/sync" in r.json()["errors"][0]["errors"]["origin_id"][0]
    staged = {s["id"]: s["status"] for s in sim.http.get("/_sandbox/erp/staged").json()}
    assert staged == {willow: "imported", fire: "staged"}
    assert (
        sim.http.patch(
            "/rest/v1.0/erp_projects/sync", json={"company_id": COMPANY, "updates": []}, headers=BEN
        ).status_code
        == 403
    )
