"""Job cost syncing end to end through the HTTP API, with both QuickBooks editions.

Every check compares what procore-qb wrote to the Procore simulator (ERP job-to-date costs and
direct cost lines, per cost code) with totals computed independently from the QuickBooks
simulator's own transactions (``job_cost_helpers``): after the first sync, after edits,
deletions, voids and recoded lines in QuickBooks, and after a sync that finds nothing new.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import httpx2
import pytest
import sqlalchemy as sa
from job_cost_helpers import (
    ELM,
    ELM_PROJECT,
    PIER,
    WILLOW,
    account_id,
    advance,
    assert_totals_match,
    budget_lines,
    direct_cost_census,
    enable,
    expected_totals,
    procore_direct_costs,
    procore_job_to_date,
    procore_requests,
    project_codes,
    qb_add_bill,
    qb_delete,
    qb_set_line,
    qb_void,
    sync_now,
    synced_projects,
)
from workflow_stack import Stack

from procore_qb.domain.job_costs import own_marker
from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.gateway import JobToDate, ProcoreGateway
from procore_qb.procore.sync import SyncItemError, SyncResult

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)


def _view(stack: Stack, project_id: int, **params: Any) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    answer: dict[str, Any] = stack.ok(
        "ada", "GET", f"/projects/{project_id}/job-costs" + (f"?{query}" if query else "")
    )
    return answer


def _started(stack: Stack) -> dict[str, int]:
    projects = synced_projects(stack)
    for project_id in projects.values():
        state = enable(stack, project_id)
        assert state["enabled"] is True
    stack.settle()
    return projects


def test_the_first_sync_writes_what_quickbooks_holds(stack: Stack) -> None:
    projects = _started(stack)
    for job, project_id in projects.items():
        wanted = assert_totals_match(stack, project_id, job)
        assert wanted  # the seed codes costs to both jobs
        view = _view(stack, project_id)
        by_code = {c["code"]: c for c in view["cost_codes"]}
        for code, amount in wanted.items():
            assert Decimal(by_code[code]["job_to_date_cost"]) == amount
            assert Decimal(by_code[code]["written_to_procore"]) == amount
            assert Decimal(by_code[code]["variance"]) == Decimal(by_code[code]["budget"]) - amount
        assert Decimal(view["totals"]["job_to_date_cost"]) == sum(wanted.values())
        assert view["last_sync"]["read_at"]
        assert view["last_sync"]["written_at"]
        assert view["counts"]["dirty"] == 0
    # The lines no cost code takes are listed with their reasons, never dropped.
    elm = _view(stack, ELM_PROJECT)["not_mapped"]
    assert [(i["ref_number"], i["reason"]) for i in elm["items"]] == [("JE-77", "account_line")]
    assert "job_cost_account_cost_codes" in elm["items"][0]["message"]
    # A journal line's entity is the job itself, not a vendor: the line shows none.
    assert elm["items"][0]["vendor"] == ""
    pier = _view(stack, projects[PIER])["not_mapped"]
    assert [(i["ref_number"], i["reason"], i["amount"]) for i in pier["items"]] == [
        ("BEC-2210", "item_not_cost_code", "325.00")
    ]
    _, unmapped = expected_totals(stack, PIER, set(project_codes(stack, projects[PIER]).values()))
    assert [line.txn_ref for line in unmapped] == ["BEC-2210"]


def test_edits_deletions_voids_and_recoded_lines_are_reflected(stack: Stack) -> None:
    projects = _started(stack)
    advance(stack, minutes=30)
    qb_set_line(stack, "ACS-1001", 0, amount="13250.00")  # Elm: 03-300 12,500 -> 13,250
    qb_void(stack, "ACS-1001-CR")  # Elm: the -500 vendor credit becomes zero
    qb_delete(stack, "CC-0419")  # Pier 9: a card charge deleted
    new_bill = qb_add_bill(stack, PIER, [("16-100", "1200.00"), ("01-100", "75.25")])
    moved = qb_add_bill(stack, ELM, [("09-200", "640.00"), ("01-100", "99.00")])
    for project_id in projects.values():
        sync_now(stack, project_id)
    for job, project_id in projects.items():
        assert_totals_match(stack, project_id, job)
    advance(stack, minutes=30)
    # A line recoded to a job that does not sync leaves Elm; a whole bill deleted.
    qb_set_line(stack, moved, 0, job=WILLOW)
    qb_delete(stack, new_bill)
    for project_id in projects.values():
        sync_now(stack, project_id)
    for job, project_id in projects.items():
        assert_totals_match(stack, project_id, job)
    codes = {c["code"]: c for c in _view(stack, ELM_PROJECT)["cost_codes"]}
    assert Decimal(codes["03-300"]["job_to_date_cost"]) == Decimal("13250.00")
    assert Decimal(codes["09-200"]["job_to_date_cost"]) == 0
    pier_costs, _, _ = direct_cost_census(stack, projects[PIER])
    assert len(pier_costs) == 1  # only BEC-2210 is left on Pier 9's cost codes
    # The voided credit stays in Procore, at zero; the deleted transactions are gone.
    elm_lines = _view(stack, ELM_PROJECT, per_page=50)["transactions"]["items"]
    assert {(i["ref_number"], i["amount"]) for i in elm_lines} >= {("ACS-1001-CR", "0.00")}


def test_a_sync_that_finds_nothing_new_writes_nothing_twice(stack: Stack) -> None:
    projects = _started(stack)
    before = {p: direct_cost_census(stack, p) for p in projects.values()}
    budgets = {p: budget_lines(stack, p) for p in projects.values()}
    for _ in range(2):
        advance(stack, minutes=5)
        for project_id in projects.values():
            with procore_requests(stack) as asked:
                answer = sync_now(stack, project_id)
            assert answer["command"]
            # Nothing new: the write reads what it needs once each (the cost types and the
            # budget serve the cost type check too), then the direct cost lines on other cost
            # types for the report; it writes nothing.
            assert len(set(asked)) == len(asked), asked
            assert [
                re.sub(r"budget_views/\d+/", "budget_views/{view}/", r)
                for r in asked
                if not r.endswith("/settings/permissions")  # who asked for the sync
            ] == [
                f"GET /rest/v1.0/projects/{project_id}",
                "GET /rest/v1.0/cost_codes",
                "GET /rest/v1.0/line_item_types",
                "GET /rest/v1.0/standard_cost_codes",
                "GET /rest/v1.0/budget_views",
                "GET /rest/v1.0/budget_views/{view}/detail_rows",
                f"GET /rest/v1.0/projects/{project_id}/direct_costs/line_items",
            ]
    for job, project_id in projects.items():
        assert direct_cost_census(stack, project_id) == before[project_id]
        assert budget_lines(stack, project_id) == budgets[project_id]
        assert_totals_match(stack, project_id, job)


def test_the_account_table_places_account_lines(stack: Stack) -> None:
    materials = account_id(stack, "Job Materials")
    stack.ok("ada", "PATCH", "/settings", {"job_cost_account_cost_codes": {materials: "01-100"}})
    _started(stack)
    wanted = assert_totals_match(stack, ELM_PROJECT, ELM, {"Job Materials": "01-100"})
    assert wanted["01-100"] == Decimal("1850.00") + Decimal("800.00")
    assert _view(stack, ELM_PROJECT)["not_mapped"]["total"] == 0
    # Mapping to a code the project does not have says so.
    stack.ok("ada", "PATCH", "/settings", {"job_cost_account_cost_codes": {materials: "99-999"}})
    sync_now(stack, ELM_PROJECT)
    [line] = _view(stack, ELM_PROJECT)["not_mapped"]["items"]
    assert line["reason"] == "account_code_not_on_project"
    assert "99-999" in line["message"]
    assert_totals_match(stack, ELM_PROJECT, ELM)


def test_editable_direct_cost_columns_get_job_to_date_costs_only(stack: Stack) -> None:
    stack.ok("ada", "PATCH", "/settings", {"budget_direct_cost_columns": "editable"})
    projects = _started(stack)
    for job, project_id in projects.items():
        assert_totals_match(stack, project_id, job, direct_costs=False)
        view = _view(stack, project_id)
        assert view["budget_direct_cost_columns"] == "editable"
        assert view["budget_direct_cost_columns_label"] == "Editable, Do Not Populate"


def test_bills_procore_qb_wrote_are_not_costs_again(stack: Stack) -> None:
    projects = _started(stack)
    advance(stack, minutes=10)
    qb_add_bill(
        stack,
        ELM,
        [("03-300", "9999.00")],
        memo=f"Sub invoice {own_marker('requisition-42')}",
    )
    sync_now(stack, ELM_PROJECT)
    wanted = assert_totals_match(stack, ELM_PROJECT, ELM)
    assert wanted["03-300"] == Decimal("12000.00")
    view = _view(stack, ELM_PROJECT)
    assert view["counts"]["excluded"] == 1
    assert projects[ELM] == ELM_PROJECT


def test_the_schedule_reads_enabled_projects(stack: Stack) -> None:
    projects = _started(stack)
    advance(stack, minutes=20)
    qb_add_bill(stack, ELM, [("01-100", "410.00")])
    stack.settle()
    assert procore_job_to_date(stack, ELM_PROJECT)["01-100"] == Decimal("1850.00")
    advance(stack, hours=2, minutes=5)  # the every-two-hours schedule is due
    stack.settle()
    assert procore_job_to_date(stack, ELM_PROJECT)["01-100"] == Decimal("2260.00")
    assert_totals_match(stack, ELM_PROJECT, ELM)
    # Turned off, a project is read no more.
    off = stack.ok("cara", "POST", f"/projects/{projects[PIER]}/job-cost-sync", {"enabled": False})
    assert off["enabled"] is False
    qb_add_bill(stack, PIER, [("16-100", "1.00")])
    advance(stack, hours=2, minutes=5)
    stack.settle()
    assert procore_job_to_date(stack, projects[PIER])["16-100"] == Decimal("8400.00")


def test_who_may_do_what(stack: Stack) -> None:
    projects = synced_projects(stack)
    pier = projects[PIER]
    refused = stack.call("eve", "POST", f"/projects/{pier}/job-cost-sync", {"enabled": True})
    assert refused.status_code == 403
    assert "project's Admin tool" in refused.json()["detail"]
    unsynced = stack.call("cara", "POST", "/projects/2001/job-cost-sync", {"enabled": True})
    assert unsynced.status_code == 422
    assert unsynced.json()["rule"] == "project_not_synced"
    off = stack.call("ada", "POST", f"/projects/{pier}/job-costs/sync")
    assert off.status_code == 422
    assert off.json()["rule"] == "job_cost_sync_off"
    enable(stack, pier)
    assert stack.call("cara", "POST", f"/projects/{pier}/job-costs/sync").status_code == 403
    assert stack.call("cara", "GET", f"/projects/{pier}/job-costs").status_code == 403
    assert stack.call("ben", "GET", f"/projects/{pier}/job-costs").status_code == 403
    assert stack.call("ada", "GET", "/projects/2001/job-costs").status_code == 404
    unknown = stack.call("cara", "POST", "/projects/1/job-cost-sync", {"enabled": True})
    assert unknown.status_code == 404, unknown.text
    assert "no project 1" in unknown.json()["detail"]
    # A second "sync now" while the first read waits does not ask QuickBooks twice.
    first = stack.ok("ada", "POST", f"/projects/{pier}/job-costs/sync")
    assert first["already_waiting"] is True


def test_procore_own_switch_is_set_when_procore_offers_it(stack: Stack) -> None:
    projects = synced_projects(stack)
    pier = projects[PIER]
    # Without the ERP connection's metadata Procore has no such switch: syncing works anyway.
    other = enable(stack, ELM_PROJECT)
    assert other["procore_configuration"]["erp_job_cost_transaction_syncing_enabled"] is None
    assert "procore-qb syncs the job costs" in other["procore_configuration"]["note"]
    metadata = {
        "settings": {
            "entities": {"job_cost_transactions": {"configs": {"import": {"enabled": True}}}}
        }
    }
    stack.procore_sim.world.insert(
        "erp_connections",
        {
            "id": 4263,
            "_company_id": 4263,
            "service_url": "http://127.0.0.1:8000",
            "metadata": metadata,
        },
        stack.clock.now(),
    )
    on = enable(stack, pier)
    assert on["procore_configuration"]["erp_job_cost_transaction_syncing_enabled"] is True
    configs = stack.procore_sim.world.table("project_configurations")
    assert configs[pier]["erp_job_cost_transaction_syncing_enabled"] is True
    off = stack.ok("cara", "POST", f"/projects/{pier}/job-cost-sync", {"enabled": False})
    assert off["procore_configuration"]["erp_job_cost_transaction_syncing_enabled"] is False
    assert configs[pier]["erp_job_cost_transaction_syncing_enabled"] is False


def _lose_answers_once(monkeypatch: pytest.MonkeyPatch, *paths: str) -> set[str]:
    """Procore takes the first call to each of ``paths`` but its answer is lost (the
    connection resets after the request was sent); returns the paths whose answer was lost."""
    send = ProcoreClient._send
    lost: set[str] = set()

    def lossy(self: ProcoreClient, method: str, path: str, *args: Any) -> httpx2.Response:
        answer = send(self, method, path, *args)
        for wanted in paths:
            if path.endswith(wanted) and wanted not in lost:
                lost.add(wanted)
                raise httpx2.ReadError("connection reset after the request was sent")
        return answer

    monkeypatch.setattr(ProcoreClient, "_send", lossy)
    return lost


def test_a_lost_procore_answer_is_looked_up_not_repeated(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answers to a budget line create and to a direct cost sync are lost once each: the
    retried write finds what the first one made instead of making it again."""
    lost = _lose_answers_once(
        monkeypatch, "/rest/v1.0/budget_line_items", "/direct_costs/line_items/sync"
    )
    projects = synced_projects(stack)
    enable(stack, projects[PIER])
    for _ in range(4):
        stack.run_jobs(expect_failures=True)
        if stack.qbd is not None:
            stack.web_connector()
        advance(stack, minutes=15)
    stack.settle()
    assert lost == {"/rest/v1.0/budget_line_items", "/direct_costs/line_items/sync"}
    assert_totals_match(stack, projects[PIER], PIER)


