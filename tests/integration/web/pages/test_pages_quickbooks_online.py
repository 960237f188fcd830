"""QuickBooks Online on the settings page: "Connect to QuickBooks" through the QuickBooks
Online simulator's consent page and the ``/quickbooks/callback`` route (the state checked,
Intuit's errors taken), the token's health, checking now, disconnecting (revoke and forget),
and every refusal."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest

from integration.web.pages.pages_client import PagesClient, csrf_token, visible_text
from integration.workflow.workflow_stack import Stack
from procore_qb.app import connections
from procore_qb.app.tasks import drain_online
from procore_qb.domain.commands import QueryItems
from procore_qb.quickbooks.online.oauth import realm_subject
from procore_qb.sandbox import seed
from procore_qb.store.models import AuditEntry
from procore_qb.store.repositories.outbox import Outbox

REFRESH = re.compile(r'http-equiv="refresh" content="0; url=([^"]+)"')


@pytest.fixture
def online(tmp_path: Path) -> Iterator[Stack]:
    built = Stack("online", tmp_path)
    yield built
    built.close()


def _admin(stack: Stack, user: str = "ada") -> tuple[PagesClient, str]:
    browser = PagesClient(stack)
    browser.sign_in(user)
    page = browser.get("/settings")
    assert page.status_code == 200, page.text
    return browser, page.text


def _online_section(html: str) -> str:
    found = re.search(r'<section[^>]*aria-labelledby="quickbooks-online".*?</section>', html, re.S)
    assert found is not None
    return visible_text(found.group(0))


def _tokens(stack: Stack) -> object | None:
    assert stack.ctx.online_tokens is not None
    return stack.ctx.online_tokens().load(realm_subject(seed.QBO_REALM_ID))


def _actions(stack: Stack) -> list[str]:
    with stack.sessions.begin() as session:
        return [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id)]


def _start(browser: PagesClient, html: str) -> str:
    """Press "Connect to QuickBooks": the consent URL the page moves on to."""
    answer = browser.post("/settings/quickbooks/connect", token=csrf_token(html))
    assert answer.status_code == 200, answer.text
    assert "Continue to QuickBooks" in answer.text
    moved = REFRESH.search(answer.text)
    assert moved is not None
    return moved.group(1).replace("&amp;", "&")


def _consent(stack: Stack, url: str) -> dict[str, str]:
    """The QuickBooks Online simulator's consent page: the query it sends the browser back
    with."""
    assert stack.qbo is not None
    parts = urlsplit(url)
    answer = stack.qbo.get(f"{parts.path}?{parts.query}")
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert back.path == "/quickbooks/callback"
    return {k: v[0] for k, v in parse_qs(back.query).items()}


def _callback(browser: PagesClient, query: dict[str, str]) -> httpx2.Response:
    return browser.get("/quickbooks/callback?" + urlencode(query))


def test_ada_disconnects_then_connects_through_the_consent_page(online: Stack) -> None:
    browser, html = _admin(online)
    section = _online_section(html)
    assert "Status Connected" in section
    assert "Access token expires 2026-11-30 16:00 UTC" in section
    # Disconnect: Intuit revokes the refresh token, procore-qb forgets both tokens.
    revoked = _tokens(online)
    answer = browser.post("/settings/quickbooks/disconnect", token=csrf_token(html))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/settings#quickbooks-online"
    assert _tokens(online) is None
    assert revoked is not None
    assert online.qbo is not None
    refused = online.qbo.post(
        "/oauth2/v1/tokens/bearer",
        data={"grant_type": "refresh_token", "refresh_token": revoked.refresh_token},  # type: ignore[attr-defined]
        auth=(seed.QBO_APP.client_id, seed.QBO_APP.client_secret),
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    page = browser.get("/settings")
    assert "is disconnected: Intuit revoked the connection" in visible_text(page.text)
    section = _online_section(page.text)
    assert "Status Not connected" in section
    assert "Connect to QuickBooks" in section
    assert "Disconnect" not in section
    # Connect: the consent page, then the callback with the code, the state and the realm.
    query = _consent(online, _start(browser, page.text))
    assert set(query) == {"code", "state", "realmId"}
    back = _callback(browser, query)
    assert back.status_code == 200, back.text
    assert "procore-qb is connected to QuickBooks company " + seed.QBO_REALM_ID in visible_text(
        back.text
    )
    assert 'content="0; url=/settings#quickbooks-online"' in back.text
    # The callback left the session alone and dropped its own cookie.
    cookies = back.headers.get_list("set-cookie")
    assert not any(c.startswith("procore_qb_session=") for c in cookies)
    assert any(c.startswith("procore_qb_qbo_connect=") and "Max-Age=0" in c for c in cookies)
    assert _tokens(online) is not None
    section = _online_section(browser.get("/settings").text)
    assert "Status Connected" in section
    assert "Connected 2026-11-30 15:00 UTC" in section
    assert "Last refresh not since connecting" in section
    actions = _actions(online)
    assert actions.index("quickbooks_disconnected") < actions.index("quickbooks_connected")
    # The new tokens work.
    assert online.ctx.online is not None
    assert online.ctx.online().execute([QueryItems(idempotency_key="after-reconnect")])[0].ok


def test_the_connect_cookie_is_lax_signed_and_only_for_the_callback(online: Stack) -> None:
    browser, html = _admin(online)
    answer = browser.post("/settings/quickbooks/connect", token=csrf_token(html))
    cookie = next(
        c for c in answer.headers.get_list("set-cookie") if c.startswith("procore_qb_qbo_connect=")
    )
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/quickbooks/callback", "max-age=600"} <= attributes


def test_a_callback_from_another_browser_or_with_another_state_is_refused(online: Stack) -> None:
    browser, html = _admin(online)
    query = _consent(online, _start(browser, html))
    before = _actions(online)
    # Another browser (no cookie of this consent) brings the code: refused.
    other = PagesClient(online)
    refused = _callback(other, query)
    assert refused.status_code == 400
    assert "its state does not match" in visible_text(refused.text)
    # This browser with a state of its own making: refused.
    forged = _callback(browser, {**query, "state": "x" * 40})
    assert forged.status_code == 400
    assert "its state does not match" in visible_text(forged.text)
    assert _actions(online) == before
    # The real one still works.
    assert _callback(browser, query).status_code == 200
    # A code is used once, and so is the consent.
    again = _callback(browser, query)
    assert again.status_code == 400


def test_intuits_error_is_shown_and_ends_the_consent(online: Stack) -> None:
    browser, html = _admin(online)
    started = _start(browser, html)
    state = parse_qs(urlsplit(started).query)["state"][0]
    answer = _callback(
        browser,
        {"error": "access_denied", "error_description": "The user denied access", "state": state},
    )
    assert answer.status_code == 400
    text = visible_text(answer.text)
    assert "QuickBooks did not connect (access_denied The user denied access)" in text
    assert "nothing was changed" in text
    assert _tokens(online) is not None  # the connection that was there stays
    # The consent is over: even the code Intuit would have sent for it is refused now.
    query = _consent(online, started)
    ada = online.sign_in("ada@summit.example", "demo-ada-2")
    with pytest.raises(connections.setup.SetupRefused, match="no QuickBooks Online connection"):
        connections.finish_quickbooks_connect(online.ctx, ada, query)


@pytest.mark.parametrize(
    "query",
    [
        {"code": "c" * 513, "state": "s", "realmId": "1"},
        {"code": "c", "state": "s\u0007", "realmId": "1"},
        {"error": "e" * 101},
    ],
)
def test_a_callback_with_bad_parameters_is_refused_before_anything_is_read(
    online: Stack, query: dict[str, str]
) -> None:
    browser, _ = _admin(online)
    answer = _callback(browser, query)
    assert answer.status_code == 400
    assert "QuickBooks sent a" in visible_text(answer.text)


def test_a_callback_with_a_repeated_parameter_is_refused(online: Stack) -> None:
    browser, _ = _admin(online)
    answer = browser.get("/quickbooks/callback?state=a&state=b&code=c")
    assert answer.status_code == 400
    assert "QuickBooks sent state more than once" in visible_text(answer.text)


def test_checking_quickbooks_now_names_the_company_or_the_error(online: Stack) -> None:
    browser, html = _admin(online)
    answer = browser.post("/settings/quickbooks/check", token=csrf_token(html))
    assert answer.status_code == 303
    page = browser.get("/settings")
    assert "Done: QuickBooks Online is connected to Summit Ridge Builders" in visible_text(
        page.text
    )
    assert "QuickBooks company Summit Ridge Builders" in _online_section(page.text)
    # Intuit revokes the connection behind our back: the check says so, and keeps it.
    stored = _tokens(online)
    assert online.qbo is not None
    online.qbo.post(
        "/oauth2/v1/tokens/revoke",
        json={"token": stored.refresh_token},  # type: ignore[union-attr]
        auth=(seed.QBO_APP.client_id, seed.QBO_APP.client_secret),
    )
    online.clock.advance(hours=2)  # the access token expired: a refresh is needed
    answer = browser.post("/settings/quickbooks/check", token=csrf_token(page.text))
    assert answer.status_code == 303
    page = browser.get("/settings")
    text = visible_text(page.text)
    assert "Error: QuickBooks Online answered: QuickBooks no longer accepts the stored" in text
    assert "reconnect QuickBooks from the settings page" in _online_section(page.text)


def test_the_drain_keeps_the_last_error_that_made_commands_wait(online: Stack) -> None:
    stored = _tokens(online)
    assert online.qbo is not None
    online.qbo.post(
        "/oauth2/v1/tokens/revoke",
        json={"token": stored.refresh_token},  # type: ignore[union-attr]
        auth=(seed.QBO_APP.client_id, seed.QBO_APP.client_secret),
    )
    online.clock.advance(hours=2)
    online.ok("ada", "POST", "/erp/jobs/refresh")
    ran = drain_online(online.ctx)
    assert ran["reconnect_required"] is True
    browser, html = _admin(online)
    section = _online_section(html)
    assert "Last error QuickBooks no longer accepts the stored authorization" in section
    with online.sessions.begin() as session:
        waiting = Outbox(session).counts(online.company_id).get("pending", 0)
    assert waiting >= 1
    assert f"Waiting for QuickBooks {waiting} command" in section
    # Connecting again clears it, and the commands go out.
    query = _consent(online, _start(browser, html))
    assert _callback(browser, query).status_code == 200
    online.run_jobs()
    section = _online_section(browser.get("/settings").text)
    assert "Last error none" in section
    assert "Waiting for QuickBooks 0 commands" in section


@pytest.mark.parametrize(
    "path",
    [
        "/settings/quickbooks/connect",
        "/settings/quickbooks/check",
        "/settings/quickbooks/disconnect",
    ],
)
def test_ben_may_not_connect_check_or_disconnect(online: Stack, path: str) -> None:
    browser, html = _admin(online, "ben")
    section = _online_section(html)
    assert "Connect to QuickBooks" not in section
    assert "Disconnect" not in section
    answer = browser.post(path, token=csrf_token(html))
    assert answer.status_code == 403
    assert "needs 'Admin' on the ERP Integrations tool" in visible_text(answer.text)
    assert _tokens(online) is not None


def test_disconnecting_twice_is_a_conflict(online: Stack) -> None:
    browser, html = _admin(online)
    assert (
        browser.post("/settings/quickbooks/disconnect", token=csrf_token(html)).status_code == 303
    )
    again = browser.post("/settings/quickbooks/disconnect", token=csrf_token(html))
    assert again.status_code == 409
    assert "not connected: there is nothing to disconnect" in visible_text(again.text)


def test_a_desktop_company_has_no_online_connect(stack: Stack) -> None:
    browser, html = _admin(stack)
    assert "QuickBooks Online" not in visible_text(html).split("General settings")[0]
    answer = browser.post("/settings/quickbooks/connect", token=csrf_token(html))
    assert answer.status_code == 409
    assert "QuickBooks Desktop, not Online" in visible_text(answer.text)
    with pytest.raises(connections.setup.SetupRefused):
        connections.online_health(stack.ctx, stack.sign_in("ada@summit.example", "demo-ada-2"))
