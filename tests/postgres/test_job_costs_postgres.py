"""Job cost syncing on PostgreSQL: the set-based reads and writes of ``job_cost_lines`` (bulk
inserts, versioned updates, the sweep of lines a read no longer sees) behave as on SQLite."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration" / "workflow"))

from job_cost_helpers import (
    ELM,
    ELM_PROJECT,
    PIER,
    advance,
    assert_totals_match,
    enable,
    qb_add_bill,
    qb_delete,
    qb_set_line,
    qb_void,
    sync_now,
    synced_projects,
)
from workflow_stack import Stack

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.filterwarnings(
        "ignore:You should not use the 'timeout' argument with the TestClient"
    ),
]


@pytest.fixture
def stack(postgres_url: str, tmp_path: Path) -> Iterator[Stack]:
    built = Stack("desktop", tmp_path, database_url=postgres_url)
    yield built
    built.close()


def test_job_costs_follow_quickbooks_on_postgresql(stack: Stack) -> None:
    projects = synced_projects(stack)
    for project_id in projects.values():
        enable(stack, project_id)
    stack.settle()
    for job, project_id in projects.items():
        assert_totals_match(stack, project_id, job)
    advance(stack, minutes=30)
    qb_set_line(stack, "ACS-1001", 0, amount="12900.00")
    qb_void(stack, "ACS-1001-CR")
    qb_delete(stack, "CC-0419")
    moved = qb_add_bill(stack, ELM, [("09-200", "77.00")])
    qb_add_bill(stack, PIER, [("16-100", "5.00")])
    for project_id in projects.values():
        sync_now(stack, project_id)
    advance(stack, minutes=30)
    qb_set_line(stack, moved, 0, job=PIER)
    for project_id in projects.values():
        sync_now(stack, project_id)
    for job, project_id in projects.items():
        assert_totals_match(stack, project_id, job)
    assert projects[ELM] == ELM_PROJECT


def test_the_job_cost_reports_read_the_same_on_postgresql(stack: Stack) -> None:
    from procore_qb.app import actors, job_cost_reports, job_cost_views

    projects = synced_projects(stack)
    for project_id in projects.values():
        enable(stack, project_id)
    stack.settle()
    ada = actors.user_by_email(stack.ctx, "ada@summit.example")
    overview = {r.project_id: r for r in job_cost_reports.job_costs_overview(stack.ctx, ada)}
    assert set(overview) == set(projects.values())
    for job, project_id in projects.items():
        view = job_cost_views.job_costs_view(stack.ctx, ada, project_id, per_page=500)
        row = overview[project_id]
        assert row.job_name == job
        assert (
            row.job_to_date_cost
            == view.job_to_date_total
            == sum(assert_totals_match(stack, project_id, job).values())
        )
        assert row.budget == view.budget_total
        assert row.not_mapped == view.not_mapped_total
        exported = list(job_cost_reports.job_cost_lines_export(stack.ctx, ada, project_id))
        assert sorted((x.txn_id, x.line_id) for x in exported) == sorted(
            (x.txn_id, x.line_id) for x in view.transactions
        )
