"""Every call our Procore client makes exists in Procore's published API collection, with the
same method, and every request body uses only field names the collection shows for that request.

The collection is ``../shared/reference/procore/rest_OAS_all_postman.json`` (Procore's OpenAPI
file converted to Postman). ERP platform endpoints are not in it (spec procore-api §0.4); they are
listed apart and skipped here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest

from procore_qb.domain.quickbooks_job import JobAddress, QuickBooksJob
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.gateway import (
    BudgetLine,
    DirectCostEntry,
    DirectCostLine,
    NewCostCode,
    OriginMark,
    ProcoreGateway,
)
from procore_qb.procore.oauth import StaticTokenAuth
from procore_qb.procore.resources.budget_line_items import BudgetLineItems
from procore_qb.procore.resources.companies import Companies
from procore_qb.procore.resources.company_users import CompanyUsers
from procore_qb.procore.resources.cost_codes import CostCodes
from procore_qb.procore.resources.direct_costs import DirectCosts
from procore_qb.procore.resources.line_item_types import LineItemTypes
from procore_qb.procore.resources.me import Me
from procore_qb.procore.resources.offices import Offices
from procore_qb.procore.resources.permission_templates import PermissionTemplates
from procore_qb.procore.resources.project_stages import ProjectStages
from procore_qb.procore.resources.project_templates import ProjectTemplates
from procore_qb.procore.resources.project_types import ProjectTypes
from procore_qb.procore.resources.projects import Projects
from procore_qb.procore.resources.standard_cost_codes import (
    StandardCostCodeLists,
    StandardCostCodes,
)
from procore_qb.procore.resources.webhooks import Webhooks

pytestmark = pytest.mark.reference

Route = tuple[str, re.Pattern[str], int, Any]


def _routes(collection: Path) -> list[Route]:
    data = json.loads(collection.read_text())
    routes: list[Route] = []

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if "item" in item:
                walk(item["item"])
                continue
            request = item["request"]
            segments = request["url"]["path"]
            pattern = "/" + "/".join(
                "[^/]+" if s.startswith((":", "{{")) else re.escape(s) for s in segments
            )
            literal = sum(1 for s in segments if not s.startswith((":", "{{")))
            raw = (request.get("body") or {}).get("raw") or ""
            body = json.loads(raw) if raw.strip() else None
            routes.append((request["method"], re.compile(pattern + "$"), literal, body))

    walk(data["item"])
    return routes


def _key_paths(value: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _key_paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for inner in value:
            yield from _key_paths(inner, (*prefix, "[]"))


def _echo(request: httpx2.Request) -> httpx2.Response:
    """Answers shaped enough for the client and gateway to go on."""
    path = request.url.path
    body = json.loads(request.content) if request.content else None
    if request.method == "GET":
        last = path.rsplit("/", 1)[-1]
        if last.isdigit() or last == "me":
            return httpx2.Response(200, json={"id": 1, "name": "x"})
        if last == "permissions":
            return httpx2.Response(200, json={"tools": []})
        return httpx2.Response(200, json=[])
    if isinstance(body, dict) and isinstance(body.get("updates"), list):
        entities = [dict(u, id=i + 1) for i, u in enumerate(body["updates"])]
        return httpx2.Response(200, json={"entities": entities, "errors": []})
    if isinstance(body, dict) and isinstance(body.get("budget_line_items"), list):
        return httpx2.Response(200, json={"entities": [], "errors": []})
    return httpx2.Response(201, json={"id": 1, "name": "x"})


JOB = QuickBooksJob(
    name="Willow Creek Remodel",
    id="80000020-1700000000",
    version="1700000001",
    number="WC-7",
    address=JobAddress("7 Willow Ln", "", "Peoria", "IL", "61602", "US"),
    start_date=date(2026, 12, 1),
    projected_end_date=date(2027, 6, 1),
)


def _exercise(client: ProcoreClient) -> None:
    """Every call the client's resource modules and the gateway make."""
    list(Companies(client).list())
    Me(client).show()
    Me(client).in_company()
    list(CompanyUsers(client).list(origin_id="x"))
    CompanyUsers(client).show(1)
    list(PermissionTemplates(client).list())
    PermissionTemplates(client).show(1)
    list(PermissionTemplates(client).for_project(1))
    list(ProjectTemplates(client).list())
    list(Offices(client).list())
    list(ProjectStages(client).list())
    list(ProjectTypes(client).list())
    projects = Projects(client)
    projects.show(1)
    projects.sync([{"id": 1, "origin_id": "J", "origin_data": "1", "name": "P"}])
    lists = StandardCostCodeLists(client)
    list(lists.list())
    lists.show(1)
    lists.create("QuickBooks Standard Cost Codes")
    codes = StandardCostCodes(client)
    codes.create(1, {"code": "100", "name": "Labor", "origin_id": "I1", "origin_data": "1"})
    codes.update(1, 5, {"name": "Labor"})
    codes.delete(5)
    cost_codes = CostCodes(client)
    cost_codes.show(1, 2)
    cost_codes.create(1, {"code": "100", "name": "Labor", "standard_cost_code_id": 5})
    cost_codes.update(1, 2, {"origin_id": "I1"})
    types = LineItemTypes(client)
    list(types.list(origin_id="x"))
    types.sync([{"name": "Other", "csv_import_code": "O", "base_type": "other", "origin_id": "x"}])
    budget = BudgetLineItems(client)
    budget.show(1, 2)
    budget.sync(1, [{"wbs_code_id": 3, "original_budget_amount": 10.0}])
    direct = DirectCosts(client)
    list(direct.list(1, origin_id="x"))
    direct.show(1, 2)
    direct.create(1, {"origin_id": "B1", "direct_cost_date": "2026-11-02", "status": "draft"})
    list(direct.line_items(1, 2))
    direct.create_line_item(1, 2, {"amount": 5.0, "cost_code_id": 3, "line_item_type_id": 4})
    hooks = Webhooks(client)
    list(hooks.hooks(namespace="procore-qb"))
    hook = hooks.create_hook(
        namespace="procore-qb",
        destination_url="http://127.0.0.1:8000/webhooks/procore",
        destination_headers={"Authorization": "Bearer x"},
    )
    list(hooks.triggers(int(hook["id"])))
    hooks.create_trigger(int(hook["id"]), resource_name="Projects", event_type="update")
    hooks.delete_trigger(int(hook["id"]), 2)
    hooks.delete_hook(int(hook["id"]))

    gateway = ProcoreGateway(client, clock=lambda: datetime(2026, 11, 28, tzinfo=UTC))
    gateway.projects(updated_since=datetime(2026, 11, 1, tzinfo=UTC))
    gateway.project(1)
    gateway.project_by_origin("J")
    gateway.create_project_from_job(
        JOB,
        cost_code_list_id=1,
        template_id=2,
        cost_codes=[NewCostCode("100", "Labor", standard_cost_code_id=5, origin_id="I1")],
    )
    gateway.mark_project_synced(1, "J", origin_data="1", origin_code="WC-7")
    gateway.mark_cost_codes_synced(1, [OriginMark(2, "I1", "1")])
    gateway.mark_standard_cost_codes_synced(1, [OriginMark(5, "I1", "1")])
    gateway.cost_code_lists()
    gateway.standard_cost_codes(1)
    gateway.write_standard_cost_codes(1, [NewCostCode("100", "Labor", origin_id="I1")])
    gateway.tool_permissions(1)
    gateway.add_budget_lines(1, [BudgetLine(2, 3, Decimal("100"))])
    line = DirectCostLine(2, 3, Decimal("12.50"), "Rebar")
    gateway.write_direct_costs(
        1,
        [
            DirectCostEntry(
                "B1",
                date(2026, 11, 2),
                (line,),
                invoice_number="9",
                description="Bill",
                vendor_id=7,
                origin_data="1",
            )
        ],
    )


