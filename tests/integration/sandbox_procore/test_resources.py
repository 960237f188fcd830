"""Projects, cost codes, line item types, budgets and direct costs: bodies, 409, 422 and sync."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ADA, CARA, COMPANY, Sim


def created(r: Any) -> dict[str, Any]:
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def test_create_project_shows_the_spec_fields(sim: Sim) -> None:
    body = {
        "company_id": COMPANY,
        "project": {
            "name": "Willow Creek Condos",
            "project_number": "GL-2202",
            "address": "1200 Willow Creek Dr",
            "city": "Skokie",
            "state_code": "IL",
            "zip": "60076",
            "country_code": "US",
            "start_date": "2026-05-04",
            "completion_date": "2027-04-30",
            "origin_id": "800001-1",
            "origin_data": '{"edit_sequence":"1"}',
            "origin_code": "GL-2202",
            "erp_integrated": True,
            "project_template_id": 2,
            "office_id": 401,
        },
    }
    project = created(sim.http.post("/rest/v1.0/projects", json=body, headers=ADA))
    for key in ("origin_id", "origin_data", "origin_code", "project_number", "start_date"):
        assert project[key] == body["project"][key]
    assert project["is_erp_integrated"] is True
    assert project["project_template"] == {"id": 2, "name": "Commercial Construction"}
    assert project["company"] == {"id": COMPANY, "name": "Summit Ridge Builders"}
    shown = sim.http.get(
        f"/rest/v1.0/projects/{project['id']}", params={"company_id": COMPANY}, headers=ADA
    ).json()
    assert shown["display_name"] == "GL-2202 - Willow Creek Condos"


def test_origin_id_is_unique_per_company(sim: Sim) -> None:
    svc = sim.service()
    sim.http.patch(
        "/rest/v1.0/projects/2001", json={"project": {"origin_id": "JOB-1"}}, headers=svc
    )
    r = sim.http.patch(
        "/rest/v1.0/projects/2002", json={"project": {"origin_id": "JOB-1"}}, headers=svc
    )
    assert r.status_code == 409
    assert "origin_id" in r.json()["errors"]
    r = sim.http.post(
        "/rest/v1.0/projects",
        json={"company_id": COMPANY, "project": {"name": "X", "origin_id": "JOB-1"}},
        headers=svc,
    )
    assert r.status_code == 409
    # The same value on another kind of record is fine, and re-saving the owner is fine.
    assert (
        sim.http.patch(
            "/rest/v1.0/projects/2001", json={"project": {"origin_id": "JOB-1"}}, headers=svc
        ).status_code
        == 200
    )
    r = sim.http.patch(
        "/rest/v1.0/cost_codes/sync",
        params={"project_id": 2002},
        json={"updates": [{"code": "77-700", "name": "Misc", "origin_id": "JOB-1"}]},
        headers=svc,
    )
    assert r.json()["errors"] == []


def test_freed_origin_id_can_be_reused(sim: Sim) -> None:
    svc = sim.service()
    sim.http.patch("/rest/v1.0/projects/2001", json={"project": {"origin_id": "A"}}, headers=svc)
    sim.http.patch("/rest/v1.0/projects/2001", json={"project": {"origin_id": "B"}}, headers=svc)
    r = sim.http.patch(
        "/rest/v1.0/projects/2002", json={"project": {"origin_id": "A"}}, headers=svc
    )
    assert r.status_code == 200


@pytest.mark.parametrize(
    ("project", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "X", "country_code": "USA"}, "country_code"),
        ({"name": "X", "state_code": "il"}, "state_code"),
        ({"name": "X", "start_date": "next week"}, "start_date"),
        ({"name": "X", "office_id": 9}, "office_id"),
        ({"name": "X", "active": "yes"}, "active"),
    ],
)
def test_validation_errors_are_422_in_procore_shape(
    sim: Sim, project: dict[str, Any], field: str
) -> None:
    r = sim.http.post(
        "/rest/v1.0/projects", json={"company_id": COMPANY, "project": project}, headers=ADA
    )
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert list(errors) == [field]
    assert isinstance(errors[field], list)
    assert errors[field][0]


def test_malformed_bodies_are_400(sim: Sim) -> None:
    r = sim.http.post(
        "/rest/v1.0/projects",
        content=b"{not json",
        headers={**ADA, "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    r = sim.http.post("/rest/v1.0/projects", json={"company_id": COMPANY}, headers=ADA)
    assert r.status_code == 400
    assert '"project"' in r.json()["error"]["message"]


def test_unknown_records_are_404(sim: Sim) -> None:
    assert (
        sim.http.get(
            "/rest/v1.0/projects/42", params={"company_id": COMPANY}, headers=ADA
        ).status_code
        == 404
    )
    assert (
        sim.http.get(
            "/rest/v1.0/cost_codes/42", params={"project_id": 2001}, headers=ADA
        ).status_code
        == 404
    )
    assert (
        sim.http.get("/rest/v1.0/cost_codes", params={"project_id": 1}, headers=ADA).status_code
        == 404
    )


def test_project_sync_matching_rules(sim: Sim) -> None:
    svc = sim.service()
    sim.http.patch("/rest/v1.0/projects/2001", json={"project": {"origin_id": "J1"}}, headers=svc)
    updates = [
        {"name": "Brand New"},  # neither id nor origin_id: create
        {"id": 99, "name": "Ghost"},  # unknown id: error
        {"id": 2002, "name": "Harbor View Offices II"},  # id: update
        {"origin_id": "J-NEW", "name": "From QuickBooks"},  # unknown origin_id: create
        {"origin_id": "J1", "description": "matched by origin"},  # known origin_id: update
        {"id": 2003, "origin_id": "J3"},  # id + origin_id: sets the origin_id
        {"id": 2005, "origin_id": "J1"},  # would reuse J1: error
        {"name": "Bad", "country_code": "United States"},  # validation error
    ]
    r = sim.http.patch(
        "/rest/v1.0/projects/sync", json={"company_id": COMPANY, "updates": updates}, headers=svc
    )
    assert r.status_code == 200
    body = r.json()
    assert [e.get("name") for e in body["entities"]][:1] == ["Brand New"]
    assert {e["id"] for e in body["entities"]} >= {2001, 2002, 2003}
    assert len(body["entities"]) == 5
    errors = {tuple(sorted(e["errors"])): e for e in body["errors"]}
    assert errors[("id",)]["errors"]["id"] == ["Entity with this ID not found"]
    assert errors[("id",)]["name"] == "Ghost"
    assert "origin_id" in errors[("origin_id",)]["errors"]
    assert "country_code" in errors[("country_code",)]["errors"]
    shown = sim.http.get(
        "/rest/v1.0/projects/2003", params={"company_id": COMPANY}, headers=ADA
    ).json()
    assert shown["origin_id"] == "J3"
    assert (
        sim.http.get(
            "/rest/v1.0/projects/2001", params={"company_id": COMPANY}, headers=ADA
        ).json()["description"]
        == "matched by origin"
    )


def test_sync_takes_at_most_1000_items(sim: Sim) -> None:
    svc = sim.service()
    r = sim.http.patch(
        "/rest/v1.0/cost_codes/sync",
        params={"project_id": 2005},
        json={"updates": [{"code": f"C{n}", "name": "n"} for n in range(1001)]},
        headers=svc,
    )
    assert r.status_code == 400
    assert "1000" in r.json()["error"]["message"]
    r = sim.http.patch(
        "/rest/v1.0/cost_codes/sync",
        params={"project_id": 2005},
        json={"updates": [{"code": f"C{n}", "name": "n"} for n in range(1000)]},
        headers=svc,
    )
    assert r.status_code == 200
    assert len(r.json()["entities"]) == 1000
    listed = sim.http.get(
        "/rest/v1.0/cost_codes", params={"project_id": 2005, "per_page": 2000}, headers=svc
    )
    assert listed.headers["Total"] == "1000"


def test_erp_integrated_projects_take_cost_codes_only_through_sync(sim: Sim) -> None:
    body = {"project_id": 2001, "cost_code": {"code": "02-200", "name": "Site Work"}}
    r = sim.http.post("/rest/v1.0/cost_codes", json=body, headers=CARA)
    assert r.status_code == 422
    assert "cost_codes/sync" in r.json()["errors"]["base"][0]
    # Birch Hill (2010) has ERP sync off: create works there.
    r = sim.http.post("/rest/v1.0/cost_codes", json={**body, "project_id": 2010}, headers=CARA)
    assert r.status_code == 201
    assert r.json()["biller_type"] == "Project"
    assert r.json()["biller_id"] == 2010


def test_cost_code_sync_links_standard_codes(sim: Sim) -> None:
    svc = sim.service()
    std = sim.http.get(
        "/rest/v1.0/standard_cost_codes",
        params={"company_id": COMPANY, "standard_cost_code_list_id": 1},
        headers=svc,
    ).json()
    site = next(s for s in std if s["code"] == "02-200")
    r = sim.http.patch(
        "/rest/v1.0/cost_codes/sync",
        params={"project_id": 2001},
        json={
            "updates": [
                {
                    "code": "02-200",
                    "name": "Site Work",
                    "standard_cost_code_id": site["id"],
                    "origin_id": "800002|ITEM-02",
                }
            ]
        },
        headers=svc,
    )
    entity = r.json()["entities"][0]
    assert entity["standard_cost_code_id"] == site["id"]
    assert entity["standard_cost_code_list_id"] == 1
    assert entity["origin_id"] == "800002|ITEM-02"
    r = sim.http.get(
        "/rest/v1.0/cost_codes",
        params={"project_id": 2001, "filters[origin_id]": "800002|ITEM-02"},
        headers=svc,
    )
    assert [c["code"] for c in r.json()] == ["02-200"]


def test_standard_cost_codes_views_and_sync(sim: Sim) -> None:
    svc = sim.service()
    q = {"company_id": COMPANY, "standard_cost_code_list_id": 1}
    r = sim.http.get("/rest/v1.0/standard_cost_codes", params={**q, "view": "default"}, headers=svc)
    assert set(r.json()[0]) == {"id", "standard_cost_code_list_id"}
    r = sim.http.get("/rest/v1.0/standard_cost_codes", params=q, headers=svc)
    assert {"code", "full_code", "name", "origin_id", "origin_data"} <= set(r.json()[0])
    assert (
        sim.http.get(
            "/rest/v1.0/standard_cost_codes", params={"company_id": COMPANY}, headers=svc
        ).status_code
        == 400
    )
    r = sim.http.patch(
        "/rest/v1.0/standard_cost_codes/sync",
        json={
            **q,
            "updates": [
                {"code": "17-100", "name": "Fire Protection", "origin_id": "ITEM-17"},
                {"code": "17-110", "name": "Sprinklers", "origin_id": "ITEM-17"},
            ],
        },
        headers=svc,
    )
    body = r.json()
    assert len(body["entities"]) == 2  # the second item matched the first by origin_id
    assert body["entities"][1]["name"] == "Sprinklers"
    assert body["entities"][0]["id"] == body["entities"][1]["id"]


def test_one_erp_list_per_company(sim: Sim) -> None:
    svc = sim.service()
    r = sim.http.post(
        "/rest/v1.0/standard_cost_code_lists",
        json={
            "company_id": COMPANY,
            "standard_cost_code_list": {"name": "Second ERP", "is_erp_list": True},
        },
        headers=svc,
    )
    assert r.status_code == 422
    assert "is_erp_list" in r.json()["errors"]


def test_line_item_types_take_csv_import_code_and_show_code(sim: Sim) -> None:
    svc = sim.service()
    r = sim.http.patch(
        "/rest/v1.0/line_item_types/sync",
        json={
            "company_id": COMPANY,
            "updates": [
                {
                    "name": "QB Other",
                    "csv_import_code": "QO",
                    "base_type": "other",
                    "origin_id": "QB-O",
                },
                {"name": "Bad", "csv_import_code": "B", "base_type": "rocks"},
            ],
        },
        headers=svc,
    )
    body = r.json()
    assert body["entities"][0]["code"] == "QO"
    assert "csv_import_code" not in body["entities"][0]
    assert "base_type" in body["errors"][0]["errors"]


def test_budget_line_items(sim: Sim) -> None:
    codes = sim.http.get("/rest/v1.0/cost_codes", params={"project_id": 2001}, headers=CARA).json()
    types = sim.http.get(
        "/rest/v1.0/line_item_types", params={"company_id": COMPANY}, headers=CARA
    ).json()
    other = next(t for t in types if t["name"] == "Other")
    body = {
        "project_id": 2001,
        "budget_line_item": {
            "cost_code_id": codes[0]["id"],
            "line_item_type_id": other["id"],
            "original_budget_amount": 12500.0,
        },
    }
    line = created(sim.http.post("/rest/v1.0/budget_line_items", json=body, headers=CARA))
    assert line["cost_code"]["id"] == codes[0]["id"]
    assert line["line_item_type"]["name"] == "Other"
    r = sim.http.patch(
        f"/rest/v1.0/budget_line_items/{line['id']}",
        json={"project_id": 2001, "budget_line_item": {"direct_costs": 500.0}},
        headers=CARA,
    )
    assert r.json()["projected_over_under"] == 12000.0
    wrong = {"project_id": 2002, "budget_line_item": {**body["budget_line_item"]}}
    r = sim.http.post("/rest/v1.0/budget_line_items", json=wrong, headers=CARA)
    assert r.status_code == 422
    assert "cost_code_id" in r.json()["errors"]
    assert sim.http.post("/rest/v1.0/budget_line_items", json=body, headers=ADA).status_code == 403


def test_direct_costs_and_the_synced_lock(sim: Sim) -> None:
    url = "/rest/v1.0/projects/2001/direct_costs"
    item = {
        "direct_cost_type": "invoice",
        "direct_cost_date": "2026-03-10",
        "invoice_number": "ACS-1001",
        "origin_id": "BILL-1",
    }
    cost = created(sim.http.post(url, json={"item": item}, headers=CARA))
    assert cost["synced"] is True
    r = sim.http.patch(f"{url}/{cost['id']}", json={"item": {"description": "x"}}, headers=CARA)
    assert r.status_code == 403
    assert "synced" in r.json()["error"]["message"]
    assert (
        sim.http.patch(
            f"{url}/{cost['id']}", json={"item": {"description": "x"}}, headers=sim.service()
        ).status_code
        == 200
    )
    r = sim.http.post(
        url,
        json={"item": {**item, "origin_id": "BILL-2", "direct_cost_type": "gift"}},
        headers=CARA,
    )
    assert r.status_code == 422
    r = sim.http.get(url, params={"filters[invoice_number]": "ACS-1001"}, headers=CARA)
    assert [c["id"] for c in r.json()] == [cost["id"]]
    r = sim.http.patch(
        f"{url}/sync",
        json={
            "updates": [
                {"origin_id": "BILL-1", "description": "by origin"},
                {
                    "direct_cost_type": "expense",
                    "direct_cost_date": "2026-04-19",
                    "origin_id": "CC-0419",
                },
            ]
        },
        headers=sim.service(),
    )
    assert r.json()["errors"] == []
    assert r.json()["entities"][0]["id"] == cost["id"]
    assert sim.http.delete(f"{url}/{cost['id']}", headers=CARA).status_code == 403
    assert sim.http.delete(f"{url}/{cost['id']}", headers=sim.service()).status_code == 204


def test_company_lists(sim: Sim) -> None:
    for url in (
        "/rest/v1.0/offices",
        "/rest/v1.0/project_templates",
        f"/rest/v1.0/companies/{COMPANY}/project_stages",
        f"/rest/v1.0/companies/{COMPANY}/project_types",
        f"/rest/v1.0/companies/{COMPANY}/permission_templates",
        "/rest/v1.0/standard_cost_code_lists",
    ):
        r = sim.http.get(url, params={"company_id": COMPANY}, headers=ADA)
        assert r.status_code == 200, url
        assert r.json()
        assert all("id" in x and "name" in x for x in r.json())
    lists = sim.http.get(
        "/rest/v1.0/standard_cost_code_lists", params={"company_id": COMPANY}, headers=ADA
    ).json()
    assert {x["name"] for x in lists} == {
        "QuickBooks Standard Cost Codes",
        "Standard Cost Code List",
    }


def test_updated_at_moves_on_every_change(sim: Sim) -> None:
    before = sim.http.get(
        "/rest/v1.0/projects/2001", params={"company_id": COMPANY}, headers=ADA
    ).json()["updated_at"]
    sim.advance(60)
    sim.http.patch("/rest/v1.0/projects/2001", json={"project": {"phone": "555"}}, headers=CARA)
    after = sim.http.get(
        "/rest/v1.0/projects/2001", params={"company_id": COMPANY}, headers=ADA
    ).json()["updated_at"]
    assert before == "2026-11-02T09:00:00Z"
    assert after == "2026-11-02T09:01:00Z"


@pytest.mark.parametrize(
    ("method", "url", "params", "missing"),
    [
        ("GET", "/rest/v1.0/projects", {}, "company_id"),
        ("GET", "/rest/v1.0/projects/2001", {}, "company_id"),
        ("GET", "/rest/v1.0/cost_codes", {}, "project_id"),
        (
            "GET",
            "/rest/v1.0/standard_cost_codes",
            {"company_id": COMPANY},
            "standard_cost_code_list_id",
        ),
        ("GET", "/rest/v1.0/line_item_types", {}, "company_id or project_id"),
        ("GET", "/rest/v1.0/webhooks/hooks", {}, "company_id or project_id"),
    ],
)
def test_required_scoping_parameters(
    sim: Sim, method: str, url: str, params: dict[str, Any], missing: str
) -> None:
    r = sim.http.request(method, url, params=params, headers=ADA)
    assert r.status_code == 400
    assert r.json()["error"]["message"].startswith(f"{missing} is required")


def test_direct_cost_references_must_exist(sim: Sim) -> None:
    url = "/rest/v1.0/projects/2001/direct_costs"
    item = {"direct_cost_type": "expense", "direct_cost_date": "2026-04-19"}
    r = sim.http.post(url, json={"item": {**item, "vendor_id": 5}}, headers=CARA)
    assert r.status_code == 422
    assert "vendor_id" in r.json()["errors"]
    r = sim.http.post(url, json={"item": {**item, "employee_id": 999}}, headers=CARA)
    assert "employee_id" in r.json()["errors"]
    assert (
        sim.http.post(url, json={"item": {**item, "employee_id": 103}}, headers=CARA).status_code
        == 201
    )


def test_synced_projects_lock_name_and_address_for_project_users(sim: Sim) -> None:
    svc = sim.service()
    sim.http.patch(
        "/rest/v1.0/projects/2001", json={"project": {"origin_id": "JOB-1"}}, headers=svc
    )
    r = sim.http.patch(
        "/rest/v1.0/projects/2001",
        json={
            "project": {"name": "Riverside Clinic TI Phase 2", "city": "Chatham", "phone": "555"}
        },
        headers=CARA,
    )
    assert r.status_code == 422
    assert set(r.json()["errors"]) == {"name", "city"}
    # Unchanged values and other fields stay editable; the ERP side may change the locked ones.
    r = sim.http.patch(
        "/rest/v1.0/projects/2001",
        json={"project": {"name": "Riverside Clinic TI", "phone": "555"}},
        headers=CARA,
    )
    assert r.status_code == 200
    r = sim.http.patch(
        "/rest/v1.0/projects/2001", json={"project": {"city": "Chatham"}}, headers=svc
    )
    assert r.status_code == 200


def test_direct_cost_lines_feed_the_budget(sim: Sim) -> None:
    svc = sim.service()
    code = sim.http.get("/rest/v1.0/cost_codes", params={"project_id": 2001}, headers=svc).json()[0]
    types = sim.http.get(
        "/rest/v1.0/line_item_types", params={"company_id": COMPANY}, headers=svc
    ).json()
    other = next(t["id"] for t in types if t["name"] == "Other")
    budget = created(
        sim.http.post(
            "/rest/v1.0/budget_line_items",
            json={
                "project_id": 2001,
                "budget_line_item": {
                    "cost_code_id": code["id"],
                    "line_item_type_id": other,
                    "original_budget_amount": 20000.0,
                },
            },
            headers=svc,
        )
    )
    assert budget["direct_costs"] == 0
    headers = sim.http.patch(
        "/rest/v1.0/projects/2001/direct_costs/sync",
        json={
            "updates": [
                {
                    "origin_id": "BILL-1",
                    "direct_cost_type": "invoice",
                    "direct_cost_date": "2026-03-10",
                    "status": "approved",
                },
                {
                    "origin_id": "BILL-2",
                    "direct_cost_type": "invoice",
                    "direct_cost_date": "2026-03-11",
                    "status": "pending",
                },
                {
                    "origin_id": "BILL-3",
                    "direct_cost_type": "invoice",
                    "direct_cost_date": "2026-03-11",
                    "status": "paid",
                },
            ]
        },
        headers=svc,
    ).json()
    assert "status" in headers["errors"][0]["errors"]
    approved, pending = (e["id"] for e in headers["entities"])
    line = {"cost_code_id": code["id"], "line_item_type_id": other}
    r = sim.http.patch(
        "/rest/v1.0/projects/2001/direct_costs/line_items/sync",
        json={
            "updates": [
                {**line, "direct_cost_id": approved, "amount": 12500.0, "origin_id": "BILL-1:1"},
                {
                    **line,
                    "direct_cost_id": approved,
                    "quantity": 2,
                    "unit_cost": 925.0,
                    "origin_id": "BILL-1:2",
                },
                {**line, "direct_cost_id": pending, "amount": 99.0, "origin_id": "BILL-2:1"},
                {**line, "direct_cost_id": approved, "origin_id": "BILL-1:3"},
                {**line, "direct_cost_id": approved, "amount": 1.0, "wbs_code_id": 7},
                {
                    "direct_cost_id": approved,
                    "cost_code_id": 1,
                    "line_item_type_id": other,
                    "amount": 1.0,
                },
            ]
        },
        headers=svc,
    ).json()
    assert [e["amount"] for e in r["entities"]] == [12500.0, 1850.0, 99.0]
    assert [sorted(e["errors"]) for e in r["errors"]] == [
        ["amount"],
        ["wbs_code_id"],
        ["cost_code_id"],
    ]
    shown = sim.http.get(
        f"/rest/v1.0/budget_line_items/{budget['id']}", params={"project_id": 2001}, headers=svc
    ).json()
    assert shown["direct_costs"] == 14350.0
    lines = sim.http.get(
        f"/rest/v1.0/projects/2001/direct_costs/{approved}/line_items", headers=svc
    ).json()
    assert len(lines) == 2
    every = sim.http.get(
        "/rest/v1.0/projects/2001/direct_costs/line_items",
        params={"filters[direct_cost_id]": pending},
        headers=svc,
    ).json()
    assert [x["origin_id"] for x in every] == ["BILL-2:1"]
    # The budget's detail rows show the budget line by cost code and cost type.
    [view] = sim.http.get(
        "/rest/v1.0/budget_views", params={"project_id": 2001}, headers=svc
    ).json()
    rows_url = f"/rest/v1.0/budget_views/{view['id']}/detail_rows"
    [row] = sim.http.get(
        rows_url,
        params={"project_id": 2001, "cost_code_id[]": [code["id"]], "category_id[]": [other]},
        headers=svc,
    ).json()
    assert (row["id"], row["cost_code_id"], row["category_id"]) == (budget["id"], code["id"], other)
    assert row["original_budget_amount"] == "20000.0"
    assert (
        sim.http.get(
            rows_url, params={"project_id": 2001, "cost_code_id[]": [1]}, headers=svc
        ).json()
        == []
    )
    assert sim.http.get(rows_url, headers=svc).status_code == 400  # project_id is required
    assert (
        sim.http.get(
            rows_url, params={"project_id": 2001, "cost_code_id[]": ["x"]}, headers=svc
        ).status_code
        == 400
    )
    # Deleting a direct cost deletes its lines.
    assert (
        sim.http.delete(
            f"/rest/v1.0/projects/2001/direct_costs/{approved}", headers=svc
        ).status_code
        == 204
    )
    left = sim.http.get("/rest/v1.0/projects/2001/direct_costs/line_items", headers=svc).json()
    assert [x["origin_id"] for x in left] == ["BILL-2:1"]


def test_lines_of_a_synced_direct_cost_are_locked(sim: Sim) -> None:
    url = "/rest/v1.0/projects/2001/direct_costs"
    cost = created(
        sim.http.post(
            url,
            json={
                "item": {
                    "direct_cost_type": "expense",
                    "direct_cost_date": "2026-04-19",
                    "origin_id": "CC-1",
                }
            },
            headers=sim.service(),
        )
    )
    code = sim.http.get("/rest/v1.0/cost_codes", params={"project_id": 2001}, headers=CARA).json()[
        0
    ]
    types = sim.http.get(
        "/rest/v1.0/line_item_types", params={"company_id": COMPANY}, headers=CARA
    ).json()
    body = {
        "line_item": {
            "cost_code_id": code["id"],
            "line_item_type_id": types[0]["id"],
            "amount": 450.75,
        }
    }
    r = sim.http.post(f"{url}/{cost['id']}/line_items", json=body, headers=CARA)
    assert r.status_code == 403
    line = created(
        sim.http.post(f"{url}/{cost['id']}/line_items", json=body, headers=sim.service())
    )
    assert line["direct_cost_id"] == cost["id"]
    r = sim.http.get(f"{url}/{cost['id']}/line_items/{line['id']}", headers=CARA)
    assert r.json()["amount"] == 450.75
    assert (
        sim.http.delete(f"{url}/{cost['id']}/line_items/{line['id']}", headers=CARA).status_code
        == 403
    )


def test_wbs_codes_and_budget_sync(sim: Sim) -> None:
    svc = sim.service()
    wbs = sim.http.get(
        "/rest/v1.0/projects/2001/work_breakdown_structure/wbs_codes",
        params={"per_page": 100},
        headers=svc,
    ).json()
    assert len(wbs) == 3 * 5  # three cost codes, five line item types
    other = next(w for w in wbs if w["flat_code"] == "01-100.O")
    assert other["flat_name"] == "General Conditions.Other"
    assert [i["segment"]["type"] for i in other["segment_items"]] == ["cost_code", "line_item_type"]
    found = sim.http.get(
        "/rest/v1.0/projects/2001/work_breakdown_structure/wbs_codes",
        params={"query": "01-100.o"},
        headers=svc,
    ).json()
    assert [w["id"] for w in found] == [other["id"]]
    r = sim.http.post(
        "/rest/v1.0/budget_line_items/sync",
        json={
            "project_id": 2001,
            "budget_line_items": [
                {"wbs_code_id": other["id"], "original_budget_amount": 12500.0},
                {"wbs_code_id": 42, "original_budget_amount": 1.0},
                {"original_budget_amount": 1.0},
                {"id": 42, "original_budget_amount": 1.0},
            ],
        },
        headers=svc,
    )
    assert r.status_code == 200
    body = r.json()
    line = body["entities"][0]
    assert line["cost_code"]["code"] == "01-100"
    assert line["line_item_type"]["name"] == "Other"
    assert [sorted(e["errors"]) for e in body["errors"]] == [
        ["wbs_code_id"],
        ["wbs_code_id"],
        ["id"],
    ]
    r = sim.http.post(
        "/rest/v1.0/budget_line_items/sync",
        json={
            "project_id": 2001,
            "budget_line_items": [{"id": line["id"], "original_budget_amount": 13000.0}],
        },
        headers=svc,
    )
    assert r.json()["entities"][0]["original_budget_amount"] == 13000.0
    # The body key is budget_line_items, not updates.
    r = sim.http.post(
        "/rest/v1.0/budget_line_items/sync", json={"project_id": 2001, "updates": []}, headers=svc
    )
    assert r.status_code == 400


def test_records_must_belong_to_the_scope_named(sim: Sim) -> None:
    code = sim.http.get("/rest/v1.0/cost_codes", params={"project_id": 2001}, headers=ADA).json()[0]
    r = sim.http.get(
        f"/rest/v1.0/cost_codes/{code['id']}", params={"project_id": 2002}, headers=ADA
    )
    assert r.status_code == 404
    r = sim.http.get(
        f"/rest/v1.0/cost_codes/{code['id']}", params={"project_id": 2001}, headers=ADA
    )
    assert r.json()["code"] == code["code"]
    std = sim.http.get(
        "/rest/v1.0/standard_cost_codes",
        params={"company_id": COMPANY, "standard_cost_code_list_id": 1},
        headers=ADA,
    ).json()[0]
    r = sim.http.get(
        f"/rest/v1.0/standard_cost_codes/{std['id']}",
        params={"company_id": COMPANY, "standard_cost_code_list_id": 2},
        headers=ADA,
    )
    assert r.status_code == 404


def test_a_project_read_through_another_company_is_refused(sim: Sim) -> None:
    r = sim.http.get("/rest/v1.0/projects/2001", params={"company_id": 999}, headers=ADA)
    assert r.status_code == 404
