from __future__ import annotations

import pytest

from procore_qb.procore.errors import ProcoreUsageError
from procore_qb.procore.resources.budget_line_items import BudgetLineItems
from procore_qb.procore.resources.erp import ErpPlatform
from procore_qb.procore.resources.line_item_types import LineItemTypes
from procore_qb.procore.resources.webhooks import Webhooks

from .fakes import COMPANY, FakeProcore, make_client, reply

EMPTY_SYNC = {"entities": [], "errors": []}


def test_webhook_hooks_and_triggers_use_procores_bodies() -> None:
    fake = FakeProcore()
    fake.on("POST", "/rest/v1.0/webhooks/hooks", reply(201, {"id": 8}))
    fake.on("POST", "/rest/v1.0/webhooks/hooks/8/triggers", reply(201, {"id": 9}))
    hooks = Webhooks(make_client(fake))
    hook = hooks.create_hook(
        namespace="procore-qb",
        destination_url="http://127.0.0.1:8000/webhooks/procore",
        destination_headers={"Authorization": "Bearer s3cret"},
    )
    hooks.create_trigger(hook["id"], resource_name="Projects", event_type="update")
    assert fake.bodies() == [
        {
            "company_id": COMPANY,
            "hook": {
                "api_version": "v2",
                "namespace": "procore-qb",
                "destination_url": "http://127.0.0.1:8000/webhooks/procore",
                "destination_headers": {"Authorization": "Bearer s3cret"},
            },
        },
        {
            "company_id": COMPANY,
            "api_version": "v2",
            "trigger": {"resource_name": "Projects", "event_type": "update"},
        },
    ]


def test_webhook_names_and_events_are_checked_before_sending() -> None:
    hooks = Webhooks(make_client(FakeProcore()))
    with pytest.raises(ProcoreUsageError, match="lowercase letters, digits and '-'"):
        hooks.create_hook(namespace="Procore QB", destination_url="http://127.0.0.1/")
    with pytest.raises(ProcoreUsageError, match="event_type"):
        hooks.create_trigger(1, resource_name="Projects", event_type="upsert")


def test_budget_sync_posts_under_its_own_key() -> None:
    fake = FakeProcore()
    fake.on("POST", "/rest/v1.0/budget_line_items/sync", reply(200, EMPTY_SYNC))
    BudgetLineItems(make_client(fake)).sync(7, [{"wbs_code_id": 3, "original_budget_amount": 1.0}])
    assert fake.bodies() == [
        {"project_id": 7, "budget_line_items": [{"wbs_code_id": 3, "original_budget_amount": 1.0}]}
    ]


def test_line_item_types_list_by_company_or_project() -> None:
    fake = FakeProcore()
    fake.on("GET", "/rest/v1.0/line_item_types", reply(200, []))
    types = LineItemTypes(make_client(fake))
    list(types.list())
    list(types.list(project_id=5, origin_id="O"))
    assert fake.requests[0].url.params["company_id"] == str(COMPANY)
    assert "company_id" not in fake.requests[1].url.params
    assert fake.requests[1].url.params["filters[origin_id]"] == "O"


def test_erp_platform_calls() -> None:
    fake = FakeProcore()
    base = f"/rest/v1.0/companies/{COMPANY}"
    fake.on(
        "POST",
        f"{base}/erp_connections",
        reply(201, {"id": COMPANY, "standard_cost_code_list_id": 3}),
    )
    fake.on("PATCH", f"{base}/erp_request_details/5", reply(200, {"id": 5, "status": "failed"}))
    fake.on("PATCH", f"{base}/external_data/sync", reply(200, EMPTY_SYNC))
    fake.on("PATCH", "/rest/v1.0/erp_job_costs/sync", reply(200, EMPTY_SYNC))
    erp = ErpPlatform(make_client(fake))
    assert erp.create_connection("http://127.0.0.1:8000", {"settings": {}}) == {
        "id": COMPANY,
        "standard_cost_code_list_id": 3,
    }
    erp.close_request_detail(5, "failed", ["QuickBooks: name in use"])
    erp.external_data_sync([{"item_type": "project", "item_id": 1, "origin_id": "J"}])
    erp.job_costs_sync("J", [{"cost_code_id": 1, "line_item_type_id": 2, "job_to_date_cost": 5}])
    bodies = fake.bodies()
    assert bodies[1] == {
        "request_detail": {"status": "failed", "messages": ["QuickBooks: name in use"]}
    }
    assert bodies[3]["job_origin_id"] == "J"
    with pytest.raises(ProcoreUsageError, match="status"):
        erp.close_request_detail(5, "done")
    with pytest.raises(ProcoreUsageError, match="item_type"):
        erp.external_data_sync([{"item_type": "widget", "item_id": 1, "origin_id": "J"}])


def test_erp_bulk_close_and_legacy_staging() -> None:
    fake = FakeProcore()
    fake.on(
        "PATCH", f"/rest/v1.0/companies/{COMPANY}/erp_request_details/sync", reply(200, EMPTY_SYNC)
    )
    fake.on("PATCH", "/rest/v1.0/erp_projects/sync", reply(200, EMPTY_SYNC))
    erp = ErpPlatform(make_client(fake))
    erp.close_request_details([{"id": 1, "status": "success", "messages": []}])
    erp.stage("projects", [{"name": "Willow Creek Remodel", "origin_id": "J1"}])
    assert fake.bodies() == [
        {"updates": [{"id": 1, "status": "success", "messages": []}]},
        {"company_id": COMPANY, "updates": [{"name": "Willow Creek Remodel", "origin_id": "J1"}]},
    ]
    with pytest.raises(ProcoreUsageError, match="legacy ERP staging"):
        erp.stage("widgets", [])
    with pytest.raises(ProcoreUsageError, match="status"):
        erp.close_request_details([{"id": 1, "status": "ok"}])
