from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx2
import pytest

from procore_qb.domain.cost_types import CostType
from procore_qb.domain.project import Address, CostCode
from procore_qb.domain.quickbooks_job import JobAddress, QuickBooksJob
from procore_qb.procore.errors import Conflict, ProcoreUsageError
from procore_qb.procore.gateway import (
    BudgetLine,
    BudgetRow,
    DirectCostEntry,
    DirectCostLine,
    NewCostCode,
    OriginMark,
    ProcoreGateway,
    access_level,
)

from .fakes import COMPANY, FakeProcore, make_client, reply

PROJECT = {
    "id": 2001,
    "name": "Riverside Clinic TI",
    "project_number": "RC-101",
    "address": "12 River Rd",
    "city": "Springfield",
    "state_code": "IL",
    "zip": "62701",
    "country_code": "US",
    "start_date": "2026-03-02",
    "completion_date": "2026-11-20",
    "active": True,
    "is_erp_integrated": True,
    "standard_cost_code_list_id": 1,
    "origin_id": None,
}
CODES = [
    {"id": 11, "code": "100", "full_code": "01-100", "name": "Supervision", "origin_id": None},
    {"id": 12, "code": "300", "full_code": "03-300", "name": "Concrete", "origin_id": "80-A"},
]


def manifest(erp: str, directory: str, push: bool) -> dict[str, object]:
    actions = (
        [{"id": 1, "action_name": "can_push_to_accounting", "label": "Can Push to Accounting"}]
        if push
        else []
    )
    return {
        "tools": [
            {
                "id": 17,
                "name": "erp_integrations",
                "friendly_name": "ERP Integrations",
                "user_access_level": {"id": 4, "name": erp},
                "permitted_actions": actions,
            },
            {
                "id": 5,
                "name": "directory",
                "friendly_name": "Directory",
                "user_access_level": {"id": 2, "name": directory},
                "permitted_actions": [],
            },
        ]
    }


def gateway(fake: FakeProcore) -> ProcoreGateway:
    return ProcoreGateway(make_client(fake), clock=lambda: datetime(2026, 11, 28, 12, tzinfo=UTC))


def test_projects_come_back_as_domain_projects_with_their_cost_codes() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/projects", reply(200, [PROJECT]))
    fake.on("GET", "/rest/v1.0/cost_codes", reply(200, CODES))
    [project] = gateway(fake).projects(updated_since=datetime(2026, 11, 1, tzinfo=UTC))
    assert project.id == 2001
    assert project.company_id == COMPANY
    assert project.address == Address(
        line1="12 River Rd", city="Springfield", state_code="IL", zip="62701", country_code="US"
    )
    assert project.start_date == date(2026, 3, 2)
    assert project.erp_sync is True
    assert project.standard_cost_code_list_id == 1
    assert project.cost_codes == (
        CostCode(11, "01-100", "Supervision"),
        CostCode(12, "03-300", "Concrete", "80-A"),
    )
    params = fake.requests[0].url.params
    assert params["company_id"] == str(COMPANY)
    assert params["filters[by_status]"] == "All"
    assert params["filters[updated_at]"] == "2026-11-01T00:00:00Z...2026-11-28T12:00:00Z"
    assert fake.requests[1].url.params["project_id"] == "2001"


def test_project_by_origin_filters_on_origin_id() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/projects", reply(200, []))
    assert gateway(fake).project_by_origin("80000001-123") is None
    assert fake.requests[0].url.params["filters[origin_id]"] == "80000001-123"


JOB = QuickBooksJob(
    name="Willow Creek Remodel",
    full_name="Hartley Homes:Willow Creek Remodel",
    id="80000020-1700000000",
    version="1700000001",
    parent_id="80000002-1",
    number="WC-7",
    address=JobAddress("7 Willow Ln", "Unit B", "Peoria", "IL", "61602", "USA"),
    start_date=date(2026, 12, 1),
)