def _of_project(
    stack: Stack, select: str, project_id: int, more: str = ""
) -> list[tuple[Any, ...]]:
    """The rows of ``select`` (from a table with ``procore_project_id``) of one project."""
    with stack.engine.connect() as conn:
        rows = conn.execute(
            sa.text(f"{select} WHERE procore_project_id = :p {more}"), {"p": project_id}
        ).all()
    return [tuple(row) for row in rows]


def test_lines_whose_write_lost_its_answer_leave_procore_when_deleted_before_a_retry(
    desktop: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Procore takes a page of lines but the answer is lost, so the write stops before it
    knows their ids; then the card charge of that page is deleted in QuickBooks and the Web
    Connector brings the deletion before the write is retried (on Desktop a read does not
    wait for the job queue). The retry knows the page may be in Procore (the project kept it
    as in flight), looks the direct cost up and takes it out, rather than forgetting lines it
    never saw settled."""
    stack = desktop
    lost = _lose_answers_once(monkeypatch, "/direct_costs/line_items/sync")
    projects = synced_projects(stack)
    enable(stack, projects[PIER])
    stack.web_connector()
    stack.run_jobs(expect_failures=True)
    assert lost, "the write did not go out"
    assert procore_direct_costs(stack, projects[PIER]), "Procore did not take the page"
    in_flight = _of_project(
        stack, "SELECT in_flight_from_id, in_flight_to_id FROM job_cost_projects", projects[PIER]
    )
    assert len(in_flight) == 1
    assert None not in in_flight[0]
    qb_delete(stack, "CC-0419")  # Pier 9: its card charge, in the page whose answer was lost
    sync_now(stack, projects[PIER])
    stack.web_connector()
    gone = _of_project(
        stack,
        "SELECT removed, sent, procore_line_id FROM job_cost_lines",
        projects[PIER],
        "AND ref_number = 'CC-0419'",
    )
    # Gone from QuickBooks, and never settled: only the in-flight ids tell Procore has them.
    assert gone
    assert all(row == (True, False, None) for row in gone), gone
    advance(stack, minutes=15)  # the failed write's retry comes due
    stack.settle()
    assert_totals_match(stack, projects[PIER], PIER)


def test_a_read_is_streamed_into_the_store_and_its_stored_answer_keeps_no_line(
    stack: Stack,
) -> None:
    projects = _started(stack)
    with stack.engine.connect() as conn:
        answers = conn.execute(
            sa.text("SELECT state, result FROM qb_commands WHERE kind = 'query_job_costs'")
        ).all()
        kept = conn.execute(sa.text("SELECT count(*) FROM job_cost_lines")).scalar_one()
        pages = conn.execute(sa.text("SELECT count(*) FROM qbd_result_pages")).scalar_one()
    assert answers
    for state, result in answers:
        assert state == "done"
        stored = result if isinstance(result, dict) else json.loads(result)
        assert "job_costs" not in stored, stored
    assert kept > 0
    assert pages == 0
    for job, project_id in projects.items():
        assert_totals_match(stack, project_id, job)


def _lines(stack: Stack, project_id: int) -> dict[tuple[str, str], tuple[Any, ...]]:
    with stack.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT txn_id, line_id, version, status, cost_code_id, dirty, procore_line_id "
                "FROM job_cost_lines WHERE procore_project_id = :p"
            ),
            {"p": project_id},
        ).all()
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}


def _written(stack: Stack, project_id: int) -> tuple[int, int]:
    """Lines and cost code figures written to Procore so far (every write's audit)."""
    with stack.engine.connect() as conn:
        details = conn.execute(
            sa.text(
                "SELECT detail FROM audit_log WHERE action = 'job_costs_written' "
                "AND subject_id = :p"
            ),
            {"p": str(project_id)},
        ).scalars()
        found = [d if isinstance(d, dict) else json.loads(d) for d in details]
    return (
        sum(d["lines_written"] for d in found),
        sum(d["cost_codes_written"] for d in found),
    )


def _figures(stack: Stack) -> dict[str, tuple[Any, ...]]:
    keys = ("job_to_date_cost", "budget", "lines", "transactions")
    return {c["code"]: tuple(c[k] for k in keys) for c in _view(stack, ELM_PROJECT)["cost_codes"]}


def _read_everything_again(stack: Stack) -> None:
    """The next read of every project is a full one (as after a relink)."""
    with stack.engine.begin() as conn:
        conn.execute(sa.text("UPDATE job_cost_projects SET watermark = NULL"))


def test_a_full_reread_of_unchanged_lines_keeps_them_placed_and_written(stack: Stack) -> None:
    projects = _started(stack)
    before = {p: _lines(stack, p) for p in projects.values()}
    written = {p: _written(stack, p) for p in projects.values()}
    figures = _figures(stack)
    _read_everything_again(stack)
    advance(stack, minutes=5)
    for project_id in projects.values():
        sync_now(stack, project_id)
    for job, project_id in projects.items():
        # Same versions: no line went back to waiting for a cost code, none is written again.
        assert _lines(stack, project_id) == before[project_id]
        assert _written(stack, project_id)[0] == written[project_id][0]
        assert_totals_match(stack, project_id, job)
    assert _figures(stack) == figures


def test_a_changed_line_alone_is_written_again_on_its_cost_code(stack: Stack) -> None:
    _started(stack)
    before = _lines(stack, ELM_PROJECT)
    written = _written(stack, ELM_PROJECT)[0]
    _read_everything_again(stack)
    advance(stack, minutes=30)
    qb_set_line(stack, "ACS-1001", 0, amount="13250.00")
    sync_now(stack, ELM_PROJECT)
    after = _lines(stack, ELM_PROJECT)
    moved = {k for k in after if after[k] != before[k]}
    assert len(moved) == 1
    [key] = moved
    version, status, cost_code, dirty, line_id = after[key]
    assert (version, status, cost_code, dirty, line_id) == (
        before[key][0] + 1,
        "mapped",
        before[key][2],
        False,
        before[key][4],
    )
    assert _written(stack, ELM_PROJECT)[0] == written + 1
    assert_totals_match(stack, ELM_PROJECT, ELM)


def test_a_change_of_the_account_table_places_the_lines_again(stack: Stack) -> None:
    _started(stack)
    assert _view(stack, ELM_PROJECT)["not_mapped"]["total"] == 1
    written = _written(stack, ELM_PROJECT)[0]
    materials = account_id(stack, "Job Materials")
    stack.ok("ada", "PATCH", "/settings", {"job_cost_account_cost_codes": {materials: "01-100"}})
    sync_now(stack, ELM_PROJECT)
    assert _view(stack, ELM_PROJECT)["not_mapped"]["total"] == 0
    assert _written(stack, ELM_PROJECT)[0] > written
    assert_totals_match(stack, ELM_PROJECT, ELM, {"Job Materials": "01-100"})


def _record_procore_writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Any]]:
    """Every call procore-qb makes to Procore other than a read: (method, path, body)."""
    send = ProcoreClient._send
    writes: list[tuple[str, str, Any]] = []

    def recording(
        self: ProcoreClient, method: str, path: str, token: str, params: Any, body: Any
    ) -> httpx2.Response:
        if method != "GET":
            writes.append((method, path, body))
        return send(self, method, path, token, params, body)

    monkeypatch.setattr(ProcoreClient, "_send", recording)
    return writes


