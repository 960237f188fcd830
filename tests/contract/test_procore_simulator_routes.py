"""Every route the Procore simulator serves under ``/rest/`` exists in Procore's published API
collection with the same method, and every request body the simulator reads uses field names the
collection shows for that request.

The collection is ``../shared/reference/procore/rest_OAS_all_postman.json`` (read from the
``reference_dir`` fixture, never copied). ERP platform routes are not in it (spec §0.4); each one
the simulator serves is checked against spec procore-api.md §3.4 instead.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from procore_qb.sandbox.procore import rest_routes
from procore_qb.sandbox.procore.routes_company import USER_FIELDS
from procore_qb.sandbox.procore.routes_cost_codes import (
    COST_CODE_FIELDS,
    LINE_ITEM_TYPE_FIELDS,
    STD_CODE_FIELDS,
)
from procore_qb.sandbox.procore.routes_costs import (
    BUDGET_FIELDS,
    BUDGET_SYNC_FIELDS,
    DIRECT_COST_FIELDS,
    LINE_FIELDS,
)
from procore_qb.sandbox.procore.routes_erp import ERP_ROUTES_IN_SPEC, INFERRED_ROWS
from procore_qb.sandbox.procore.routes_projects import PROJECT_WRITE_FIELDS
from procore_qb.sandbox.procore.routes_webhooks_v2 import V2_HOOK_FIELDS

pytestmark = pytest.mark.reference


def _normalise(path: str) -> str:
    """``rest/v1.0/projects/:id`` and ``/rest/v1.0/projects/{id}`` both become
    ``/rest/v1.0/projects/{}``."""
    path = "/" + path.lstrip("/")
    path = re.sub(r"/:[A-Za-z_]+", "/{}", path)
    return re.sub(r"/\{[A-Za-z_]+\}", "/{}", path)


def _collection(reference_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    data = json.loads((reference_dir / "procore" / "rest_OAS_all_postman.json").read_text())
    found: dict[tuple[str, str], dict[str, Any]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if "item" in item:
                walk(item["item"])
                continue
            request = item["request"]
            url = request["url"]
            path = "/".join(url["path"]) if isinstance(url, dict) else str(url)
            found[(request["method"], _normalise(path))] = request

    walk(data["item"])
    return found


@pytest.fixture(scope="module")
def collection(reference_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return _collection(reference_dir)


def test_every_rest_route_is_in_the_collection(
    collection: dict[tuple[str, str], dict[str, Any]],
) -> None:
    missing = [
        f"{spec.method} {spec.path}"
        for spec in rest_routes()
        if (spec.method, _normalise(spec.path)) not in collection
        and (spec.method, spec.path) not in ERP_ROUTES_IN_SPEC
    ]
    assert missing == []


def test_every_erp_route_listed_is_served() -> None:
    served = {(spec.method, spec.path) for spec in rest_routes()}
    assert set(ERP_ROUTES_IN_SPEC) - served == set()


def test_erp_routes_are_the_ones_spec_section_3_prints(
    reference_dir: Path, collection: dict[tuple[str, str], dict[str, Any]]
) -> None:
    spec = reference_dir.parent / "spec" / "procore-api.md"
    if not spec.exists():
        pytest.skip(f"{spec} is not here")
    text = spec.read_text()
    catalogue = text[text.index("### 3.4") : text.index("### 3.5")]
    rows = {
        int(m.group(1)): m.group(0)
        for m in re.finditer(r"^\| (\d+) \|.*$", catalogue, flags=re.MULTILINE)
    }
    for (method, path), row in ERP_ROUTES_IN_SPEC.items():
        assert (method, _normalise(path)) not in collection, path
        printed = _normalise(path).replace("{}", "")
        line = rows[row]
        assert method in line, (method, path, row)
        tail = printed.rstrip("/").split("/rest/v1.0/")[1]
        pieces = [p for p in tail.split("/") if p]
        assert all(piece in line for piece in pieces), (path, row)
        if row in INFERRED_ROWS:
            assert "[I]" in line, (path, row)
        else:
            assert "**[C]**" in line or "[C," in line, (path, row)


def test_routes_carry_the_collections_names(
    collection: dict[tuple[str, str], dict[str, Any]],
) -> None:
    for spec in rest_routes():
        if (spec.method, spec.path) in ERP_ROUTES_IN_SPEC:
            continue
        request = collection[(spec.method, _normalise(spec.path))]
        names = {request.get("name")}
        assert spec.summary in names or spec.summary.lower() == str(request.get("name")).lower(), (
            spec.method,
            spec.path,
            names,
        )


def _body_keys(request: dict[str, Any], wrapper: str | None) -> set[str]:
    raw = request.get("body", {}).get("raw")
    assert raw, "the collection shows no body for this request"
    body = json.loads(raw)
    if wrapper is None:
        return set(body)
    inner = body[wrapper]
    if isinstance(inner, list):
        return set().union(*(set(i) for i in inner))
    return set(inner)


# (method, path, key wrapping the attributes, attributes the simulator reads)
BODIES: list[tuple[str, str, str | None, set[str]]] = [
    ("POST", "/rest/v2.0/companies/{}/webhooks/hooks", None, set(V2_HOOK_FIELDS)),
    (
        "POST",
        "/rest/v2.0/companies/{}/webhooks/hooks/{}/triggers",
        None,
        {"resource_name", "event_type"},
    ),
    (
        "POST",
        "/rest/v1.0/budget_line_items/sync",
        "budget_line_items",
        set(BUDGET_SYNC_FIELDS) | {"id"},
    ),
    ("POST", "/rest/v1.0/projects/{}/direct_costs/{}/line_items", "line_item", set(LINE_FIELDS)),
    (
        "PATCH",
        "/rest/v1.0/projects/{}/direct_costs/{}/line_items/{}",
        "line_item",
        set(LINE_FIELDS),
    ),
    (
        "PATCH",
        "/rest/v1.0/projects/{}/direct_costs/line_items/sync",
        "updates",
        set(LINE_FIELDS) | {"id"},
    ),
    (
        "POST",
        "/rest/v1.0/projects",
        "project",
        set(PROJECT_WRITE_FIELDS) - {"standard_cost_code_list_id", "county", "fax"},
    ),
    (
        "PATCH",
        "/rest/v1.0/projects/{}",
        "project",
        set(PROJECT_WRITE_FIELDS)
        - {"code", "latitude", "longitude", "enable_copy_of_standard_cost_codes"},
    ),
    ("POST", "/rest/v1.0/cost_codes", "cost_code", set(COST_CODE_FIELDS)),
    ("PATCH", "/rest/v1.0/cost_codes/{}", "cost_code", set(COST_CODE_FIELDS)),
    ("PATCH", "/rest/v1.0/cost_codes/sync", "updates", set(COST_CODE_FIELDS) | {"id"}),
    ("POST", "/rest/v1.0/standard_cost_codes", "standard_cost_code", set(STD_CODE_FIELDS)),
    ("PATCH", "/rest/v1.0/standard_cost_codes/sync", "updates", set(STD_CODE_FIELDS) | {"id"}),
    ("POST", "/rest/v1.0/line_item_types", "line_item_type", set(LINE_ITEM_TYPE_FIELDS)),
    ("PATCH", "/rest/v1.0/line_item_types/sync", "updates", set(LINE_ITEM_TYPE_FIELDS) | {"id"}),
    (
        "POST",
        "/rest/v1.0/budget_line_items",
        "budget_line_item",
        set(BUDGET_FIELDS) - {"direct_costs"},
    ),
    ("PATCH", "/rest/v1.0/budget_line_items/{}", "budget_line_item", set(BUDGET_FIELDS)),
    (
        "PATCH",
        "/rest/v1.0/projects/{}/direct_costs/sync",
        "updates",
        set(DIRECT_COST_FIELDS) | {"id"},
    ),
    (
        "POST",
        "/rest/v1.0/projects/{}/direct_costs",
        "item",
        set(DIRECT_COST_FIELDS) - {"currency_iso_code", "currency_exchange_rate"},
    ),
]


@pytest.mark.parametrize(("method", "path", "wrapper", "fields"), BODIES)
def test_body_fields_are_the_collections(
    collection: dict[tuple[str, str], dict[str, Any]],
    method: str,
    path: str,
    wrapper: str | None,
    fields: set[str],
) -> None:
    shown = _body_keys(collection[(method, path)], wrapper)
    assert fields - shown == set()


def test_project_fields_come_from_create_or_update(
    collection: dict[tuple[str, str], dict[str, Any]],
) -> None:
    shown = _body_keys(collection[("POST", "/rest/v1.0/projects")], "project") | _body_keys(
        collection[("PATCH", "/rest/v1.0/projects/{}")], "project"
    )
    assert set(PROJECT_WRITE_FIELDS) - shown == set()


def test_user_fields_are_a_users_fields(
    collection: dict[tuple[str, str], dict[str, Any]],
) -> None:
    # The collection shows no body for company users; its list filters name origin_id.
    request = collection[("GET", "/rest/v1.0/companies/{}/users")]
    keys = {q["key"] for q in request["url"]["query"]}
    assert "filters[origin_id]" in keys
    assert {"origin_id", "origin_data"} <= set(USER_FIELDS)


def test_required_query_parameters_are_enforced(
    collection: dict[tuple[str, str], dict[str, Any]],
) -> None:
    for spec in rest_routes():
        request = collection.get((spec.method, _normalise(spec.path)))
        if request is None:
            continue
        marked = {
            q["key"]
            for q in request["url"].get("query", [])
            if str(q.get("description") or "").startswith("(Required)")
        }
        enforced = {name for group in spec.requires for name in group}
        assert marked <= enforced, (spec.method, spec.path, marked - enforced)