def test_creating_a_project_from_a_job_writes_project_list_and_codes() -> None:
    fake = FakeProcore()
    fake.on("POST", "/rest/v1.0/projects", reply(201, {**PROJECT, "id": 3001}))
    fake.on("PATCH", "/rest/v1.0/projects/3001", reply(200, {**PROJECT, "id": 3001}))
    fake.on(
        "PATCH",
        "/rest/v1.0/cost_codes/sync",
        reply(200, {"entities": [{"id": 31, "code": "100"}], "errors": []}),
    )
    fake.on("GET", "/rest/v1.0/projects/3001", reply(200, {**PROJECT, "id": 3001}))
    fake.on("GET", "/rest/v1.0/cost_codes", reply(200, CODES[:1]))
    project = gateway(fake).create_project_from_job(
        JOB,
        cost_code_list_id=1,
        template_id=2,
        cost_codes=[NewCostCode("100", "Supervision", standard_cost_code_id=501)],
    )
    assert project.id == 3001
    create, update, sync = fake.bodies()[:3]
    assert create == {
        "company_id": COMPANY,
        "project": {
            "name": "Willow Creek Remodel",
            "active": True,
            "project_number": "WC-7",
            "address": "7 Willow Ln Unit B",
            "city": "Peoria",
            "state_code": "IL",
            "zip": "61602",
            "country_code": "US",
            "start_date": "2026-12-01",
            "origin_id": "80000020-1700000000",
            "origin_data": "1700000001",
            "erp_integrated": True,
            "project_template_id": 2,
        },
    }
    assert update == {"company_id": COMPANY, "project": {"standard_cost_code_list_id": 1}}
    assert sync == {
        "updates": [{"code": "100", "name": "Supervision", "standard_cost_code_id": 501}]
    }
    assert fake.requests[2].url.params["project_id"] == "3001"


def test_a_job_already_linked_surfaces_procores_conflict() -> None:
    fake = FakeProcore()
    fake.on(
        "POST",
        "/rest/v1.0/projects",
        reply(409, {"errors": {"origin_id": ["has already been taken"]}}),
    )
    with pytest.raises(Conflict, match="origin_id has already been taken"):
        gateway(fake).create_project_from_job(JOB, cost_code_list_id=1, cost_codes=[])


def test_a_job_without_an_id_cannot_become_a_project() -> None:
    with pytest.raises(ProcoreUsageError, match="create it in QuickBooks first"):
        gateway(FakeProcore()).create_project_from_job(
            QuickBooksJob(name="New"), cost_code_list_id=1, cost_codes=[]
        )


def test_refused_cost_codes_are_reported_after_the_project_exists() -> None:
    fake = FakeProcore()
    fake.on("POST", "/rest/v1.0/projects", reply(201, {**PROJECT, "id": 3001}))
    fake.on("PATCH", "/rest/v1.0/projects/3001", reply(200, {**PROJECT, "id": 3001}))
    fake.on(
        "PATCH",
        "/rest/v1.0/cost_codes/sync",
        reply(200, {"entities": [], "errors": [{"code": "", "errors": {"code": ["blank"]}}]}),
    )
    with pytest.raises(ProcoreUsageError, match="project 3001 was created but 1 cost code"):
        gateway(fake).create_project_from_job(
            JOB, cost_code_list_id=1, cost_codes=[NewCostCode("", "x")]
        )


def test_marking_synced_writes_origin_fields() -> None:
    fake = FakeProcore()
    fake.on("PATCH", "/rest/v1.0/projects/2001", reply(200, {**PROJECT, "origin_id": "J1"}))
    fake.on("PATCH", "/rest/v1.0/cost_codes/sync", reply(200, {"entities": [], "errors": []}))
    fake.on(
        "PATCH", "/rest/v1.0/standard_cost_codes/sync", reply(200, {"entities": [], "errors": []})
    )
    gw = gateway(fake)
    project = gw.mark_project_synced(2001, "J1", origin_data='{"v":1}', origin_code="RC-101")
    assert project.origin_id == "J1"
    gw.mark_cost_codes_synced(2001, [OriginMark(11, "I1", "7")])
    gw.mark_standard_cost_codes_synced(1, [OriginMark(501, "I1")])
    bodies = fake.bodies()
    assert bodies[0] == {
        "company_id": COMPANY,
        "project": {"origin_id": "J1", "origin_data": '{"v":1}', "origin_code": "RC-101"},
    }
    assert bodies[1] == {"updates": [{"id": 11, "origin_id": "I1", "origin_data": "7"}]}
    assert bodies[2] == {
        "company_id": COMPANY,
        "standard_cost_code_list_id": 1,
        "updates": [{"id": 501, "origin_id": "I1"}],
    }


@pytest.mark.parametrize(
    ("erp", "directory", "push", "expected"),
    [
        ("Admin", "Admin", True, ("admin", "admin", True)),
        ("Standard", "Read Only", True, ("standard", "read_only", True)),
        ("None", "None", False, ("none", "none", False)),
    ],
)
def test_tool_permissions_come_from_the_manifest(
    erp: str, directory: str, push: bool, expected: tuple[str, str, bool]
) -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/settings/permissions", reply(200, manifest(erp, directory, push)))
    perms = gateway(fake).tool_permissions()
    assert (perms.erp_integrations, perms.directory, perms.can_push_to_accounting) == expected
    assert perms.project_admin is None
    assert fake.requests[0].url.params["company_id"] == str(COMPANY)