def test_a_cost_code_without_costs_gets_no_job_to_date_write(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cost code that never had a cost was never given a figure, so Procore holds nothing
    to correct: later syncs write none for it (not a zero), and with nothing new, nothing."""
    projects = _started(stack)
    codes = project_codes(stack, ELM_PROJECT)
    costless = {
        c["cost_code_id"]
        for c in _view(stack, ELM_PROJECT)["cost_codes"]
        if Decimal(c["job_to_date_cost"]) == 0
    }
    assert costless  # the seed leaves some Elm cost codes bare
    assert costless < set(codes)
    writes = _record_procore_writes(monkeypatch)
    for _ in range(2):
        advance(stack, minutes=5)
        for project_id in projects.values():
            sync_now(stack, project_id)
    assert [w for w in writes if w[1].endswith("/erp_job_costs/sync")] == []
    for job, project_id in projects.items():
        assert_totals_match(stack, project_id, job)


def _job_cost_steps(stack: Stack, project_id: int, after: int = 0) -> list[tuple[int, str]]:
    """The project's job cost reads and Procore writes in the audit log, oldest first."""
    with stack.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT id, action FROM audit_log WHERE subject_type = 'project' "
                "AND subject_id = :p AND id > :after "
                "AND action IN ('job_costs_read', 'job_costs_written') ORDER BY id"
            ),
            {"p": str(project_id), "after": after},
        )
        return [(int(r[0]), str(r[1])) for r in rows]


