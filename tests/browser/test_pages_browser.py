"""procore-qb's pages in a browser, on the running demo: each seed user signs in through the
Procore simulator's login page and sees the dashboard with the tabs they may use, then signs
out; a cross-site form post is refused; a person without the permission is refused a page
they force; the dashboard's figures reload in place."""

from __future__ import annotations

import re

import httpx2
import pytest
from playwright.sync_api import Page, expect

from browser.web_app import WebApp, screenshot, sign_in, sign_out
from procore_qb.sandbox.qbd import run_session

ALL_TABS = [
    "Dashboard",
    "Jobs",
    "Cost Codes",
    "Projects",
    "Job Costs",
    "Settings",
    "Audit",
    "Outbox",
]
READERS = [tab for tab in ALL_TABS if tab not in ("Job Costs", "Outbox")]
TABS = {
    "ada": ALL_TABS,
    "ben": READERS,
    "cara": ["Dashboard", "Projects"],
    "dan": ALL_TABS,
    "eve": READERS,
}


@pytest.mark.parametrize("user", sorted(TABS))
def test_each_seed_user_signs_in_sees_their_tabs_and_signs_out(
    page: Page, web_app: WebApp, user: str
) -> None:
    page.goto(web_app.at("/"))
    # Signed out, the demo's start page: the people to sign in as, and the button.
    expect(page.get_by_role("heading", name="procore-qb demo", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name=f"{user}@summit.example")).to_be_visible()
    sign_in(page, web_app, user)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(TABS[user])
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("status")).to_contain_text(f"Signed in as {user}@summit.example.")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    figures = page.get_by_role("heading", name="Jobs tab")
    if user == "cara":
        expect(figures).to_have_count(0)
        expect(page.get_by_text("You have no access to the ERP Integrations tool")).to_be_visible()
    else:
        expect(figures).to_be_visible()
        expect(page.get_by_role("heading", name="QuickBooks Web Connector")).to_be_visible()
    sign_out(page)
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    page.goto(web_app.at("/"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


ATTACKER = "http://attacker.example/"


def test_a_form_on_another_site_cannot_sign_anyone_out(page: Page, web_app: WebApp) -> None:
    sign_in(page, web_app, "eve")
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    # Another site's page, with a form that posts to procore-qb (even with a valid token).
    page.route(
        ATTACKER,
        lambda route: route.fulfill(
            content_type="text/html",
            body=(
                f'<form method="post" action="{web_app.at("/logout")}">'
                f'<input type="hidden" name="csrf_token" value="{token}">'
                '<button type="submit">Win a prize</button></form>'
            ),
        ),
    )
    page.goto(ATTACKER)
    page.get_by_role("button", name="Win a prize").click()
    expect(
        page.get_by_role("heading", name=re.compile("Cross-site request refused"))
    ).to_be_visible()
    expect(page.get_by_text("came from another site (Sec-Fetch-Site: cross-site)")).to_be_visible()
    # Still signed in.
    page.goto(web_app.at("/"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # A request with the browser's cookies that says it came from elsewhere: refused too.
    answer = page.context.request.post(
        web_app.at("/logout"),
        form={"csrf_token": token or ""},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert answer.status == 403
    page.goto(web_app.at("/"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_person_without_the_permission_is_refused_a_forced_page(
    page: Page, web_app: WebApp
) -> None:
    sign_in(page, web_app, "cara")
    answer = page.goto(web_app.at("/dashboard/figures"))
    assert answer is not None
    assert answer.status == 403
    expect(page.get_by_role("heading", name=re.compile("Permission missing"))).to_be_visible()
    expect(
        page.get_by_text(
            "needs 'Read Only' or higher on the ERP Integrations tool; you have 'None'"
        )
    ).to_have_count(2)
    screenshot(page, "pages-permission-missing")


def test_the_dashboard_figures_reload_in_place(page: Page, web_app: WebApp) -> None:
    page.clock.install()
    sign_in(page, web_app, "ada")
    waiting = page.locator("dt", has_text="Waiting for its next run").locator("+ dd")
    before = int(waiting.inner_text().split()[0])
    # Ada asks for a job-list refresh through the API (this demo runs no Web Connector, so it
    # waits for one); the open dashboard shows it without a reload.
    asked = httpx2.post(
        web_app.at("/api/v1/erp/jobs/refresh"),
        headers={"Authorization": "Bearer demo-ada"},
        timeout=60,
    )
    assert asked.status_code == 202, asked.text
    expect(waiting).to_have_text(f"{before} QuickBooks request(s)")
    page.clock.fast_forward("00:31")
    expect(waiting).to_have_text(f"{before + 1} QuickBooks request(s)")
    # Signed out meanwhile (the cookie is gone): the next reload shows the sign-in page.
    page.context.clear_cookies()
    page.clock.fast_forward("00:31")
    expect(page.get_by_role("button", name="Sign in with Procore")).to_be_visible()


_SET_STYLE = "(elements, style) => elements.forEach(e => Object.assign(e.style, style))"
_TIME_BOX = {
    "display": "inline-block",
    "width": "11em",
    "height": "1.2em",
    "overflow": "hidden",
    "whiteSpace": "nowrap",
    "verticalAlign": "bottom",
}


def test_the_dashboard_after_web_connector_runs(page: Page, web_app: WebApp) -> None:
    """The documentation's screenshot: the demo company after its first Web Connector runs
    (the cost code list and the job list came back)."""
    sims = web_app.demo.sims
    assert sims is not None
    assert sims.qbd is not None
    with httpx2.Client(timeout=120) as client:
        for _ in range(3):
            run = run_session(client, web_app.at("/qbwc"), "demo", "demo", sims.qbd.processor)
            assert run.last_error is None, run.lines()
    sign_in(page, web_app, "ada")
    expect(page.get_by_text("Running", exact=True)).to_be_visible()
    lists = page.get_by_role("row", name=re.compile("^QuickBooks job list"))
    expect(lists).to_contain_text("Up to date")
    expect(page.get_by_role("table", name="Last Web Connector runs")).to_be_visible()
    # Times and a run's duration are greyed out in boxes of a set size, on one line, what
    # does not fit cut off: the size of the text they hide (digits differ in width, and a
    # wider time wraps) would move the page from one run to the next. The boxes are set
    # through the CSSOM: the pages' Content-Security-Policy (style-src 'self') refuses the
    # style sheet Playwright's screenshot would add.
    page.locator("time").evaluate_all(_SET_STYLE, _TIME_BOX)
    page.locator(".took").evaluate_all(_SET_STYLE, {"width": "6em", "whiteSpace": "nowrap"})
    screenshot(page, "pages-dashboard", mask=[page.locator("time"), page.locator(".took")])
