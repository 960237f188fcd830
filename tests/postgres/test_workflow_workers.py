"""Both workflows on PostgreSQL with the Procrastinate queue and two real worker processes
(QuickBooks Online): the API runs here and only enqueues; the jobs (QuickBooks drains, Procore
write-backs) run in the workers, which reach the simulators over HTTP on 127.0.0.1.

Path B: *Refresh Job List* stages the QuickBooks jobs, one is added to Procore and one linked.
Path A: projects sent and accepted in one bulk accept are exported, once each, and marked
synced in Procore.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "workflow"))

from workflow_stack import Stack, WallClock

from procore_qb.jobs.port import JobQueue
from procore_qb.jobs.procrastinate_queue import ProcrastinateJobQueue
from procore_qb.jobs.procrastinate_schema import upgrade_procrastinate_schema

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.filterwarnings(
        "ignore:You should not use the 'timeout' argument with the TestClient"
    ),
]

WORKER = Path(__file__).with_name("workflow_worker.py")
WORKERS = ("worker-1", "worker-2")
QUIET_WITHIN = 120.0
"""Seconds the workers get to finish what is queued (a bound, not a measurement)."""
PROJECTS = {2001: "Riverside Clinic TI", 2002: "Harbor View Offices"}


def _queue(engine: Engine, clock: Callable[[], datetime]) -> JobQueue:
    upgrade_procrastinate_schema(engine)  # what `procore-qb db upgrade` does on PostgreSQL
    return ProcrastinateJobQueue(engine, clock=clock)


@pytest.fixture
def stack(postgres_url: str, tmp_path: Path) -> Iterator[Stack]:
    built = Stack(
        "online",
        tmp_path,
        clock=WallClock(),
        database_url=postgres_url,
        queue_factory=_queue,
        served=True,
    )
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def workers(
    stack: Stack, postgres_url: str, tmp_path: Path
) -> Iterator[list[subprocess.Popen[str]]]:
    started = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                "online",
                str(tmp_path),
                postgres_url,
                stack.procore_url,
                stack.qbo_url,
                name,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in WORKERS
    ]
    try:
        for process in started:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.strip() == "ready", process.stderr.read() if process.stderr else line
        yield started
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


def _open_work(stack: Stack) -> list[Any]:
    with stack.engine.connect() as conn:
        jobs = conn.execute(
            sa.text(
                "SELECT id, task_name, status FROM procrastinate_jobs "
                "WHERE status IN ('todo', 'doing') "
                "AND (scheduled_at IS NULL OR scheduled_at <= now())"
            )
        ).all()
        commands = conn.execute(
            sa.text(
                "SELECT idempotency_key FROM qb_commands WHERE state IN ('pending', 'in_flight')"
            )
        ).all()
    return [*jobs, *commands]


def _wait_quiet(stack: Stack, workers: list[subprocess.Popen[str]]) -> None:
    """Until nothing due is queued or in flight, twice in a row."""
    deadline = time.monotonic() + QUIET_WITHIN
    quiet = 0
    while quiet < 2:
        for process in workers:
            assert process.poll() is None, process.stderr.read() if process.stderr else "died"
        left = _open_work(stack)
        quiet = quiet + 1 if not left else 0
        assert time.monotonic() < deadline, f"still queued after {QUIET_WITHIN} s: {left}"
        time.sleep(0.2)


def _failed_jobs(stack: Stack) -> list[Any]:
    with stack.engine.connect() as conn:
        return list(
            conn.execute(
                sa.text("SELECT id, task_name FROM procrastinate_jobs WHERE status = 'failed'")
            ).all()
        )


def _quickbooks_jobs(stack: Stack) -> Counter[str]:
    assert stack.qbo is not None
    sim = stack.qbo.app.state.simulator  # type: ignore[attr-defined]
    found: Counter[str] = Counter()
    for realm in sim.realms.values():
        for record in realm.table("Customer").values():
            if record.get("Job"):
                found[str(record.get("DisplayName"))] += 1
    return found


def test_both_paths_with_two_worker_processes(
    stack: Stack, workers: list[subprocess.Popen[str]]
) -> None:
    # Path B: the refresh runs in a worker; the staged jobs are added and linked.
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    _wait_quiet(stack, workers)
    staged = {i["name"]: i["id"] for i in stack.items("ada", "ready_to_import")}
    assert {"Willow Creek Condos", "Fire Station 3", "Pier 9 Restaurant"} <= set(staged)
    added = stack.ok(
        "ada", "POST", f"/erp/jobs/{staged['Willow Creek Condos']}/import", {"method": "new"}
    )
    assert added["state"] == "imported", added
    linked = stack.ok(
        "ada",
        "POST",
        f"/erp/jobs/{staged['Fire Station 3']}/import",
        {"method": "link", "project_id": 2003},
    )
    assert linked["state"] == "imported", linked
    world = stack.procore_sim.world
    projects = world.table("projects")
    assert [
        p["name"] for p in projects.values() if p["origin_id"] == added["quickbooks"]["id"]
    ] == ["Willow Creek Condos"]
    assert projects[2003]["origin_id"] == linked["quickbooks"]["id"]

    # Path A: send, one bulk accept; the export and the write-backs run in the workers.
    ids = [stack.ok("cara", "POST", f"/projects/{p}/send-to-erp")["id"] for p in PROJECTS]
    parent = stack.ok("ben", "GET", "/erp/customers")["items"][0]["id"]
    accepted = stack.ok("ben", "POST", "/erp/jobs/accept", {"ids": ids, "customer_id": parent})
    assert {i["state"] for i in accepted["items"]} == {"exporting"}
    _wait_quiet(stack, workers)
    jobs = _quickbooks_jobs(stack)
    for item_id, (project_id, name) in zip(ids, PROJECTS.items(), strict=True):
        synced = stack.ok("ben", "GET", f"/erp/jobs/{item_id}")
        assert synced["state"] == "synced", synced
        assert jobs[name] == 1, jobs
        assert projects[project_id]["origin_id"] == synced["quickbooks"]["id"]
    audit = [e["action"] for e in stack.ok("ada", "GET", "/audit?limit=500")["items"]]
    assert audit.count("procore_project_marked_synced") == len(PROJECTS)

    assert _failed_jobs(stack) == []
    with stack.engine.connect() as conn:
        ran = conn.execute(
            sa.text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded'")
        ).scalar_one()
        live = conn.execute(sa.text("SELECT count(*) FROM procrastinate_workers")).scalar_one()
    # The refresh's drain, the export's drain, and at least one write-back: the write-back of
    # the exports whose answers one transaction applied runs as one job.
    assert ran >= 1 + 1 + 1
    assert live == len(WORKERS)  # both worker processes took part, sending heartbeats