def test_sync_now_writes_to_procore_once_after_the_read(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One *Sync now* is one read and one Procore write, after the read: the write carries
    what the read found."""
    _started(stack)
    [*_, (last, _)] = _job_cost_steps(stack, ELM_PROJECT)
    advance(stack, minutes=5)
    qb_add_bill(stack, ELM, [("01-100", "410.00")])
    writes = _record_procore_writes(monkeypatch)
    stack.ok("ada", "POST", f"/projects/{ELM_PROJECT}/job-costs/sync")
    if stack.qbd is not None:
        # Desktop: the read waits for the Web Connector, and nothing is written meanwhile.
        stack.run_jobs()
        assert writes == []
    stack.settle()
    assert [a for _, a in _job_cost_steps(stack, ELM_PROJECT, last)] == [
        "job_costs_read",
        "job_costs_written",
    ]
    assert procore_job_to_date(stack, ELM_PROJECT)["01-100"] == Decimal("1850.00") + 410
    assert_totals_match(stack, ELM_PROJECT, ELM)


def test_sync_now_writes_waiting_work_at_once(desktop: Stack) -> None:
    """Lines Procore has yet to get (here: a write that has not happened) do not wait for
    the Web Connector's next run: *Sync now* writes them at once, and again after the read."""
    stack = desktop
    _started(stack)
    [*_, (last, _)] = _job_cost_steps(stack, ELM_PROJECT)
    with stack.engine.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE job_cost_lines SET dirty = TRUE WHERE id = (SELECT min(id) FROM "
                "job_cost_lines WHERE procore_project_id = :p AND status = 'mapped')"
            ),
            {"p": ELM_PROJECT},
        )
    stack.ok("ada", "POST", f"/projects/{ELM_PROJECT}/job-costs/sync")
    stack.run_jobs()
    assert [a for _, a in _job_cost_steps(stack, ELM_PROJECT, last)] == ["job_costs_written"]
    assert _view(stack, ELM_PROJECT)["counts"]["dirty"] == 0
    stack.settle()
    assert [a for _, a in _job_cost_steps(stack, ELM_PROJECT, last)] == [
        "job_costs_written",
        "job_costs_read",
        "job_costs_written",
    ]
    assert_totals_match(stack, ELM_PROJECT, ELM)


