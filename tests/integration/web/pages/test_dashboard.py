"""The dashboard: what it shows after real work on both editions, read with the same number
of SQL queries however much there is, and only to people with access to the ERP Integrations
tool."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from integration.web.pages.pages_client import PagesClient, visible_text
from integration.workflow.workflow_stack import Stack
from procore_qb.app import actors, dashboard
from procore_qb.domain.errors import PermissionDenied

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

RIVERSIDE, HARBOR, MAPLE = 2001, 2002, 2003


class QueryCounter:
    def __init__(self, stack: Stack) -> None:
        self.engine = stack.engine
        self.statements: list[str] = []

    def __enter__(self) -> QueryCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)


def _figures(stack: Stack, user: str) -> tuple[dashboard.Dashboard, int]:
    actor = actors.user_by_email(stack.ctx, f"{user}@summit.example")
    actors.permissions(stack.ctx, actor)  # read from Procore once; the count is the dashboard's
    with QueryCounter(stack) as counter:
        found = dashboard.dashboard(stack.ctx, actor)
    return found, len(counter.statements)


def _customer(stack: Stack, name: str) -> dict[str, Any]:
    return dict(stack.ok("ben", "GET", f"/erp/customers?search={name}")["items"][0])


def _work(stack: Stack) -> None:
    """A refresh, one export that fails on a name clash, one that syncs, one waiting."""
    stack.ok("ada", "POST", "/erp/jobs/refresh")
    stack.settle()
    customer = _customer(stack, "Greenleaf")
    stack.qb_add_job("Riverside Clinic TI", customer["full_name"])
    for project in (RIVERSIDE, HARBOR, MAPLE):
        stack.ok("cara", "POST", f"/projects/{project}/send-to-erp")
    items = {i["procore_project_id"]: i["id"] for i in stack.items("ben", "ready_to_export")}
    for project in (RIVERSIDE, HARBOR):
        stack.ok(
            "ben", "POST", f"/erp/jobs/{items[project]}/accept", {"customer_id": customer["id"]}
        )
    stack.settle()


@pytest.fixture
def online(tmp_path: Path) -> Iterator[Stack]:
    built = Stack("online", tmp_path)
    yield built
    built.close()


def test_the_dashboard_reads_a_fixed_number_of_queries(stack: Stack) -> None:
    empty, before = _figures(stack, "ada")
    assert sum(empty.counts.values()) == 0
    assert empty.webconnector is not None
    assert empty.webconnector.status == "never"
    _work(stack)
    for n in range(3):  # more Web Connector runs, more commands
        stack.ok("ada", "POST", "/erp/jobs/refresh")
        stack.clock.advance(minutes=5 + n)
        stack.settle()
    busy, after = _figures(stack, "ada")
    assert sum(busy.counts.values()) > 0
    assert busy.webconnector is not None
    assert len(busy.webconnector.runs) == dashboard.RECENT
    assert after == before, f"{before} queries when empty, {after} after the work"


def test_the_dashboard_shows_the_work_done_on_desktop(stack: Stack) -> None:
    _work(stack)
    figures, _ = _figures(stack, "ben")
    api_counts = stack.ok("ben", "GET", "/erp/jobs?filter=synced")["counts"]
    assert figures.counts == api_counts
    assert figures.counts["failed_to_export"] == 1
    assert figures.counts["synced"] == 1
    assert figures.counts["ready_to_export"] == 1
    assert figures.failed_exports_last_day == 1
    (failure,) = figures.recent_failures
    assert failure.name == "Riverside Clinic TI"
    assert failure.error
    jobs_list, cost_codes = figures.lists
    assert jobs_list.last_at is not None
    assert jobs_list.requested_at is not None
    assert jobs_list.next_at == jobs_list.requested_at + timedelta(hours=1)
    assert jobs_list.schedule == "hourly"
    assert not jobs_list.waiting
    assert cost_codes.schedule == "on demand only"
    wc = figures.webconnector
    assert wc is not None
    assert wc.status == "ok"
    assert wc.last_contact_at == stack.clock.now()
    assert wc.queue == 0
    assert sum(run.completed for run in wc.runs) >= 3
    # The job-list refresh and Harbor View's job; Riverside's clashing job failed.
    assert figures.throughput.completed_last_hour == 2
    assert figures.throughput.failed_last_day == 1
    assert figures.online is None
    # A day later the failure is no longer "in the last day", and the Web Connector is quiet.
    stack.clock.advance(days=1, minutes=1)
    later, _ = _figures(stack, "ben")
    assert later.failed_exports_last_day == 0
    assert later.throughput.completed_last_hour == 0
    assert later.counts["failed_to_export"] == 1
    assert later.webconnector is not None
    assert later.webconnector.status == "quiet"


def test_the_dashboard_page_for_an_approver_and_for_a_project_admin(stack: Stack) -> None:
    _work(stack)
    ben = PagesClient(stack)
    page = visible_text(ben.sign_in("ben").text)
    assert "Failed to Export 1" in page
    assert "Synced 1" in page
    assert "Ready to Export 1" in page
    assert "Riverside Clinic TI :" in page
    assert "QuickBooks Web Connector Running" in page
    assert "QuickBooks job list" in page
    cara = PagesClient(stack)
    page = visible_text(cara.sign_in("cara").text)
    assert "no access to the ERP Integrations tool" in page
    assert "Failed to Export" not in page
    with pytest.raises(PermissionDenied):
        dashboard.dashboard(stack.ctx, actors.user_by_email(stack.ctx, "cara@summit.example"))


def test_the_dashboard_shows_quickbooks_online_token_health(online: Stack) -> None:
    figures, before = _figures(online, "ada")
    health = figures.online
    assert health is not None
    assert figures.webconnector is None
    assert health.status == "ok"
    assert health.realm_id
    assert health.refresh_expires_at is not None
    assert health.refresh_expires_at > online.clock.now()
    _work(online)
    busy, after = _figures(online, "ada")
    assert after == before
    assert busy.counts["synced"] == 1
    assert busy.throughput.completed_last_day >= 2
    page = visible_text(PagesClient(online).sign_in("ada").text)
    assert "QuickBooks Online connection Connected" in page
    assert f"Company (realm) {health.realm_id}" in page


def test_the_figures_alone_need_access_to_the_erp_tool(stack: Stack) -> None:
    ben = PagesClient(stack)
    ben.sign_in("ben")
    alone = ben.get("/dashboard/figures")
    assert alone.status_code == 200
    assert "<html" not in alone.text
    assert "Failed to Export" in visible_text(alone.text)
    cara = PagesClient(stack)
    cara.sign_in("cara")
    refused = cara.get("/dashboard/figures")
    assert refused.status_code == 403
    assert (
        "needs 'Read Only' or higher on the ERP Integrations tool; you have 'None'"
        in visible_text(refused.text)
    )
    assert PagesClient(stack).get("/dashboard/figures").headers["location"] == (
        "/login?next=/dashboard/figures"
    )
