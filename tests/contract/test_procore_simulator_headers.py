"""Walks every route of the Procore simulator over HTTP and checks it asks for what Procore's
published collection asks for, no more and no less.

* ``Procore-Company-Id``: required exactly where the collection lists the header; List Companies
  and Show User Info say "This endpoint does not require the 'Procore-Company-Id' header" (Show
  User Info "unless a company_id or project_id parameter is also included"). ERP routes are not
  in the collection; spec procore-api.md §3.4 says "All calls need Authorization and
  Procore-Company-Id".
* Query parameters: the simulator refuses a call for a missing parameter only when the
  collection marks it "(Required)" or shows it among the request body's scoping keys.

The collection is read from the ``reference_dir`` fixture, never copied.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from procore_qb.sandbox.procore import (
    ManualClock,
    ProcoreSandbox,
    SandboxConfig,
    create_app,
    rest_routes,
)
from procore_qb.sandbox.procore.core import RouteSpec
from procore_qb.sandbox.procore.routes_erp import ERP_ROUTES_IN_SPEC

pytestmark = pytest.mark.reference

MISSING = "Missing Procore-Company-Id header!"
HEADER = "Procore-Company-Id"
PROJECT = 2001
COMPANY = 4263
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _normalise(path: str) -> str:
    path = "/" + path.lstrip("/")
    path = re.sub(r"/:[A-Za-z_]+", "/{}", path)
    return re.sub(r"/\{[A-Za-z_]+\}", "/{}", path)


@pytest.fixture(scope="module")
def collection(reference_dir: Path) -> dict[tuple[str, str], dict[str, Any]]:
    data = json.loads((reference_dir / "procore" / "rest_OAS_all_postman.json").read_text())
    found: dict[tuple[str, str], dict[str, Any]] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            if "item" in item:
                walk(item["item"])
                continue
            request = item["request"]
            url = request["url"]
            found[(request["method"], _normalise("/".join(url["path"])))] = item

    walk(data["item"])
    return found


@pytest.fixture
def http() -> Iterator[TestClient]:
    # Limits high enough that walking every route twice never meets a 429.
    config = SandboxConfig(hourly_limit=100_000, spike_limit=100_000)
    sandbox = ProcoreSandbox(config=config, clock=ManualClock(START))
    with TestClient(create_app(sandbox)) as client:
        yield client


def _url(spec: RouteSpec) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        return str({"company_id": COMPANY, "project_id": PROJECT}.get(name, 1))

    return re.sub(r"\{([A-Za-z_]+)\}", value, spec.path)


def _headers_listed(item: dict[str, Any] | None) -> bool:
    if item is None:  # ERP routes: spec §3.4 "All calls need Authorization and Procore-Company-Id"
        return True
    return HEADER in [h["key"] for h in item["request"].get("header", [])]


def _marked(item: dict[str, Any]) -> set[str]:
    request = item["request"]
    marked = {
        q["key"]
        for q in request["url"].get("query", [])
        if str(q.get("description") or "").startswith("(Required)")
    }
    raw = request.get("body", {}).get("raw") or ""
    if raw.strip().startswith("{"):
        marked |= set(json.loads(raw))
    return marked


def _message(answer: Any) -> str:
    try:
        body = answer.json()
    except ValueError:
        return str(answer.text)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("message"))
    return json.dumps(body)


def test_the_header_is_required_exactly_where_the_collection_lists_it(
    http: TestClient, collection: dict[tuple[str, str], dict[str, Any]]
) -> None:
    wrong: list[str] = []
    for spec in rest_routes():
        item = collection.get((spec.method, _normalise(spec.path)))
        if item is None:
            assert (spec.method, spec.path) in ERP_ROUTES_IN_SPEC, spec.path
        listed = _headers_listed(item)
        answer = http.request(spec.method, _url(spec), headers={"Authorization": "Bearer demo-ada"})
        refused = answer.status_code == 400 and _message(answer) == MISSING
        if refused != listed or spec.company_header != listed:
            wrong.append(f"{spec.method} {spec.path}: listed={listed} refused={refused}")
    assert wrong == []


def test_company_agnostic_routes_answer_without_the_header(http: TestClient) -> None:
    ada = {"Authorization": "Bearer demo-ada"}
    token = http.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "demo-procore-client",
            "client_secret": "demo-procore-secret",
        },
    ).json()["access_token"]
    service = {"Authorization": f"Bearer {token}"}
    for who in (ada, service):
        assert http.get("/rest/v1.0/companies", headers=who).status_code == 200
        assert http.get("/rest/v1.0/me", headers=who).status_code == 200
        scoped = http.get("/rest/v1.0/me", params={"project_id": PROJECT}, headers=who)
        assert (scoped.status_code, _message(scoped)) == (400, MISSING)
    assert http.get("/oauth/token/info", headers=service).status_code == 200


def test_only_the_parameters_the_collection_requires_are_required(
    http: TestClient, collection: dict[tuple[str, str], dict[str, Any]]
) -> None:
    # Called with the header and path parameters but no query string or body, a route may refuse
    # for a missing parameter only when the collection requires that parameter.
    wrong: list[str] = []
    headers = {"Authorization": "Bearer demo-ada", HEADER: str(COMPANY)}
    for spec in rest_routes():
        item = collection.get((spec.method, _normalise(spec.path)))
        if item is None:
            continue
        marked = _marked(item)
        for group in spec.requires:
            if not set(group) & marked:
                wrong.append(f"{spec.method} {spec.path} requires {group}, not marked")
        answer = http.request(spec.method, _url(spec), headers=headers)
        text = _message(answer)
        named = re.match(r"([a-z_]+(?: or [a-z_]+)*) is required", text)
        if answer.status_code == 400 and named and not set(named.group(1).split(" or ")) & marked:
            wrong.append(f"{spec.method} {spec.path}: {text}")
    assert wrong == []
