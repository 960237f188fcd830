"""Job costs through the pages: the switch on the project page, "Sync Job Costs Now", the
project's Job Costs report (totals, chart, drill-down, lines not mapped, CSV export) and the
company's Job Costs view; each shown only to the people who may use it, each refused to anyone
else when forced, and the report read with the same number of SQL queries however many lines
the project has. Figures are checked against the API's answer and QuickBooks' own records."""

from __future__ import annotations

import csv
import io
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "workflow"))

from job_cost_helpers import (
    ELM,
    ELM_PROJECT,
    PIER,
    expected_totals,
    procore_direct_cost,
    procore_requests,
    project_codes,
    qb_add_bill,
    sync_now,
    synced_projects,
)

from integration.web.pages.jobs_pages import (
    RIVERSIDE,
    buttons,
    flashes,
    follow,
    post_from,
    signed_in,
)
from integration.web.pages.pages_client import SAME_ORIGIN, csrf_token, visible_text
from integration.workflow.workflow_stack import Stack
from procore_qb.app import actors, job_cost_reports, job_cost_views
from procore_qb.procore.errors import ProcoreTransportError
from procore_qb.procore.gateway import BudgetLine, ProcoreGateway
from procore_qb.web.pages.csv_cells import BOM
from procore_qb.web.pages.job_costs import CSV_HEADER

pytestmark = pytest.mark.filterwarnings(
    "ignore:You should not use the 'timeout' argument with the TestClient"
)

ENABLE = "Enable ERP Job Cost Transaction Syncing"
DISABLE = "Disable ERP Job Cost Transaction Syncing"
SYNC = "Sync Job Costs Now"
REPORT = "Job Costs report"


def _section(html: str) -> str:
    found = re.search(r'<section class="job-cost-switch".*?</section>', html, re.S)
    return "" if found is None else found.group(0)


def _enable(stack: Stack, project_id: int) -> Any:
    cara = signed_in(stack, "cara")
    page = f"/projects/{project_id}"
    return follow(cara, post_from(cara, page, f"{page}/job-cost-sync", {"enabled": "true"}))


def _started(stack: Stack) -> dict[str, int]:
    projects = synced_projects(stack)
    for project_id in projects.values():
        _enable(stack, project_id)
    stack.settle()
    return projects


def _api_view(stack: Stack, project_id: int, **params: Any) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    found: dict[str, Any] = stack.ok(
        "ada", "GET", f"/projects/{project_id}/job-costs" + (f"?{query}" if query else "")
    )
    return found


def _money(value: str | None) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


def _csv(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM))))


# ----------------------------------------------------------------------------- the switch


def test_the_switch_is_shown_to_the_project_admin_once_the_project_is_synced(
    stack: Stack,
) -> None:
    projects = synced_projects(stack)
    pier = projects[PIER]
    cara = signed_in(stack, "cara")  # project Admin, no ERP Integrations
    unsynced = cara.get(f"/projects/{RIVERSIDE}")
    assert unsynced.status_code == 200
    assert _section(unsynced.text) == ""  # not synced: no switch
    page = cara.get(f"/projects/{pier}")
    section = visible_text(_section(page.text))
    assert "Enable ERP Job Cost Transaction Syncing Disabled" in section
    assert buttons(_section(page.text)) == [ENABLE]
    # The ERP Integrations tool is not hers: she turns it on, no more.
    on = follow(
        cara,
        post_from(
            cara, f"/projects/{pier}", f"/projects/{pier}/job-cost-sync", {"enabled": "true"}
        ),
    )
    assert any("Job cost syncing is on" in f for f in flashes(on.text)), flashes(on.text)
    # Without Procore's ERP connection metadata Procore has no switch of its own: said so.
    assert any("procore-qb syncs the job costs all the same" in f for f in flashes(on.text))
    section = visible_text(_section(on.text))
    assert "Enable ERP Job Cost Transaction Syncing Enabled · changed by" in section
    assert "procore-qb syncs the job costs all the same" in section
    assert "Last job cost sync never · a read waits for" in section
    assert buttons(_section(on.text)) == [DISABLE]
    assert "/job-costs" not in _section(on.text)
    stack.settle()
    # ada (ERP Integrations Admin, no project Admin) syncs and reads; she cannot flip it.
    ada = signed_in(stack, "ada")
    seen = ada.get(f"/projects/{pier}")
    assert buttons(_section(seen.text)) == [SYNC, REPORT]
    assert "Last job cost sync written to Procore" in visible_text(_section(seen.text))
    # eve reads the project but neither changes nor reads job costs.
    eve = signed_in(stack, "eve")
    assert _section(eve.get(f"/projects/{pier}").text) == ""
    # Off again: the page says so, the project keeps its history.
    off = follow(
        cara,
        post_from(
            cara, f"/projects/{pier}", f"/projects/{pier}/job-cost-sync", {"enabled": "false"}
        ),
    )
    assert "Job cost syncing is off" in " ".join(flashes(off.text))
    assert buttons(_section(off.text)) == [ENABLE]
    assert stack.ok("ada", "GET", f"/projects/{pier}/job-costs")["enabled"] is False