def test_calls_and_bodies_match_procores_collection(reference_dir: Path) -> None:
    routes = _routes(reference_dir / "procore" / "rest_OAS_all_postman.json")
    sent: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return _echo(request)

    client = ProcoreClient(
        httpx2.Client(transport=httpx2.MockTransport(handler)),
        StaticTokenAuth("t"),
        company_id=4263,
        base_url="https://api.procore.test",
        sleep=lambda s: None,
    )
    _exercise(client)
    assert len(sent) > 50
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for request in sent:
        path = request.url.path
        matches = [r for r in routes if r[0] == request.method and r[1].match(path)]
        if not matches:
            problems.append(f"{request.method} {path}: no such request in the collection")
            continue
        best = max(r[2] for r in matches)
        candidates = [r for r in matches if r[2] == best]
        seen.add((request.method, candidates[0][1].pattern))
        if not request.content:
            continue
        body = json.loads(request.content)
        allowed: set[tuple[str, ...]] = set()
        for candidate in candidates:
            allowed |= set(_key_paths(candidate[3]))
        extra = sorted(".".join(p) for p in set(_key_paths(body)) - allowed)
        if extra:
            problems.append(f"{request.method} {path}: fields not in the collection: {extra}")
    assert not problems, "\n".join(problems)
    assert len(seen) >= 40
