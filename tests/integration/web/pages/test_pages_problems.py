"""Errors on pages: the problem details the JSON API answers, as an HTML page with the same
status (403 naming the missing permission, 404, 409, 422 with each rule and its fix); what
the JSON API answers is unchanged; security headers and static files."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from integration.web.pages.pages_client import SAME_ORIGIN, PagesClient, csrf_token, visible_text
from integration.workflow.workflow_stack import Stack
from procore_qb.app import export, queries
from procore_qb.domain.permissions import Action
from procore_qb.web.pages import PageKit, PageUser
from procore_qb.web.pages.csrf import check_form_token


def _with_test_pages(stack: Stack) -> Any:
    """The stack's app with test pages built the way every page is: one needing ERP
    Integrations Admin, one sending a project to ERP through the use case."""
    app = stack.app
    kit: PageKit = app.state.page_kit
    router = APIRouter()
    admin = Depends(kit.need(Action.CONFIGURE))
    signed_in = Depends(kit.signed_in)

    @router.get("/test/admin-only")
    def admin_only(request: Request, user: PageUser = admin) -> Response:
        return kit.render(request, "dashboard.html", user=user, figures=None, filters=[])

    @router.post("/test/send/{project_id}")
    def send(request: Request, project_id: int, user: PageUser = signed_in) -> Response:
        export.send(kit.ctx, user.actor, project_id)
        return kit.redirect(request, "/", flash=("success", "Sent to ERP."))

    @router.get("/test/items/{number}")
    def item(request: Request, number: int, user: PageUser = signed_in) -> Response:
        row = queries.job_row(kit.ctx, "export", number)
        return kit.render(request, "dashboard.html", user=user, figures=None, filters=[row])

    app.include_router(router, dependencies=[Depends(check_form_token)])
    return app


def test_a_page_refuses_a_person_without_the_permission_naming_it(stack: Stack) -> None:
    browser = PagesClient(stack, _with_test_pages(stack))
    browser.sign_in("ben")
    refused = browser.get("/test/admin-only")
    assert refused.status_code == 403
    text = visible_text(refused.text)
    assert "Permission missing (403)" in text
    assert "needs 'Admin' on the ERP Integrations tool; you have 'Standard'" in text
    # Signed out: sent to sign in first, and back here afterwards.
    stranger = PagesClient(stack, stack.app)
    sent = stranger.get("/test/admin-only")
    assert sent.status_code == 303
    assert sent.headers["location"] == "/login?next=/test/admin-only"
    # Allowed: the page.
    ada = PagesClient(stack, stack.app)
    assert ada.sign_in("ada", "/test/admin-only").status_code == 200


def test_a_broken_rule_shows_each_rule_and_its_fix(stack: Stack) -> None:
    browser = PagesClient(stack, _with_test_pages(stack))
    page = browser.sign_in("cara")
    refused = browser.post("/test/send/2004", token=csrf_token(page.text))
    assert refused.status_code == 422, refused.text
    assert "Rule violated (422)" in visible_text(refused.text)
    rules = re.findall(r"<li><code>([a-z_]+)</code>: ([^<]+)</li>", refused.text)
    assert rules, refused.text
    api = stack.call("cara", "POST", "/projects/2004/send-to-erp")
    assert api.status_code == 422
    assert [p["rule"] for p in api.json()["problems"]] == [rule for rule, _ in rules]


def test_a_state_conflict_and_an_unknown_item_are_pages_too(stack: Stack) -> None:
    browser = PagesClient(stack, _with_test_pages(stack))
    page = browser.sign_in("cara")
    token = csrf_token(page.text)
    sent = browser.post("/test/send/2001", token=token)
    assert sent.status_code == 303
    assert "Sent to ERP." in browser.get("/").text
    again = browser.post("/test/send/2001", token=token)
    assert again.status_code == 409, again.text
    assert "State conflict (409)" in visible_text(again.text)
    assert "Its state now: ready to export" in visible_text(again.text)
    unknown = browser.get("/test/items/987654")
    assert unknown.status_code == 404, unknown.text
    assert "Not found (404)" in visible_text(unknown.text)
    assert stack.call("ada", "GET", "/erp/jobs/export-987654").status_code == 404


def test_an_unknown_page_is_a_404_page_and_the_api_answers_as_before(stack: Stack) -> None:
    browser = PagesClient(stack)
    browser.sign_in("ada")
    page = browser.get("/no/such/page")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no page at this address" in page.text
    api = browser.get("/api/v1/no/such/thing")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["title"] == "Not found"
    assert "/docs" in api.json()["detail"]
    wrong_method = stack.call("ada", "DELETE", "/erp/jobs/refresh")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == "application/problem+json"
    assert wrong_method.headers["allow"] == "POST"
    refused = stack.call("cara", "POST", "/erp/jobs/refresh")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["missing"]


def test_a_cookie_carrying_api_request_must_come_from_this_site(stack: Stack) -> None:
    browser = PagesClient(stack)
    browser.sign_in("ada")
    bearer = {"Authorization": "Bearer demo-ada"}
    # The browser's session cookie goes along: only from this site's own pages.
    forged = browser.client.post("/api/v1/erp/jobs/refresh", headers=bearer)
    assert forged.status_code == 403
    assert forged.json()["title"] == "Cross-site request refused"
    assert forged.json()["rule"] == "same_origin_required"
    own = browser.client.post("/api/v1/erp/jobs/refresh", headers={**bearer, **SAME_ORIGIN})
    assert own.status_code == 202, own.text
    # A program with a bearer token and no cookie is not a browser: it passes.
    assert stack.call("ada", "POST", "/erp/jobs/refresh").status_code == 202


def test_an_origin_header_stands_in_for_fetch_metadata(stack: Stack) -> None:
    browser = PagesClient(stack)
    page = browser.sign_in("eve")
    token = csrf_token(page.text)
    other = browser.client.post(
        "/logout", data={"csrf_token": token}, headers={"Origin": "http://evil.example"}
    )
    assert other.status_code == 403
    assert "came from another origin (http://evil.example)" in other.text
    none = browser.client.post("/logout", data={"csrf_token": token})
    assert none.status_code == 403
    assert "does not say where it came from" in none.text
    own = browser.client.post(
        "/logout", data={"csrf_token": token}, headers={"Origin": "http://localhost"}
    )
    assert own.status_code == 303


def test_pages_carry_security_headers_and_static_files_are_ours(stack: Stack) -> None:
    browser = PagesClient(stack)
    page = browser.get("/login")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert f"form-action 'self' {stack.procore_url}" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert scripts
    assert styles
    for url in scripts + styles:
        assert url.startswith("/static/")
        served = browser.get(url)
        assert served.status_code == 200
        assert served.headers["content-type"].split(";")[0] in ("text/css", "text/javascript")
    assert "<script>" not in page.text  # no inline script
    assert stack.call("ada", "GET", "/me").headers.get("content-security-policy") is None


CROSS_SITE_NAVIGATION = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}


def test_a_link_from_another_site_loads_the_page_again_from_this_one(stack: Stack) -> None:
    # The browser sends no SameSite=Strict cookie with it, so the page is asked for again.
    link = PagesClient(stack).client.get("/erp/jobs?filter=synced", headers=CROSS_SITE_NAVIGATION)
    assert link.status_code == 200
    assert '<meta http-equiv="refresh" content="0; url=/erp/jobs?filter=synced">' in link.text
    assert "set-cookie" not in link.headers
    assert link.headers["cache-control"] == "no-store"
    # With the cookie (same-site, or asked again from this site) the page itself answers.
    browser = PagesClient(stack)
    browser.sign_in("ada")
    assert "Dashboard" in browser.client.get("/", headers={"Sec-Fetch-Site": "same-site"}).text


def test_a_request_from_another_site_never_replaces_the_session(stack: Stack) -> None:
    victim = PagesClient(stack)
    token = csrf_token(victim.sign_in("eve").text)
    # The attacker's form: the browser sends no Strict cookie with it; refused, and the
    # refusal sets no cookie that would replace the victim's session.
    forged = PagesClient(stack).client.post(
        "/logout", data={"csrf_token": token}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert forged.status_code == 403
    assert "set-cookie" not in forged.headers
    assert victim.get("/").status_code == 200
