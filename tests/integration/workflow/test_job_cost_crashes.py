"""A real procore-qb process killed with SIGKILL in the middle of a job cost sync; after a
restart on the same files the totals per cost code in Procore still equal QuickBooks', no
direct cost, direct cost line or budget line exists twice, and nothing is left stuck.

The dying process is ``job_costs_crash_child.py`` (its docstring names the boundaries). The
restart is a new stack in this process over the same database and simulator files, its clock
past the job leases and the outbox's in-flight window.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from job_cost_helpers import ELM, ELM_PROJECT, PIER, assert_totals_match, project_codes
from workflow_stack import START, Clock, Stack

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

HERE = Path(__file__).parent
RESTART_AFTER = {"minutes": 20}
"""Later than the job lease (5 minutes) and the outbox's in-flight window (10 minutes)."""


def _crash(edition: str, directory: Path, boundary: str) -> None:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, str(HERE / "job_costs_crash_child.py"), edition, str(directory), boundary],
        cwd=HERE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stdout, done.stderr[-3000:])


def _nothing_stuck(stack: Stack) -> None:
    with stack.engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT idempotency_key FROM qb_commands WHERE state <> 'done'")
            ).all()
            == []
        )
        stuck = conn.execute(
            sa.text(
                "SELECT task, status, last_error FROM queued_jobs "
                "WHERE status IN ('doing', 'failed') OR (status = 'todo' AND run_at <= :now)"
            ),
            {"now": stack.clock.now()},
        ).all()
        assert stuck == []
        assert (
            conn.execute(sa.text("SELECT id FROM job_cost_lines WHERE dirty OR removed")).all()
            == []
        )


@pytest.mark.parametrize(
    ("edition", "boundary"),
    [
        ("online", "online-read"),
        ("online", "headers-written"),
        ("online", "lines-written"),
        ("online", "budget-created"),
        ("online", "job-to-date-written"),
        ("desktop", "wc-handed-out"),
        ("desktop", "wc-answered"),
        ("desktop", "headers-written"),
        ("desktop", "lines-written"),
        ("desktop", "budget-created"),
    ],
)
def test_a_job_cost_sync_killed_midway_converges_after_a_restart(
    edition: str, boundary: str, tmp_path: Path
) -> None:
    _crash(edition, tmp_path, boundary)
    clock = Clock(START)
    clock.advance(**RESTART_AFTER)
    stack = Stack(edition, tmp_path, clock=clock, restart=True)
    try:
        stack.settle()
        stack.clock.advance(minutes=2)
        stack.settle()
        _nothing_stuck(stack)
        pier = next(
            pid
            for pid in {
                c["_project_id"] for c in stack.procore_sim.world.table("cost_codes").values()
            }
            if stack.procore_sim.world.table("projects")[pid]["name"] == "Pier 9 Restaurant"
        )
        for job, project_id in ((ELM, ELM_PROJECT), (PIER, pier)):
            wanted = assert_totals_match(stack, project_id, job)
            assert wanted, job
            assert set(wanted) <= set(project_codes(stack, project_id).values())
    finally:
        stack.close()
