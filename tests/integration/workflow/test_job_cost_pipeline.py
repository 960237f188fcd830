"""The Procore write of job costs as a pipeline: a page's write is in flight while the next
page is read, placed and kept as in flight, and Procore still gets one call at a time."""

from __future__ import annotations

import threading
from typing import Any

import httpx2
import pytest
from job_cost_helpers import ELM, advance, assert_totals_match, enable, synced_projects
from workflow_stack import Stack

from procore_qb.app import job_cost_writes
from procore_qb.procore.client import ProcoreClient
from procore_qb.store.repositories.job_costs import JobCosts

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

WAIT_SECONDS = 60.0
"""How long the held write waits for the next page (a bound against a hang, not a timing)."""


def test_the_next_page_is_prepared_while_a_write_is_in_flight(
    desktop: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(job_cost_writes, "PAGE_SIZE", 2)
    marked: list[list[int]] = []
    second_marked = threading.Event()
    mark_in_flight = JobCosts.mark_in_flight

    def marking(self: JobCosts, company_id: int, project_id: int, *ids: Any) -> None:
        mark_in_flight(self, company_id, project_id, *ids)
        marked.append(list(ids))
        if len(marked) == 2:
            second_marked.set()

    send = ProcoreClient._send
    lock = threading.Lock()
    busy = 0
    most = 0
    held: list[bool] = []

    def counting(self: ProcoreClient, method: str, path: str, *args: Any) -> httpx2.Response:
        nonlocal busy, most
        with lock:
            busy += 1
            most = max(most, busy)
        try:
            if path.endswith("/direct_costs/line_items/sync") and not held:
                # The first page's lines wait, in flight, for the second page to be marked.
                held.append(second_marked.wait(WAIT_SECONDS))
            return send(self, method, path, *args)
        finally:
            with lock:
                busy -= 1

    monkeypatch.setattr(JobCosts, "mark_in_flight", marking)
    monkeypatch.setattr(ProcoreClient, "_send", counting)
    project_id = synced_projects(desktop)[ELM]
    enable(desktop, project_id)
    desktop.settle()

    assert held == [True], "the second page was not prepared while the first was in flight"
    assert len(marked) >= 2
    # The second page's in-flight ids reach back to the first page's, not yet settled.
    assert marked[1][0] == marked[0][0] <= marked[0][1] < marked[1][1]
    assert most == 1, f"{most} Procore calls were in flight at once"
    assert_totals_match(desktop, project_id, ELM)


def test_a_refused_write_in_flight_stops_the_walk_and_the_next_run_finishes(
    desktop: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Procore fails the first page's lines: the page prepared meanwhile is not sent, the run
    fails, and its retry writes everything once."""
    monkeypatch.setattr(job_cost_writes, "PAGE_SIZE", 2)
    send = ProcoreClient._send
    writes: list[int] = []

    def failing(self: ProcoreClient, method: str, path: str, *args: Any) -> httpx2.Response:
        if path.endswith("/direct_costs/line_items/sync"):
            writes.append(len(writes))
            if len(writes) == 1:
                return httpx2.Response(400, json={"errors": "the line items are not valid"})
        return send(self, method, path, *args)

    monkeypatch.setattr(ProcoreClient, "_send", failing)
    project_id = synced_projects(desktop)[ELM]
    enable(desktop, project_id)
    for _ in range(3):
        desktop.run_jobs(expect_failures=True)
        desktop.web_connector()
    assert writes == [0], "a page was sent after the write before it failed"
    advance(desktop, minutes=15)  # the failed write's retry comes due
    desktop.settle()
    assert_totals_match(desktop, project_id, ELM)
