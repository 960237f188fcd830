"""procore-qb's pages in a browser: signing in through the Procore simulator's login page,
the dashboard with the tabs each person may use, signing out."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from browser.web_app import WebApp, screenshot, sign_in, sign_out


def test_ada_signs_in_sees_every_tab_and_signs_out(page: Page, web_app: WebApp) -> None:
    page.goto(web_app.at("/"))
    # Signed out, the demo's start page: the people to sign in as, and the button.
    expect(page.get_by_role("heading", name="procore-qb demo", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name="ada@summit.example")).to_be_visible()
    sign_in(page, web_app, "ada")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(
        ["Dashboard", "Jobs", "Cost Codes", "Projects", "Settings", "Audit", "Outbox"]
    )
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("status")).to_contain_text("Signed in as ada@summit.example.")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    screenshot(page, "pages-dashboard")
    sign_out(page)
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    page.goto(web_app.at("/"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