def test_a_job_to_date_figure_whose_answer_was_lost_is_written_again(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Procore takes a cost code's first job-to-date figure but its answer is lost; the
    costs then go away in QuickBooks before the next write. Procore may hold the figure, so
    the next write sets it to zero rather than taking it for never written."""
    _started(stack)
    assert "09-200" not in procore_job_to_date(stack, ELM_PROJECT)
    send = ProcoreClient._send
    lost: list[str] = []

    def lossy(
        self: ProcoreClient, method: str, path: str, token: str, params: Any, body: Any
    ) -> httpx2.Response:
        answer = send(self, method, path, token, params, body)
        if path.endswith("/erp_job_costs/sync") and not lost:
            lost.append(path)
            raise httpx2.ReadError("connection reset after the request was sent")
        return answer

    monkeypatch.setattr(ProcoreClient, "_send", lossy)
    advance(stack, minutes=5)
    bill = qb_add_bill(stack, ELM, [("09-200", "640.00")])
    stack.ok("ada", "POST", f"/projects/{ELM_PROJECT}/job-costs/sync")
    stack.run_jobs(expect_failures=True)
    if stack.qbd is not None:
        stack.web_connector()
        stack.run_jobs(expect_failures=True)
    assert lost
    assert procore_job_to_date(stack, ELM_PROJECT)["09-200"] == Decimal("640.00")
    # Before the failed write is tried again, the bill goes and a read sees it gone.
    qb_delete(stack, bill)
    stack.ok("ada", "POST", f"/projects/{ELM_PROJECT}/job-costs/sync")
    stack.run_jobs(expect_failures=True)
    if stack.qbd is not None:
        stack.web_connector()
        stack.run_jobs(expect_failures=True)
    advance(stack, hours=1)
    stack.settle()
    assert "09-200" not in procore_job_to_date(stack, ELM_PROJECT)
    assert_totals_match(stack, ELM_PROJECT, ELM)


def test_a_refused_job_to_date_figure_is_sent_again_next_time(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Procore refuses one cost code's figure: what it last got stands (here: nothing), the
    project says why, and the next write sends the figure again."""
    _started(stack)
    codes = {v: k for k, v in project_codes(stack, ELM_PROJECT).items()}
    write = ProcoreGateway.write_job_to_date

    def refusing(self: ProcoreGateway, job: str, figures: list[JobToDate]) -> SyncResult:
        kept = [f for f in figures if f.cost_code_id != codes["09-200"]]
        result = write(self, job, kept)
        for f in figures:
            if f.cost_code_id == codes["09-200"]:
                item = {"cost_code_id": f.cost_code_id}
                result.errors.append(SyncItemError(item, {"base": ["is locked"]}))
        return result

    monkeypatch.setattr(ProcoreGateway, "write_job_to_date", refusing)
    advance(stack, minutes=5)
    qb_add_bill(stack, ELM, [("09-200", "640.00")])
    sync_now(stack, ELM_PROJECT)
    view = _view(stack, ELM_PROJECT)
    row = next(c for c in view["cost_codes"] if c["code"] == "09-200")
    assert (row["written_to_procore"], row["written_at"]) == (None, None)
    assert "is locked" in view["last_sync"]["error"]
    monkeypatch.setattr(ProcoreGateway, "write_job_to_date", write)
    advance(stack, minutes=5)
    sync_now(stack, ELM_PROJECT)
    assert procore_job_to_date(stack, ELM_PROJECT)["09-200"] == Decimal("640.00")
    assert_totals_match(stack, ELM_PROJECT, ELM)
