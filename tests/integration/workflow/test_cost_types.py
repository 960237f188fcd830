"""The 'Other' cost type of QuickBooks-synced projects end to end, with both QuickBooks editions
(spec procore-workflow §1.4; procore-api §2.4): the cost code list refresh makes sure the
company has it (found by origin id, code or name, never made twice), the project cost codes
procore-qb links (import, link to an existing project, export write-back) are assigned to it,
and the budget lines and direct cost lines a Procore user put on another cost type are read by
the job cost sync and listed as not synced, through the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from job_cost_helpers import (
    ELM_PROJECT,
    PIER,
    enable,
    procore_direct_cost,
    procore_requests,
    sync_now,
    synced_projects,
)
from workflow_stack import Stack

from procore_qb.app import setup
from procore_qb.app.writeback import write_back_export
from procore_qb.domain.cost_types import OTHER_ORIGIN_ID
from procore_qb.procore.gateway import BudgetLine

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

RIVERSIDE = 2001  # seed: eligible for export


def _types(stack: Stack) -> list[dict[str, Any]]:
    world = stack.procore_sim.world
    return sorted((dict(t) for t in world.table("line_item_types").values()), key=lambda t: t["id"])


def _others(stack: Stack) -> list[dict[str, Any]]:
    return [t for t in _types(stack) if t["code"] == "O" or t["name"] == "Other"]


def _assigned(stack: Stack, project_id: int) -> dict[int, set[int]]:
    """Cost code id -> the cost types assigned to it (and marked synced)."""
    out: dict[int, set[int]] = {}
    for row in stack.procore_sim.world.table("cost_code_line_item_types").values():
        if row["_project_id"] == project_id and row.get("synced"):
            out.setdefault(row["cost_code_id"], set()).add(row["line_item_type_id"])
    return out


def _refresh_list(stack: Stack) -> None:
    setup.request_cost_code_list(stack.ctx)
    stack.settle()


def test_the_list_refresh_marks_the_company_other_cost_type_once(stack: Stack) -> None:
    seeded = _others(stack)
    assert len(seeded) == 1
    assert seeded[0]["origin_id"] is None
    count = len(_types(stack))
    _refresh_list(stack)
    other = _others(stack)
    assert [t["id"] for t in other] == [seeded[0]["id"]]  # taken over, not duplicated
    assert other[0]["origin_id"] == OTHER_ORIGIN_ID
    assert len(_types(stack)) == count
    _refresh_list(stack)
    assert _others(stack) == other
    assert len(_types(stack)) == count


def test_the_list_refresh_makes_the_other_cost_type_when_the_company_has_none(
    stack: Stack,
) -> None:
    world = stack.procore_sim.world
    with stack.procore_sim.lock:
        for record in list(world.table("line_item_types").values()):
            if record["code"] == "O":
                world.delete("line_item_types", record)
    assert _others(stack) == []
    _refresh_list(stack)
    made = _others(stack)
    assert [(t["name"], t["code"], t["base_type"], t["origin_id"]) for t in made] == [
        ("Other", "O", "other", OTHER_ORIGIN_ID)
    ]
    # Renamed in Procore since: still found by its origin id, never made again.
    with stack.procore_sim.lock:
        world.table("line_item_types")[made[0]["id"]]["name"] = "Other (QuickBooks)"
        world.table("line_item_types")[made[0]["id"]]["code"] = "OQ"
    _refresh_list(stack)
    _refresh_list(stack)
    found = [t for t in _types(stack) if t["origin_id"] == OTHER_ORIGIN_ID]
    assert [t["id"] for t in found] == [made[0]["id"]]
    assert stack.ctx.procore().cost_type_id() == made[0]["id"]


def test_an_imported_project_has_its_cost_codes_on_other(stack: Stack) -> None:
    projects = synced_projects(stack)
    pier = projects[PIER]
    other = stack.ctx.procore().cost_type_id()
    codes = {c.id for c in stack.ctx.procore().cost_codes(pier)}
    assert codes
    assert _assigned(stack, pier) == {cc: {other} for cc in codes}


def test_a_project_linked_to_a_job_has_its_cost_codes_on_other(stack: Stack) -> None:
    synced_projects(stack)  # Elm Court linked to its existing project
    other = stack.ctx.procore().cost_type_id()
    codes = {c.id for c in stack.ctx.procore().cost_codes(ELM_PROJECT)}
    assert codes
    assert _assigned(stack, ELM_PROJECT) == {cc: {other} for cc in codes}


def test_an_exported_project_has_its_linked_cost_codes_on_other(stack: Stack) -> None:
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    stack.settle()
    sent = stack.ok("cara", "POST", f"/projects/{RIVERSIDE}/send-to-erp")
    customer = stack.ok("ben", "GET", "/erp/customers")["items"][0]
    stack.ok("ben", "POST", f"/erp/jobs/{sent['id']}/accept", {"customer_id": customer["id"]})
    stack.settle()
    assert stack.ok("ben", "GET", f"/erp/jobs/{sent['id']}")["state"] == "synced"
    other = stack.ctx.procore().cost_type_id()
    linked = {c.id for c in stack.ctx.procore().cost_codes(RIVERSIDE) if c.origin_id}
    assert linked
    assert _assigned(stack, RIVERSIDE) == {cc: {other} for cc in linked}
    # The write-back again (a retried job) assigns nothing twice.
    rows = len(stack.procore_sim.world.table("cost_code_line_item_types"))
    assert write_back_export(stack.ctx, int(str(sent["id"]).rpartition("-")[2]))
    assert len(stack.procore_sim.world.table("cost_code_line_item_types")) == rows


def test_budget_and_direct_cost_lines_on_another_cost_type_are_listed_as_not_synced(
    stack: Stack,
) -> None:
    synced_projects(stack)
    enable(stack, ELM_PROJECT)
    stack.settle()
    gateway = stack.ctx.procore()
    other = gateway.cost_type_id()
    labor = next(t for t in gateway.cost_types() if t.name == "Labor")
    codes = sorted(gateway.cost_codes(ELM_PROJECT), key=lambda c: c.full_code)
    gateway.add_budget_lines(
        ELM_PROJECT,
        [
            BudgetLine(codes[0].id, other, Decimal("100")),
            BudgetLine(codes[1].id, labor.id, Decimal("250.50")),
        ],
    )
    cost_id, line_id = procore_direct_cost(stack, ELM_PROJECT, codes[2].id, labor.id, 75.25)
    procore_direct_cost(stack, ELM_PROJECT, codes[2].id, other, 10.0)
    path = f"/projects/{ELM_PROJECT}/job-costs/other-cost-types"
    # Read by the job cost sync, not by the report.
    before = stack.ok("ada", "GET", path)
    assert (before["total"], before["direct_cost_total"], before["error"]) == (0, 0, None)
    read_before = before["read_at"]
    assert read_before is not None
    sync_now(stack, ELM_PROJECT)
    with procore_requests(stack) as asked:
        found = stack.ok("ada", "GET", path)
    assert asked == []
    assert found["read_at"] is not None
    assert found["read_at"] >= read_before
    assert found["other_cost_type_id"] == other
    assert found["total"] == 1
    [line] = found["items"]
    assert (line["cost_code_id"], line["code"], line["cost_type"]) == (
        codes[1].id,
        codes[1].full_code,
        "Labor",
    )
    assert line["original_budget_amount"] == "250.50"
    assert "not synced with QuickBooks: cost type 'Labor'" in line["message"]
    assert "'Other' only" in line["message"]
    assert found["direct_cost_total"] == 1
    [cost] = found["direct_cost_lines"]
    assert (cost["line_item_id"], cost["direct_cost_id"], cost["cost_code_id"]) == (
        line_id,
        cost_id,
        codes[2].id,
    )
    assert (cost["cost_type"], cost["amount"]) == ("Labor", "75.25")
    assert "not synced with QuickBooks: cost type 'Labor'" in cost["message"]
    assert "Change the line's cost type to 'Other'" in cost["message"]
    # Only for synced projects, and only for ERP Integrations admins (as the report).
    unsynced = stack.call("ada", "GET", f"/projects/{RIVERSIDE}/job-costs/other-cost-types")
    assert unsynced.status_code == 404
    assert "not synced" in unsynced.json()["detail"]
    denied = stack.call("eve", "GET", path)
    assert denied.status_code == 403


def test_a_synced_project_without_a_job_cost_sync_has_nothing_read_yet(stack: Stack) -> None:
    synced_projects(stack)
    found = stack.ok("ada", "GET", f"/projects/{ELM_PROJECT}/job-costs/other-cost-types")
    assert found["read_at"] is None
    assert (found["total"], found["items"], found["direct_cost_total"]) == (0, [], 0)
