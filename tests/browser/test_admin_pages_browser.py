"""The settings, audit and outbox pages in a browser, on the running demo: an ERP Integrations
admin changes a setting and sees it saved; a person without 'Admin' sees the settings read-only
and is refused a change forced past the page; QuickBooks Online is connected through the QBO
simulator's consent page and disconnected; the audit log is filtered and downloaded as CSV;
the outbox shows the rejection notice a rejection queued. Screenshots for the docs."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from playwright.sync_api import Page, expect

from browser.web_app import WebApp, screenshot, sign_in
from procore_qb.app.notifications import deliver_mail
from procore_qb.demo import Demo, DemoOptions
from procore_qb.sandbox.qbd import run_session


@pytest.fixture(scope="module")
def online_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    """``procore-qb demo --backend online`` on 127.0.0.1: connected to the QuickBooks Online
    simulator through its consent flow at start."""
    demo = Demo(
        DemoOptions(port=0, backend="online", data_dir=tmp_path_factory.mktemp("web-app-online"))
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


def _sendable_project(app: WebApp) -> dict[str, Any]:
    """A project cara may send: the Web Connector runs until QuickBooks' items have made the
    cost code list (the worker writes it to Procore), then the first eligible one."""
    sims = app.demo.sims
    assert sims is not None
    assert sims.qbd is not None
    deadline = time.monotonic() + 60
    with httpx2.Client(timeout=120) as client:
        while time.monotonic() < deadline:
            projects = _api(app, "cara", "GET", "/projects")["items"]
            for project in projects:
                if not project["problems"] and project["erp"]["state"] in ("unsynced", "rejected"):
                    return dict(project)
            run = run_session(client, app.at("/qbwc"), "demo", "demo", sims.qbd.processor)
            assert run.last_error is None, run.lines()
            time.sleep(0.5)
    raise AssertionError("no project became eligible to send")


def test_ada_changes_a_setting_and_sees_it_saved(page: Page, web_app: WebApp) -> None:
    sign_in(page, web_app, "ada", "/settings")
    expect(page.get_by_role("heading", name="Settings", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="QuickBooks Desktop", level=3)).to_be_visible()
    expect(page.get_by_role("link", name="Download the .qwc file")).to_be_visible()
    schedule = page.get_by_label("Refresh QuickBooks Job List")
    schedule.select_option(label="Every 4 hours")
    page.get_by_role("button", name="Save sync schedule").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    expect(page.get_by_label("Refresh QuickBooks Job List")).to_have_value("every_4_hours")
    page.get_by_label("Hold for review").check()
    page.get_by_label("Default project template").select_option(label="Commercial Construction")
    page.get_by_role("button", name="Save general settings").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    expect(page.get_by_label("Hold for review")).to_be_checked()
    expect(page.get_by_label("Default project template")).to_have_value("2")
    assert _api(web_app, "ben", "GET", "/settings")["job_list_schedule"] == "every_4_hours"
    # Bad input: the rule and the fix, next to the field.
    page.get_by_label("Income account").fill("4000\u0007")
    page.get_by_role("button", name="Save item accounts").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Not saved: 1 problem")
    expect(summary).to_contain_text("no control characters")
    expect(page.get_by_label("Income account")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link", name="Income account").click()
    expect(page.get_by_label("Income account")).to_be_focused()
    page.get_by_role("button", name="Check Procore now").click()
    expect(page.get_by_role("status")).to_contain_text("Procore is connected")
    # Put it back as it was for the other tests, then the screenshot.
    page.get_by_label("Apply to Procore").check()
    page.get_by_label("Default project template").select_option(
        label="None (Procore's own default)"
    )
    page.get_by_role("button", name="Save general settings").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    screenshot(page, "settings", mask=[page.locator("time")])


def test_ben_sees_the_settings_read_only_and_a_forced_change_is_refused(
    page: Page, web_app: WebApp
) -> None:
    sign_in(page, web_app, "ben", "/settings")
    expect(page.get_by_text("Read only:")).to_be_visible()
    expect(page.get_by_label("Refresh QuickBooks Job List")).to_be_disabled()
    expect(page.get_by_label("Customers = Jobs (each project becomes a customer)")).to_be_disabled()
    expect(page.get_by_role("button", name="Save sync schedule")).to_have_count(0)
    expect(page.get_by_role("button", name="Check Procore now")).to_have_count(0)
    before = _api(web_app, "ben", "GET", "/settings")
    # Forced past the page: the form enabled and posted with ben's own token.
    with page.expect_response(lambda r: r.url.endswith("/settings/schedule")) as answer:
        page.evaluate(
            """() => {
                const form = document.querySelector('form[action="/settings/schedule"]');
                form.querySelector("fieldset").disabled = false;
                form.querySelector("select").value = "never";
                form.submit();
            }"""
        )
    assert answer.value.status == 403
    expect(page.get_by_role("heading", name="Permission missing")).to_be_visible()
    expect(
        page.get_by_role("listitem").filter(
            has_text="needs 'Admin' on the ERP Integrations tool; you have 'Standard'"
        )
    ).to_be_visible()
    assert _api(web_app, "ben", "GET", "/settings") == before


def test_ada_connects_quickbooks_online_through_the_consent_page_then_disconnects(
    page: Page, online_app: WebApp
) -> None:
    sign_in(page, online_app, "ada", "/settings")
    section = page.get_by_role("region", name="QuickBooks Online")
    expect(section).to_contain_text("Connected")
    # Disconnect (asks first), so there is something to connect.
    page.get_by_role("button", name="Disconnect").click()
    page.get_by_role("dialog").get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("status")).to_contain_text("is disconnected")
    expect(section).to_contain_text("Not connected")
    # Connect: our page moves on to the simulator's consent page, which sends the browser back
    # to /quickbooks/callback, which moves on to Settings.
    with page.expect_response(lambda r: "/connect/oauth2" in r.url) as consent:
        page.get_by_role("button", name="Connect to QuickBooks").click()
    assert consent.value.status == 302
    page.wait_for_url(online_app.at("/settings#quickbooks-online"))
    expect(section).to_contain_text("Connected")
    expect(section.get_by_text("not since connecting")).to_be_visible()
    page.get_by_role("button", name="Check QuickBooks now").click()
    expect(page.get_by_role("status")).to_contain_text("QuickBooks Online is connected to")
    screenshot(page, "settings-quickbooks-online", mask=[page.locator("time")])
    page.get_by_role("button", name="Disconnect").click()
    page.get_by_role("dialog").get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("status")).to_contain_text("is disconnected")
    expect(section.get_by_role("button", name="Connect to QuickBooks")).to_be_visible()


def test_ada_filters_the_audit_log_and_downloads_it(page: Page, web_app: WebApp) -> None:
    # Something to find: a settings change by ada.
    sign_in(page, web_app, "ada", "/settings")
    page.get_by_label("Refresh QuickBooks Job List").select_option(label="Daily")
    page.get_by_role("button", name="Save sync schedule").click()
    expect(page.get_by_role("status")).to_contain_text("Settings saved.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    page.get_by_label("User").select_option("ada@summit.example")
    page.get_by_label("Action").select_option("settings_changed")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.audit tbody tr")
    expect(rows.first).to_contain_text("settings changed")
    for n in range(rows.count()):
        expect(rows.nth(n)).to_contain_text("ada@summit.example")
        expect(rows.nth(n)).to_contain_text("settings changed")
    screenshot(page, "audit", mask=[page.locator("time")])
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("procore-qb-audit-")
    text = download.value.path().read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["id", "at", "user", "action", "subject_type", "subject_id", "detail"]
    assert len(table) - 1 == rows.count()
    assert all(r[2] == "ada@summit.example" and r[3] == "settings_changed" for r in table[1:])
    # A bad day is refused with the rule and the fix.
    page.goto(web_app.at("/audit?from=2026-02-30"))
    expect(page.get_by_role("alert")).to_contain_text("From must be a day as YYYY-MM-DD")


def test_the_outbox_shows_the_rejection_notice_after_a_rejection(
    page: Page, web_app: WebApp
) -> None:
    project = _sendable_project(web_app)
    sent = _api(web_app, "cara", "POST", f"/projects/{project['id']}/send-to-erp")
    _api(web_app, "ben", "POST", f"/erp/jobs/{sent['id']}/reject", {"comment": "Wrong job number"})
    # The demo's send-mail task (every minute) finds no mail server and holds the mail: run
    # it now instead of waiting.
    ctx = web_app.demo.ctx
    assert ctx is not None
    deliver_mail(ctx.sessions, None, company_id=ctx.company_id, now=ctx.now())
    sign_in(page, web_app, "ada", "/outbox")
    expect(page.get_by_role("heading", name="Outbox", level=1)).to_be_visible()
    expect(page.get_by_text("No mail server is configured:")).to_be_visible()
    mail = page.locator("table.outbox tbody tr").filter(has_text=project["name"]).first
    expect(mail).to_contain_text("cara@summit.example")
    expect(mail).to_contain_text("Held")
    screenshot(page, "outbox", mask=[page.locator("time")])
    mail.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(project["name"])
    expect(page.locator("pre.mail-body")).to_contain_text("Wrong job number")
    # ben, an approver without 'Admin', may not read the outbox.
    page.context.clear_cookies()
    sign_in(page, web_app, "ben")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox")
    ).to_have_count(0)
    answer = page.goto(web_app.at("/outbox"))
    assert answer is not None
    assert answer.status == 403
