"""Signing in to the pages with Procore (the simulator's real OAuth login), the session
cookie, the navigation each seed user sees, and signing out."""

from __future__ import annotations

import re

import pytest

from integration.web.pages.pages_client import SAME_ORIGIN, PagesClient, csrf_token, visible_text
from integration.workflow.workflow_stack import Stack

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
READERS = ["Dashboard", "Jobs", "Cost Codes", "Projects", "Settings", "Audit"]
NAVIGATION = {
    # ERP Integrations Admin: everything.
    "ada": ALL_TABS,
    # ERP Integrations Standard: the tool's tabs, not the mail outbox (ERP admins).
    "ben": READERS,
    # ERP Integrations None, project Admin everywhere: their projects only.
    "cara": ["Dashboard", "Projects"],
    "dan": ALL_TABS,
    "eve": READERS,
}


def test_a_signed_out_visitor_is_sent_to_sign_in(stack: Stack) -> None:
    browser = PagesClient(stack)
    home = browser.get("/")
    assert home.status_code == 303
    assert home.headers["location"] == "/login"
    login = browser.get("/login")
    assert login.status_code == 200
    assert "Sign in with Procore" in login.text
    assert browser.nav(login.text) == []


@pytest.mark.parametrize("user", sorted(NAVIGATION))
def test_each_seed_user_signs_in_and_sees_the_tabs_they_may_use(stack: Stack, user: str) -> None:
    browser = PagesClient(stack)
    page = browser.sign_in(user)
    assert page.status_code == 200, page.text
    assert f"Signed in as <strong>{user}@summit.example</strong>" in page.text
    assert browser.nav(page.text) == NAVIGATION[user]
    assert '<a href="/" aria-current="page">Dashboard</a>' in page.text


def test_the_session_cookie_is_signed_strict_and_http_only(stack: Stack) -> None:
    browser = PagesClient(stack)
    authorize = browser.start_sign_in()
    answer = browser.callback(browser.procore_login(authorize, "ben"))
    cookies = answer.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("procore_qb_session="))
    attributes = {part.strip().lower() for part in session.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    # The demo serves plain http on 127.0.0.1: no Secure there (PROCORE_QB_WEB__SECURE_COOKIES).
    assert "secure" not in attributes
    # The sign-in's state cookie is gone once used.
    cleared = next(c for c in cookies if c.startswith("procore_qb_sign_in="))
    assert "max-age=0" in cleared.lower()


def test_sign_in_returns_to_the_page_asked_for_and_only_to_this_site(stack: Stack) -> None:
    browser = PagesClient(stack)
    query = browser.procore_login(browser.start_sign_in("/audit?limit=5"), "ada")
    moved = browser.callback(query)
    assert 'content="0; url=/audit?limit=5"' in moved.text
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/logout"):
        other = PagesClient(stack)
        query = other.procore_login(other.start_sign_in(target), "ada")
        assert 'content="0; url=/"' in other.callback(query).text


def test_a_callback_without_this_browsers_state_is_refused(stack: Stack) -> None:
    started = PagesClient(stack)
    query = started.procore_login(started.start_sign_in(), "ada")
    # Another browser (no state cookie) brings the code: refused, and nobody is signed in.
    intruder = PagesClient(stack)
    refused = intruder.callback(query)
    assert refused.status_code == 400
    assert "out of date or was started in another browser" in refused.text
    assert intruder.get("/").status_code == 303
    # The same browser with a changed state: refused too.
    assert started.callback({**query, "state": "x" + query["state"]}).status_code == 400


def test_a_refused_or_reused_code_says_why(stack: Stack) -> None:
    browser = PagesClient(stack)
    authorize = browser.start_sign_in()
    denied = browser.callback({"error": "access_denied", "state": "whatever"})
    assert denied.status_code == 400
    assert "Procore did not sign you in (access_denied)" in denied.text
    query = browser.procore_login(browser.start_sign_in(), "ada")
    assert browser.callback(query).status_code == 200
    again = PagesClient(stack)
    again_query = again.procore_login(again.start_sign_in(), "ada")
    again_query["code"] = query["code"]  # used already: Procore refuses it
    refused = again.callback(again_query)
    assert refused.status_code == 502
    assert "Procore did not complete the sign-in" in refused.text
    assert authorize.startswith(stack.procore_url + "/oauth/authorize?")


def test_sign_out_ends_the_session(stack: Stack) -> None:
    browser = PagesClient(stack)
    page = browser.sign_in("eve")
    out = browser.post("/logout", token=csrf_token(page.text))
    assert out.status_code == 303
    assert out.headers["location"] == "/login"
    login = browser.get("/login")
    assert "You are signed out." in login.text
    assert browser.get("/").status_code == 303


def test_sign_out_needs_the_form_token_and_this_site(stack: Stack) -> None:
    browser = PagesClient(stack)
    page = browser.sign_in("eve")
    token = csrf_token(page.text)
    no_token = browser.client.post("/logout", headers=SAME_ORIGIN)
    assert no_token.status_code == 403
    assert "security token is missing or out of date" in no_token.text
    cross = browser.client.post(
        "/logout", data={"csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 403
    assert "Cross-site request refused" in cross.text
    # Still signed in after both.
    assert browser.get("/").status_code == 200


def test_a_sign_in_lasts_its_hours_however_active(stack: Stack) -> None:
    browser = PagesClient(stack)
    browser.sign_in("ada")
    stack.clock.advance(hours=11, minutes=59)
    assert browser.get("/").status_code == 200
    stack.clock.advance(minutes=2)
    expired = browser.get("/")
    assert expired.status_code == 303
    assert expired.headers["location"] == "/login"


def test_the_login_page_sends_the_browser_to_procore(stack: Stack) -> None:
    browser = PagesClient(stack)
    location = browser.start_sign_in("/erp/jobs")
    assert re.match(
        re.escape(stack.procore_url) + r"/oauth/authorize\?response_type=code&client_id=", location
    )
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Flogin%2Fcallback" in location


def test_signing_in_again_reads_the_permissions_from_procore_again(stack: Stack) -> None:
    assert stack.ok("ben", "GET", "/me")["permissions"]["can_push_to_accounting"] is True
    for _ in range(2):
        page = PagesClient(stack).sign_in("ben")
        assert "Can Push to Accounting Yes" in visible_text(page.text)
        assert stack.ok("ben", "GET", "/me")["permissions"]["can_push_to_accounting"] is True
