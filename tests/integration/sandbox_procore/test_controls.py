"""Sandbox controls under /_sandbox/, the route list at /openapi.json, persistence, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx2
from typer.testing import CliRunner

from procore_qb.cli import app as cli_app
from procore_qb.sandbox import seed
from procore_qb.sandbox.procore import STATE_FILE
from procore_qb.sandbox.procore.server import free_port

from .conftest import ADA, CARA, COMPANY, Sim, as_user, make_sim


def test_reset_forgets_changes_and_tokens(sim: Sim) -> None:
    token = sim.service_token()
    sim.http.patch("/rest/v1.0/projects/2001", json={"project": {"name": "Renamed"}}, headers=CARA)
    assert sim.http.post("/_sandbox/reset").status_code == 200
    assert (
        sim.http.get(
            "/rest/v1.0/projects/2001", params={"company_id": COMPANY}, headers=ADA
        ).json()["name"]
        == "Riverside Clinic TI"
    )
    assert sim.http.get("/rest/v1.0/me", headers=as_user(token)).status_code == 401


def test_reseed_keeps_tokens(sim: Sim) -> None:
    token = sim.service_token()
    sim.http.patch("/rest/v1.0/projects/2001", json={"project": {"name": "Renamed"}}, headers=CARA)
    assert sim.http.post("/_sandbox/reseed").status_code == 200
    r = sim.http.get(
        "/rest/v1.0/projects/2001", params={"company_id": COMPANY}, headers=as_user(token)
    )
    assert r.status_code == 200
    assert r.json()["name"] == "Riverside Clinic TI"


def test_clock_controls(sim: Sim) -> None:
    assert sim.http.get("/_sandbox/clock").json()["now"] == "2026-11-02T09:00:00Z"
    r = sim.http.post("/_sandbox/clock/advance", json={"seconds": 5400})
    assert r.json()["now"] == "2026-11-02T10:30:00Z"
    assert sim.http.post("/_sandbox/clock/advance", json={"seconds": -1}).status_code == 400
    assert sim.http.post("/_sandbox/clock/advance", json={}).status_code == 400


def test_token_expiry_through_the_clock_control(sim: Sim) -> None:
    token = sim.service_token()
    sim.http.post("/_sandbox/clock/advance", json={"seconds": 5400})
    assert sim.http.get("/rest/v1.0/me", headers=as_user(token)).status_code == 401


def test_inspect_events_and_deliveries(sim: Sim) -> None:
    r = sim.http.post(
        "/rest/v1.0/webhooks/hooks",
        json={
            "company_id": COMPANY,
            "hook": {"namespace": "qb", "destination_url": "http://127.0.0.1:8000/hook"},
        },
        headers=ADA,
    )
    hook = r.json()["id"]
    sim.http.post(
        f"/rest/v1.0/webhooks/hooks/{hook}/triggers",
        json={"trigger": {"resource_name": "Projects", "event_type": "create"}},
        headers=ADA,
    )
    sim.http.post(
        "/rest/v1.0/projects", json={"company_id": COMPANY, "project": {"name": "N"}}, headers=ADA
    )
    events = sim.http.get("/_sandbox/webhooks/events").json()
    assert [e["status"] for e in events] == ["pending"]
    sim.http.post("/_sandbox/webhooks/deliver")
    deliveries = sim.http.get("/_sandbox/webhooks/deliveries").json()
    assert [(d["hook_id"], d["outcome"]) for d in deliveries] == [(hook, "ok")]


def test_bulk_projects_control(sim: Sim) -> None:
    r = sim.http.post("/_sandbox/projects/bulk", json={"count": 3, "name_prefix": "Load"})
    assert r.status_code == 201
    assert r.json()["created"] == 3
    r = sim.http.get(
        "/rest/v1.0/projects", params={"company_id": COMPANY, "filters[name]": "Load"}, headers=ADA
    )
    assert [p["name"] for p in r.json()] == ["Load 1", "Load 2", "Load 3"]
    assert sim.http.post("/_sandbox/projects/bulk", json={"count": 0}).status_code == 400


def test_openapi_lists_every_route_and_keeps_controls_apart(sim: Sim) -> None:
    doc = sim.http.get("/openapi.json").json()
    paths = doc["paths"]
    assert "get" in paths["/rest/v1.0/projects"]
    assert "patch" in paths["/rest/v1.0/cost_codes/sync"]
    assert "post" in paths["/oauth/token"]
    assert "post" in paths["/_sandbox/reset"]
    for path in paths:
        assert path.startswith(("/rest/", "/oauth/", "/_sandbox/")), path
        assert "_sandbox" not in path or path.startswith("/_sandbox/")


def test_state_persists_in_the_data_dir(tmp_path: Path) -> None:
    one = make_sim(data_dir=tmp_path)
    one.http.patch(
        "/rest/v1.0/projects/2001", json={"project": {"origin_id": "JOB-9"}}, headers=one.service()
    )
    assert (tmp_path / STATE_FILE).exists()
    two = make_sim(data_dir=tmp_path)
    r = two.http.get(
        "/rest/v1.0/projects",
        params={"company_id": COMPANY, "filters[origin_id]": "JOB-9"},
        headers=ADA,
    )
    assert [p["id"] for p in r.json()] == [2001]
    r = two.http.patch(
        "/rest/v1.0/projects/2002", json={"project": {"origin_id": "JOB-9"}}, headers=two.service()
    )
    assert r.status_code == 409  # the origin_id index is rebuilt on load


def test_cli_help_names_the_command() -> None:
    result = CliRunner().invoke(cli_app, ["sandbox", "procore", "--help"])
    assert result.exit_code == 0
    assert "--port" in result.output


def test_cli_serves_the_simulator_alone(tmp_path: Path) -> None:
    port = free_port("127.0.0.1")
    command = [
        sys.executable,
        "-c",
        "from procore_qb.cli import main; main()",
        "sandbox",
        "procore",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path),
        "--seed-size",
        "20",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx2.Client(base_url=base, timeout=5) as http:
            for _ in range(100):
                try:
                    http.get("/openapi.json")
                    break
                except httpx2.TransportError:
                    time.sleep(0.1)
            token = http.post(
                "/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": "demo-procore-client",
                    "client_secret": "demo-procore-secret",
                },
            ).json()["access_token"]
            r = http.get(
                "/rest/v1.0/projects", params={"company_id": COMPANY}, headers=as_user(token)
            )
            assert r.status_code == 200
            # The nine active seed projects and the twenty of --seed-size 20.
            assert len(r.json()) == 9 + 20
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    assert b"demo-procore-client" in output
    assert json.loads((tmp_path / STATE_FILE).read_text())["tables"]["projects"]


def test_bulk_control_loads_projects_in_one_call_outside_the_rate_limits(sim: Sim) -> None:
    # Limits so low that the load would exhaust them, were it counted.
    assert (
        sim.http.put(
            "/_sandbox/rate-limits", json={"hourly_limit": 3, "spike_limit": 3}
        ).status_code
        == 200
    )
    r = sim.http.post("/_sandbox/bulk", json={"size": 10_000})
    assert r.status_code == 201, r.text
    assert r.json()["added"] == {"projects": 10_000}
    listed = sim.http.get(
        "/rest/v1.0/projects",
        params={"company_id": COMPANY, "per_page": 1, "filters[name]": "Bulk Project"},
        headers=ADA,
    )
    assert listed.status_code == 200, listed.text
    assert listed.headers["Total"] == "10000"
    last = seed.bulk_world(10_000).projects[-1]
    shown = sim.http.get(
        f"/rest/v1.0/projects/{last.id}", params={"company_id": COMPANY}, headers=ADA
    )
    assert shown.status_code == 200
    assert (shown.json()["name"], shown.json()["project_number"]) == (
        last.name,
        last.project_number,
    )
    assert sim.http.post("/_sandbox/bulk", json={"size": 5}).status_code == 409
    for bad in ({}, {"size": 0}, {"size": "5"}, {"size": seed.BULK_MAX + 1}):
        assert sim.http.post("/_sandbox/bulk", json=bad).status_code == 400, bad
