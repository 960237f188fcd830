from __future__ import annotations

import pytest

from procore_qb.procore import errors
from procore_qb.procore.gateway import ProcoreGateway
from procore_qb.procore.resources.erp import ErpPlatform
from procore_qb.procore.resources.line_item_types import LineItemTypes
from procore_qb.procore.resources.projects import Projects

from .conftest import COMPANY, Sim

METADATA = {
    "settings": {
        "labels": {"name": "QuickBooks"},
        "entities": {"job_cost_transactions": {"configs": {"import": {"enabled": True}}}},
    }
}


def test_connect_mark_synced_and_push_job_costs(sim: Sim) -> None:
    client = sim.service_account()
    erp = ErpPlatform(client)
    connection = erp.create_connection("http://127.0.0.1:8000", METADATA)
    assert connection["id"] == COMPANY
    assert isinstance(connection["standard_cost_code_list_id"], int)

    project = ProcoreGateway(client).project(2001)
    code = project.cost_codes[0]
    marked = erp.external_data_sync(
        [
            {"item_type": "project", "item_id": 2001, "origin_id": "80000001-1700000000"},
            {"item_type": "cost_code", "item_id": code.id, "origin_id": "80000001|ITEM-1"},
            {"item_type": "project", "item_id": 999_999_999, "origin_id": "nope"},
        ]
    )
    assert [e["item_id"] for e in marked.entities] == [2001, code.id]
    assert marked.errors[0].item["item_id"] == 999_999_999
    assert Projects(client).show(2001)["origin_id"] == "80000001-1700000000"

    cost_type = next(iter(LineItemTypes(client).list()))
    pair = {"cost_code_id": code.id, "line_item_type_id": cost_type["id"]}
    assert erp.cost_code_line_item_types_sync(2001, [{**pair, "synced": True}]).ok
    costs = erp.job_costs_sync("80000001-1700000000", [{**pair, "job_to_date_cost": 1250.5}])
    assert costs.ok
    assert costs.entities[0]["job_to_date_cost"] == 1250.5
    erp.delete_job_cost(int(costs.entities[0]["id"]))

    assert erp.set_job_cost_transaction_syncing(2001, True) == {
        "project_id": 2001,
        "erp_job_cost_transaction_syncing_enabled": True,
    }
    # Unsync by clearing the origin id.
    assert erp.external_data_sync([{"item_type": "project", "item_id": 2001, "origin_id": None}]).ok
    assert Projects(client).show(2001)["origin_id"] is None


def test_job_costs_for_an_unsynced_project_are_refused(sim: Sim) -> None:
    erp = ErpPlatform(sim.service_account())
    with pytest.raises(errors.NotFound, match="origin_id"):
        erp.job_costs_sync("not-synced", [{"cost_code_id": 1, "line_item_type_id": 1}])


def test_legacy_staging_of_quickbooks_jobs(sim: Sim) -> None:
    erp = ErpPlatform(sim.service_account())
    result = erp.stage(
        "projects",
        [
            {"name": "Willow Creek Remodel", "origin_id": "80000020-1700000000"},
            {"name": "No Origin"},
        ],
    )
    assert [e["origin_id"] for e in result.entities] == ["80000020-1700000000"]
    assert "origin_id" in result.errors[0].errors
