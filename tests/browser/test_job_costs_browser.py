"""Job costs in a browser, on the running demo with QuickBooks Online: the project admin turns
job cost syncing on from the project page of a synced project; an ERP Integrations admin
syncs now, opens the project's Job Costs report, sees the totals QuickBooks holds, drills down
into a cost code and downloads the CSV, and finds the project in the company's Job Costs view.
Screenshots for the docs."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Page, expect

from browser.web_app import WebApp, screenshot, sign_in, sign_out
from procore_qb.demo import Demo, DemoOptions

ELM = "Greenleaf Properties:Elm Court Apartments"
ELM_PROJECT = 2009  # seed: the Procore project named like the Elm Court job


@pytest.fixture(scope="module")
def online_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    """``procore-qb demo --backend online`` on 127.0.0.1, connected to the QuickBooks Online
    simulator at start; its worker drains the outbox as it runs."""
    demo = Demo(
        DemoOptions(port=0, backend="online", data_dir=tmp_path_factory.mktemp("web-app-jc"))
    )
    demo.start()
    try:
        yield WebApp(demo.url, demo)
    finally:
        demo.stop()


def _api(app: WebApp, user: str, method: str, path: str, body: Any = None) -> Any:
    with httpx2.Client(base_url=app.url, timeout=60.0) as client:
        answer = client.request(
            method, f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer demo-{user}"}
        )
    assert answer.status_code < 300, answer.text
    return answer.json()


def _until(what: str, found: Any, seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = found()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"waited {seconds} s for {what}")


def _link_elm_court(app: WebApp) -> None:
    """Elm Court's QuickBooks job linked to its Procore project (Ready to Import → Link)."""
    _api(app, "ada", "POST", "/erp/jobs/refresh")

    def staged() -> dict[str, Any] | None:
        items = _api(app, "ada", "GET", "/erp/jobs?filter=ready_to_import&per_page=100")["items"]
        return next((i for i in items if i["quickbooks"]["full_name"] == ELM), None)

    item = _until("Elm Court in Ready to Import", staged)
    _api(
        app,
        "ada",
        "POST",
        f"/erp/jobs/{item['id']}/import",
        {"method": "link", "project_id": ELM_PROJECT},
    )


def _written(app: WebApp) -> dict[str, Any] | None:
    """The report once the last requested sync is read and written: nothing waiting for
    QuickBooks, no line waiting to be placed or written, and Procore written after the
    request (a previous sync's write does not count)."""
    view: dict[str, Any] = _api(app, "ada", "GET", f"/projects/{ELM_PROJECT}/job-costs")
    last = view["last_sync"]
    written, requested = last["written_at"], last["requested_at"]
    done = (
        written is not None
        and not last["waiting_command"]
        and datetime.fromisoformat(written) >= datetime.fromisoformat(requested)
        and view["counts"]["pending"] == 0
        and view["counts"]["dirty"] == 0
    )
    return view if done else None


def _money(value: str) -> str:
    return f"{Decimal(value):,.2f}"


def test_the_project_admin_turns_job_costs_on_and_an_erp_admin_reads_the_report(
    page: Page, online_app: WebApp
) -> None:
    _link_elm_court(online_app)
    project = f"/projects/{ELM_PROJECT}"
    # Cara, project admin: the switch, off until she turns it on.
    sign_in(page, online_app, "cara", project)
    section = page.get_by_role("region", name="Job costs")
    expect(section).to_contain_text("Disabled")
    expect(section.get_by_role("button", name="Sync Job Costs Now")).to_have_count(0)
    section.get_by_role("button", name="Enable ERP Job Cost Transaction Syncing").click()
    expect(page.get_by_role("status").first).to_contain_text("Job cost syncing is on")
    expect(section).to_contain_text("Enabled")
    expect(section).to_contain_text("procore-qb syncs the job costs all the same")
    expect(
        section.get_by_role("button", name="Disable ERP Job Cost Transaction Syncing")
    ).to_be_visible()
    screenshot(page, "job-costs-switch", mask=[page.locator("time")])
    view = _until("the first job cost sync", lambda: _written(online_app))
    sign_out(page)
    # Ada, ERP Integrations admin: sync now, then the report.
    sign_in(page, online_app, "ada", project)
    section = page.get_by_role("region", name="Job costs")
    section.get_by_role("button", name="Sync Job Costs Now").click()
    expect(page.get_by_role("status").first).to_contain_text("Job costs sync now")
    view = _until("the second job cost sync", lambda: _written(online_app))
    page.get_by_role("link", name="Job Costs report").click()
    expect(page.get_by_role("heading", name="Job Costs", level=1)).to_be_visible()
    totals = page.get_by_role("region", name="Totals")
    expect(totals).to_contain_text(f"Budget{_money(view['totals']['budget'])}")
    expect(totals).to_contain_text(f"Job-to-date cost{_money(view['totals']['job_to_date_cost'])}")
    assert Decimal(view["totals"]["job_to_date_cost"]) > 0
    chart = page.get_by_role("figure", name="Budget against job-to-date cost per cost code")
    expect(chart.get_by_role("img")).to_have_count(len(view["cost_codes"]))
    costed = next(c for c in view["cost_codes"] if c["transactions"])
    expect(chart).to_contain_text(f"actual {_money(costed['job_to_date_cost'])}")
    expect(page.get_by_role("region", name="Not mapped")).to_contain_text("JE-77")
    cost_types = page.get_by_role("region", name="Other cost types")
    expect(cost_types).to_contain_text("As read from Procore by the last job cost sync")
    expect(cost_types).to_contain_text("Every budget line is on the “Other” cost type.")
    expect(cost_types).to_contain_text("Every direct cost line is on the “Other” cost type.")
    screenshot(page, "job-costs-report", mask=[page.locator("time")])
    # Drill down into one cost code.
    page.get_by_role("link", name=f"Show transactions of {costed['code']}").click()
    listed = page.get_by_role("region", name=f"Transactions of {costed['code']}")
    expect(listed).to_be_visible()
    wanted = _api(
        online_app,
        "ada",
        "GET",
        f"/projects/{ELM_PROJECT}/job-costs?cost_code_id={costed['cost_code_id']}",
    )["transactions"]["items"]
    rows = listed.locator("tbody tr")
    expect(rows).to_have_count(len(wanted))
    for item in wanted:
        expect(listed).to_contain_text(item["txn_id"])
    with page.expect_download() as download:
        listed.get_by_role("link", name="Download CSV").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert len(table) - 1 == len(wanted)
    assert sum(Decimal(r[7]) for r in table[1:]) == Decimal(costed["job_to_date_cost"])
    # The company's view, from the navigation bar.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Job Costs").click()
    expect(page.get_by_role("heading", name="Job Costs", level=1)).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text(ELM)
    expect(page.get_by_role("table")).to_contain_text(_money(view["totals"]["job_to_date_cost"]))
    screenshot(page, "job-costs-overview", mask=[page.locator("time")])