def test_sync_now_from_the_project_page_and_the_report(stack: Stack) -> None:
    projects = _started(stack)
    pier = projects[PIER]
    ada = signed_in(stack, "ada")
    answer = post_from(
        ada, f"/projects/{pier}", f"/projects/{pier}/job-costs/sync", {"back": "project"}
    )
    assert answer.headers["location"] == f"/projects/{pier}"
    assert "Job costs sync now: waiting for the QuickBooks Web Connector's next run." in (
        " ".join(flashes(follow(ada, answer).text))
    )
    again = post_from(ada, f"/projects/{pier}/job-costs", f"/projects/{pier}/job-costs/sync")
    assert again.headers["location"] == f"/projects/{pier}/job-costs"
    assert "already waiting" in " ".join(flashes(follow(ada, again).text))
    stack.settle()
    assert _api_view(stack, pier)["last_sync"]["waiting_command"] is None


def test_the_history_names_procore_for_a_failed_procore_write(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The QuickBooks read went well and Procore failed the write: the project's history
    says it was Procore's error, not QuickBooks'."""
    _started(stack)
    qb_add_bill(stack, ELM, [("01-100", "410.00")])

    def down(self: ProcoreGateway, *args: Any) -> Any:
        raise ProcoreTransportError("Procore could not be reached")

    monkeypatch.setattr(ProcoreGateway, "write_job_to_date", down)
    stack.ok("ada", "POST", f"/projects/{ELM_PROJECT}/job-costs/sync")
    for _ in range(2):
        stack.run_jobs(expect_failures=True)
        if stack.qbd is not None:
            stack.web_connector()
    page = signed_in(stack, "ada").get(f"/projects/{ELM_PROJECT}")
    history = visible_text(page.text.split('id="history-title"')[1])
    assert "Job cost write to Procore failed" in history
    assert "Procore error: Procore refused the job costs" in history
    assert "QuickBooks error" not in history


def test_forced_requests_are_refused_with_the_rule_or_the_permission(stack: Stack) -> None:
    projects = synced_projects(stack)
    pier = projects[PIER]
    eve = signed_in(stack, "eve")
    page = f"/projects/{pier}"
    refused = post_from(eve, page, f"{page}/job-cost-sync", {"enabled": "true"})
    assert refused.status_code == 403
    assert "needs 'Admin' on the project's Admin tool" in visible_text(refused.text)
    cara = signed_in(stack, "cara")
    unsynced = post_from(cara, page, f"/projects/{RIVERSIDE}/job-cost-sync", {"enabled": "true"})
    assert unsynced.status_code == 422
    assert "project_not_synced" in visible_text(unsynced.text)
    for bad in ("yes", "", "TRUE", "1"):
        assert post_from(cara, page, f"{page}/job-cost-sync", {"enabled": bad}).status_code == 422
    off = post_from(cara, page, f"{page}/job-costs/sync", {})
    assert off.status_code == 403  # sync now is for ERP Integrations admins
    ada = signed_in(stack, "ada")
    still_off = post_from(ada, page, f"{page}/job-costs/sync", {})
    assert still_off.status_code == 422
    assert "job_cost_sync_off" in visible_text(still_off.text)
    assert post_from(ada, page, f"{page}/job-costs/sync", {"back": "elsewhere"}).status_code == 422
    # Without the session's token, or from another site, nothing changes.
    no_token = cara.client.post(
        f"{page}/job-cost-sync", data={"enabled": "true"}, headers=SAME_ORIGIN
    )
    assert no_token.status_code == 403
    cross = cara.client.post(
        f"{page}/job-cost-sync",
        data={"enabled": "true"},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    assert stack.call("ada", "GET", f"/projects/{pier}/job-costs").status_code == 404
    # The reports are for ERP Integrations admins, whatever is typed in the address bar.
    _enable(stack, pier)
    for user in ("cara", "ben", "eve"):
        browser = signed_in(stack, user)
        for path in (f"{page}/job-costs", f"{page}/job-costs.csv", "/job-costs"):
            answer = browser.get(path)
            assert answer.status_code == 403, (user, path)
            assert "You cannot view the ERP job costs" in visible_text(answer.text), (user, path)
    assert ada.get(f"/projects/{RIVERSIDE}/job-costs").status_code == 404
    assert ada.get(f"/projects/{RIVERSIDE}/job-costs.csv").status_code == 404
    signed_out = signed_in(stack, "ada")
    signed_out.client.cookies.clear()
    moved = signed_out.get(f"{page}/job-costs")
    assert moved.status_code == 303
    assert moved.headers["location"].startswith("/login?next=")


# ----------------------------------------------------------------------------- the report


def test_the_report_shows_the_figures_the_api_gives_and_quickbooks_holds(stack: Stack) -> None:
    projects = _started(stack)
    pier = projects[PIER]
    ada = signed_in(stack, "ada")
    page = ada.get(f"/projects/{pier}/job-costs")
    assert page.status_code == 200
    text = visible_text(page.text)
    api = _api_view(stack, pier)
    codes = set(project_codes(stack, pier).values())
    wanted, _ = expected_totals(stack, PIER, codes)
    assert Decimal(api["totals"]["job_to_date_cost"]) == sum(wanted.values())
    assert f"Job-to-date cost {_money(api['totals']['job_to_date_cost'])}" in text
    assert f"Budget {_money(api['totals']['budget'])}" in text
    assert f"Variance {_money(api['totals']['variance'])}" in text
    for row in api["cost_codes"]:
        assert (
            f"{row['code']} {row['name']} {_money(row['budget'])} "
            f"{_money(row['job_to_date_cost'])} {_money(row['variance'])}"
        ) in text, row
        # The chart gives each figure as text too.
        assert f"budget {_money(row['budget'])} · actual {_money(row['job_to_date_cost'])}" in text
    assert page.text.count('<svg class="bar"') == len(api["cost_codes"])
    # The lines no cost code takes, with why.
    assert "Not mapped (1)" in text
    assert "Item is not a cost code of the project" in text
    assert "BEC-2210" in text
    # Drill down: one cost code's transactions only.
    code = next(r for r in api["cost_codes"] if r["transactions"])
    drilled = ada.get(f"/projects/{pier}/job-costs?cost_code={code['cost_code_id']}")
    assert drilled.status_code == 200
    drilled_text = visible_text(drilled.text)
    assert f"Transactions of {code['code']} {code['name']}" in drilled_text
    items = _api_view(stack, pier, cost_code_id=code["cost_code_id"])["transactions"]["items"]
    assert items
    for item in items:
        assert item["txn_id"] in drilled_text
        assert _money(item["amount"]) in drilled_text
    mine = {i["txn_id"] for i in items}
    others = {
        i["txn_id"]
        for i in _api_view(stack, pier, per_page=500)["transactions"]["items"]
        if i["cost_code_id"] != code["cost_code_id"]
    } - mine
    assert others  # the seed codes the job's costs to more than one cost code
    listed = drilled.text.split('id="transactions-title"')[1].split('id="unmapped-title"')[0]
    assert all(f"<code>{txn}</code>" not in listed for txn in others)
    assert all(f"<code>{txn}</code>" in listed for txn in mine)


def _cost_types(html: str) -> str:
    return visible_text(html.split('id="cost-types-title"')[1])


def test_the_report_lists_what_is_on_another_cost_type_as_the_last_sync_read_it(
    stack: Stack,
) -> None:
    projects = _started(stack)
    pier = projects[PIER]
    ada = signed_in(stack, "ada")
    with procore_requests(stack) as asked:
        fine = _cost_types(ada.get(f"/projects/{pier}/job-costs").text)
    assert asked == []  # the report reads procore-qb's store only
    assert "Every budget line is on the “Other” cost type." in fine
    assert "Every direct cost line is on the “Other” cost type." in fine
    assert "As read from Procore by the last job cost sync: 20" in fine
    gateway = stack.ctx.procore()
    labor = next(t for t in gateway.cost_types() if t.name == "Labor")
    other = gateway.cost_type_id()
    codes = sorted(gateway.cost_codes(pier), key=lambda c: c.full_code)
    gateway.add_budget_lines(pier, [BudgetLine(codes[0].id, labor.id, Decimal("1234.5"))])
    cost_id, _ = procore_direct_cost(stack, pier, codes[1].id, labor.id, 250.75)
    procore_direct_cost(stack, pier, codes[1].id, other, 99.0)  # on 'Other': not listed
    # Not read again until the next sync.
    assert "Every budget line" in _cost_types(ada.get(f"/projects/{pier}/job-costs").text)
    sync_now(stack, pier)
    with procore_requests(stack) as asked:
        page = ada.get(f"/projects/{pier}/job-costs")
    assert asked == []
    assert page.status_code == 200
    facts = visible_text(page.text.split('id="totals-title"')[0])
    assert "Budget and cost types read from Procore" in facts
    assert "Budget and cost types read from Procore never" not in facts
    text = _cost_types(page.text)
    assert "Other cost types (2)" in text
    assert f"{codes[0].full_code} {codes[0].name} Labor 1,234.50 Not synced with QuickBooks" in text
    assert (
        f"{codes[1].full_code} {codes[1].name} Labor {cost_id} Crane hire, entered in Procore "
        "250.75 Not synced with QuickBooks"
    ) in text
    assert "not synced with QuickBooks: cost type 'Labor'" in text
    assert "QuickBooks cost codes use 'Other' only" in text
    assert "Change the line's cost type to 'Other' in Procore" in text
    assert "99.00" not in text
    # Procore refuses the read at the next sync: the lines of the read before stay, with why.
    send = stack.procore.send

    def refuse(request: Any, **kwargs: Any) -> Any:
        if request.method == "GET" and request.url.path.endswith("/direct_costs/line_items"):
            return httpx2.Response(404, json={"errors": "Not Found"}, request=request)
        return send(request, **kwargs)

    stack.procore.send = refuse  # type: ignore[method-assign]
    try:
        sync_now(stack, pier)
    finally:
        del stack.procore.send
    failed = _cost_types(ada.get(f"/projects/{pier}/job-costs").text)
    assert "The last read failed" in failed
    assert "Procore did not return the direct costs on other cost types" in failed
    assert "Shown: the read before." in failed
    assert "Labor 1,234.50" in failed
    answer = stack.ok("ada", "GET", f"/projects/{pier}/job-costs")
    assert answer["last_sync"]["error"] is None  # the job costs themselves were written


def test_the_csv_export_holds_every_transaction_and_no_formula(stack: Stack) -> None:
    projects = _started(stack)
    pier = projects[PIER]
    code = sorted(project_codes(stack, pier).values())[0]
    for n, ref in enumerate(("=1+2", "+42", "-3+3", "@SUM(A1)")):
        qb_add_bill(stack, PIER, [(code, f"{n + 7}.25")], ref=ref)
    sync_now(stack, pier)
    ada = signed_in(stack, "ada")
    answer = ada.get(f"/projects/{pier}/job-costs.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["content-disposition"]
    rows = _csv(answer.text)
    assert tuple(rows[0]) == CSV_HEADER
    api = _api_view(stack, pier, per_page=500)["transactions"]
    assert len(rows) - 1 == api["total"]
    by_line = {(r[8], r[9]): r for r in rows[1:]}
    for item in api["items"]:
        row = by_line[(item["txn_id"], item["line_id"])]
        assert Decimal(row[7]) == Decimal(item["amount"])
        assert row[4] == item["txn_date"]
    cells = [cell for row in rows for cell in row]
    for ref in ("=1+2", "+42", "-3+3", "@SUM(A1)"):
        assert "'" + ref in cells, ref
    assert not any(
        c.startswith(("=", "+", "@", "\t", "\r")) or (c.startswith("-") and not _number(c))
        for c in cells
    )
    # One cost code's lines only.
    first = next(r for r in api["items"])
    one = _csv(ada.get(f"/projects/{pier}/job-costs.csv?cost_code={first['cost_code_id']}").text)
    wanted = [i for i in api["items"] if i["cost_code_id"] == first["cost_code_id"]]
    assert len(one) - 1 == len(wanted)


def _number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


def test_the_report_reads_a_fixed_number_of_queries(stack: Stack) -> None:
    projects = _started(stack)
    pier = projects[PIER]
    actor = actors.user_by_email(stack.ctx, "ada@summit.example")
    actors.permissions(stack.ctx, actor)

    def count() -> int:
        seen: list[str] = []

        def note(_c: Any, _k: Any, statement: str, *_a: Any) -> None:
            seen.append(statement)

        sa.event.listen(stack.engine, "before_cursor_execute", note)
        try:
            job_cost_views.job_costs_view(stack.ctx, actor, pier, page=2, per_page=5)
            job_cost_reports.job_costs_overview(stack.ctx, actor)
        finally:
            sa.event.remove(stack.engine, "before_cursor_execute", note)
        return len(seen)

    before = count()
    codes = sorted(project_codes(stack, pier).values())
    for n in range(4):
        qb_add_bill(stack, PIER, [(c, f"{10 + n}.00") for c in codes])
    sync_now(stack, pier)
    assert _api_view(stack, pier)["transactions"]["total"] >= 4 * len(codes)
    assert count() == before


# ----------------------------------------------------------------------------- the company view


def test_the_company_view_lists_every_project_that_syncs(stack: Stack) -> None:
    projects = _started(stack)
    ada = signed_in(stack, "ada")
    assert "Job Costs" in ada.nav(ada.get("/").text)
    assert "Job Costs" not in signed_in(stack, "ben").nav(signed_in(stack, "ben").get("/").text)
    page = ada.get("/job-costs")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "2 projects with job cost syncing on" in text
    for job, project_id in projects.items():
        api = _api_view(stack, project_id)
        assert f'href="/projects/{project_id}/job-costs"' in page.text
        unmapped = api["not_mapped"]["total"]
        assert (
            f"Job Costs of project {project_id} {job} {_money(api['totals']['budget'])} "
            f"{_money(api['totals']['job_to_date_cost'])} {_money(api['totals']['variance'])}"
        ) in text, text
        assert re.search(rf"written \S+ \S+ UTC {unmapped} none", text), text
    assert ELM in text
    # Off: it leaves the view.
    cara = signed_in(stack, "cara")
    page_path = f"/projects/{ELM_PROJECT}"
    post_from(cara, page_path, f"{page_path}/job-cost-sync", {"enabled": "false"})
    assert "1 project with job cost syncing on" in visible_text(ada.get("/job-costs").text)


# ----------------------------------------------------------------------------- any input

_TEXT = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["1", "0", "-1", str(2**53), str(2**53 + 1), "1e3", " 2", "\uff12", "1.0"]),
)


def test_any_query_or_form_is_a_page_or_a_422_never_a_crash(stack: Stack) -> None:
    pier = _started(stack)[PIER]
    ada, cara = signed_in(stack, "ada"), signed_in(stack, "cara")
    ada_token = csrf_token(ada.get(f"/projects/{pier}").text)
    cara_token = csrf_token(cara.get(f"/projects/{pier}").text)

    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(cost_code=_TEXT, page=_TEXT, enabled=_TEXT, back=_TEXT)
    def check(cost_code: str, page: str, enabled: str, back: str) -> None:
        query = {"cost_code": cost_code, "page": page}
        for path in (f"/projects/{pier}/job-costs", f"/projects/{pier}/job-costs.csv"):
            answer = ada.get(path, params=query)
            assert answer.status_code in (200, 422), (path, query, answer.status_code)
            if answer.status_code == 422:
                assert "text/html" in answer.headers["content-type"]
        switched = cara.post(
            f"/projects/{pier}/job-cost-sync", {"enabled": enabled}, token=cara_token
        )
        assert switched.status_code == (303 if enabled in ("true", "false") else 422), enabled
        synced = ada.post(f"/projects/{pier}/job-costs/sync", {"back": back}, token=ada_token)
        assert synced.status_code in (303, 422), back
        if back not in ("project", "report", ""):  # left empty: back to the report
            assert synced.status_code == 422

    check()
