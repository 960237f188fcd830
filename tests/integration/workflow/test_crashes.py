"""A real procore-qb process killed with SIGKILL at each side-effect boundary of an export;
after a restart on the same files everything converges: exactly one QuickBooks job per
project, nothing stuck in the outbox or the job queue, every project synced in Procore.

The dying process is ``crash_child.py`` (its docstring names the boundaries). The restart is
a new stack in this process over the same database and simulator files, its clock past the
job leases and the outbox's in-flight window, as a real restart some minutes later would be.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from workflow_stack import START, Clock, Stack

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

HERE = Path(__file__).parent
PROJECTS = {
    2001: "Riverside Clinic TI",
    2002: "Harbor View Offices",
    2003: "Maple Street Duplex",
}
RESTART_AFTER = {"minutes": 20}
"""Later than the job lease (5 minutes) and the outbox's in-flight window (10 minutes)."""


def _crash(edition: str, directory: Path, boundary: str) -> None:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, str(HERE / "crash_child.py"), edition, str(directory), boundary],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr[-3000:])


def _quickbooks_jobs(stack: Stack) -> Counter[str]:
    """Every job in the QuickBooks company, by name."""
    if stack.qbd is not None:
        return Counter(
            o.name for o in stack.qbd.company.lists(["Customer"]) if o.parent_id is not None
        )
    assert stack.qbo is not None
    sim = stack.qbo.app.state.simulator  # type: ignore[attr-defined]
    found: Counter[str] = Counter()
    for realm in sim.realms.values():
        for record in realm.table("Customer").values():
            if record.get("Job") or record.get("ParentRef"):
                found[str(record.get("DisplayName"))] += 1
    return found


def _converged(stack: Stack) -> None:
    jobs = _quickbooks_jobs(stack)
    for name in PROJECTS.values():
        assert jobs[name] == 1, (name, jobs)
    with stack.engine.connect() as conn:
        open_commands = conn.execute(
            sa.text(
                "SELECT idempotency_key, state FROM qb_commands "
                "WHERE state IN ('pending', 'in_flight')"
            )
        ).all()
        assert open_commands == []
        failed_commands = conn.execute(
            sa.text("SELECT idempotency_key, error_message FROM qb_commands WHERE state = 'failed'")
        ).all()
        assert failed_commands == []
        stuck = conn.execute(
            sa.text(
                "SELECT task, status, last_error FROM queued_jobs "
                "WHERE status IN ('doing', 'failed') OR (status = 'todo' AND run_at <= :now)"
            ),
            {"now": stack.clock.now()},
        ).all()
        assert stuck == []
    world = stack.procore_sim.world
    for project_id, name in PROJECTS.items():
        project = stack.ok("ada", "GET", f"/projects/{project_id}")
        assert project["erp"]["state"] == "synced", project
        job_id = project["erp"]["quickbooks"]["id"]
        assert world.table("projects")[project_id]["origin_id"] == job_id, name
        assert project["erp"]["quickbooks"]["full_name"].endswith(f":{name}")


def _restart(edition: str, directory: Path) -> Stack:
    clock = Clock(START)
    clock.advance(**RESTART_AFTER)
    return Stack(edition, directory, clock=clock, restart=True)


@pytest.mark.parametrize(
    ("edition", "boundary"),
    [
        ("online", "online-created"),
        ("online", "before-writeback"),
        ("online", "writeback-sent"),
        ("desktop", "desktop-created"),
        ("desktop", "wc-handed-out"),
        ("desktop", "wc-answered"),
        ("desktop", "before-writeback"),
    ],
)
def test_a_killed_process_converges_after_a_restart(
    edition: str, boundary: str, tmp_path: Path
) -> None:
    _crash(edition, tmp_path, boundary)
    stack = _restart(edition, tmp_path)
    try:
        stack.settle()
        stack.clock.advance(minutes=2)
        stack.settle()
        _converged(stack)
    finally:
        stack.close()


def test_a_job_renamed_in_quickbooks_while_procore_qb_was_down_is_linked_not_added_again(
    tmp_path: Path,
) -> None:
    """The process dies after QuickBooks created the jobs but before their answers were
    stored; while it is down someone renames one of the jobs in QuickBooks."""
    _crash("desktop", tmp_path, "desktop-created")
    stack = _restart("desktop", tmp_path)
    try:
        assert stack.qbd is not None
        before = {o.name: o for o in stack.qbd.company.lists(["Customer"]) if o.parent_id}
        riverside = before[PROJECTS[2001]]
        stack.qb_rename(riverside.full_name, "Riverside Clinic TI - Phase 1")
        stack.settle()
        stack.clock.advance(minutes=2)
        stack.settle()
        jobs = _quickbooks_jobs(stack)
        assert jobs["Riverside Clinic TI"] == 0, jobs
        assert jobs["Riverside Clinic TI - Phase 1"] == 1, jobs
        project = stack.ok("ada", "GET", "/projects/2001")
        assert project["erp"]["state"] == "synced", project
        assert project["erp"]["quickbooks"]["id"] == riverside.list_id
        assert project["erp"]["quickbooks"]["full_name"].endswith(":Riverside Clinic TI - Phase 1")
        assert stack.procore_sim.world.table("projects")[2001]["origin_id"] == riverside.list_id
    finally:
        stack.close()