def test_project_admin_level_comes_from_the_project_manifest() -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        if "project_id" in request.url.params:
            return reply(
                200,
                {"tools": [{"name": "admin", "user_access_level": {"id": 4, "name": "Admin"}}]},
            )
        return reply(200, manifest("None", "None", False))

    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/settings/permissions", answer)
    assert gateway(fake).tool_permissions(2001).project_admin == "admin"


def test_unknown_or_missing_levels_count_as_none() -> None:
    assert access_level(None) == "none"
    assert access_level({"user_access_level": {"name": "Owner"}}) == "none"
    assert access_level({"user_access_level": "Read Only"}) == "read_only"


def test_job_costs_become_direct_costs_with_lines_and_budget_lines() -> None:
    def headers(request: httpx2.Request) -> httpx2.Response:
        updates = json.loads(request.content)["updates"]
        return reply(
            200,
            {
                "entities": [dict(u, id=900 + i) for i, u in enumerate(updates[:1])],
                "errors": [dict(u, errors={"vendor_id": ["not found"]}) for u in updates[1:]],
            },
        )

    fake = FakeProcore()
    fake.on("PATCH", "/rest/v1.0/projects/2001/direct_costs/sync", headers)
    fake.on(
        "PATCH",
        "/rest/v1.0/projects/2001/direct_costs/line_items/sync",
        reply(200, {"entities": [{"id": 1}], "errors": []}),
    )
    fake.on("POST", "/rest/v1.0/budget_line_items", reply(201, {"id": 77}))
    fake.on("GET", "/rest/v1.0/budget_views", reply(200, [{"id": 5, "name": "Standard"}]))
    fake.on(
        "GET",
        "/rest/v1.0/budget_views/5/detail_rows",
        reply(
            200, [{"id": 61, "cost_code_id": 12, "category_id": 5, "original_budget_amount": "9.5"}]
        ),
    )
    gw = gateway(fake)
    line = DirectCostLine(11, 5, Decimal("1250.50"), "Rebar")
    entries = [
        DirectCostEntry("BILL-1", date(2026, 11, 2), (line,), invoice_number="INV-9"),
        DirectCostEntry("BILL-2", date(2026, 11, 3), (line,), vendor_id=404),
    ]
    header_result, line_result = gw.write_direct_costs(2001, entries)
    assert len(header_result.entities) == 1
    assert header_result.errors[0].message == "vendor_id not found"
    assert line_result.calls == 1
    bodies = fake.bodies()
    assert bodies[0]["updates"][0] == {
        "origin_id": "BILL-1",
        "direct_cost_date": "2026-11-02",
        "direct_cost_type": "invoice",
        "status": "approved",
        "invoice_number": "INV-9",
    }
    assert bodies[1] == {
        "updates": [
            {
                "direct_cost_id": 900,
                "cost_code_id": 11,
                "line_item_type_id": 5,
                "amount": 1250.5,
                "origin_id": "BILL-1:1",
                "description": "Rebar",
            }
        ]
    }
    # The budget is read first: the line the budget has is not created again.
    assert gw.add_budget_lines(2001, [BudgetLine(11, 5), BudgetLine(12, 5)]) == [
        BudgetRow(77, 11, 5),
        BudgetRow(61, 12, 5, Decimal("9.5")),
    ]
    assert fake.bodies()[-1] == {
        "project_id": 2001,
        "budget_line_item": {
            "cost_code_id": 11,
            "line_item_type_id": 5,
            "original_budget_amount": 0.0,
        },
    }


def test_what_the_caller_already_read_is_not_read_again() -> None:
    fake = FakeProcore()
    fake.on("POST", "/rest/v1.0/budget_line_items", reply(201, {"id": 78}))
    gw = gateway(fake)
    budget = [BudgetRow(61, 12, 5, Decimal("9.5")), BudgetRow(62, 11, 3)]
    # The budget given is the one looked in: 12 on cost type 5 is found, 11 on 5 is created.
    assert gw.add_budget_lines(2001, [BudgetLine(11, 5), BudgetLine(12, 5)], budget=budget) == [
        BudgetRow(78, 11, 5),
        BudgetRow(61, 12, 5, Decimal("9.5")),
    ]
    assert [(r.method, r.url.path) for r in fake.requests] == [
        ("POST", "/rest/v1.0/budget_line_items")
    ]
    types = [CostType(3, "Labor", "L"), CostType(9, "Other", "O")]
    assert gw.cost_type_id(types) == 9
    with pytest.raises(ProcoreUsageError, match="has no cost type 'Other'"):
        gw.cost_type_id(types[:1])
    assert len(fake.requests) == 1


def test_resource_bodies_refuse_fields_procore_does_not_take() -> None:
    from procore_qb.procore.resources.projects import Projects

    with pytest.raises(ProcoreUsageError, match="project create does not take nmae"):
        Projects(make_client(FakeProcore())).create({"nmae": "x"})
