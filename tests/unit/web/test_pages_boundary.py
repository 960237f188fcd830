"""Property tests of the pages' boundary: where a sign-in may lead (``next``), which
state-changing requests count as this site's own (headers), the form token, and what a
session cookie may hold."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import PlainTextResponse
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.middleware.sessions import SessionMiddleware
from starlette.testclient import TestClient

from procore_qb.web.pages.csrf import (
    EXEMPT_PREFIXES,
    SAFE_METHODS,
    check_form_token,
    cross_site_refusal,
    session_token,
)
from procore_qb.web.pages.errors import CrossSiteRefused
from procore_qb.web.pages.paths import is_page_path, login_url, safe_next
from procore_qb.web.pages.session import (
    MAX_FLASHES,
    add_flash,
    pop_flashes,
    signed_in,
    start_session,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

# ------------------------------------------------------------------ next


@given(st.one_of(st.text(max_size=300), st.none(), st.integers(), st.binary(max_size=20)))
def test_next_is_this_site_or_the_dashboard(value: object) -> None:
    target = safe_next(value)
    if target != "/":
        assert target == value
    parts = urlsplit(target)
    assert target.startswith("/")
    assert not target.startswith("//")
    assert "\\" not in target
    assert not parts.scheme
    assert not parts.netloc
    assert all(ord(c) >= 0x20 and ord(c) != 0x7F for c in target)
    assert not target.startswith(("/login", "/logout")) or target == "/"


@pytest.mark.parametrize(
    "value",
    [
        "https://evil.example/",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x",
        "/ok\r\nLocation: //evil",
        "evil.example",
        "/login?next=/x",
        "/logout",
        "/login/callback?code=1",
        "/" + "a" * 3000,
    ],
)
def test_next_refuses_other_sites_and_loops(value: str) -> None:
    expected = "/%0d%0aSet-Cookie:x" if value == "/%0d%0aSet-Cookie:x" else "/"
    assert safe_next(value) == expected


@pytest.mark.parametrize("value", ["/", "/erp/jobs?filter=ready_to_export", "/projects/2001"])
def test_next_keeps_local_pages(value: str) -> None:
    assert safe_next(value) == value


@given(st.text(max_size=200))
def test_login_url_always_stays_on_the_site(value: str) -> None:
    url = login_url(value)
    assert url == "/login" or url.startswith("/login?next=/")
    assert "\r" not in url
    assert "\n" not in url


# ------------------------------------------------------------------ fetch metadata

METHODS = st.sampled_from(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "post"])
PATHS = st.one_of(
    st.sampled_from(
        ["/", "/logout", "/erp/jobs", "/api/v1/erp/jobs/refresh", "/qbwc", "/webhooks/quickbooks"]
    ),
    st.text(min_size=1, max_size=40).map(lambda s: "/" + s),
)
SITES = st.one_of(
    st.none(), st.sampled_from(["same-origin", "same-site", "cross-site", "none"]), st.text()
)
ORIGINS = st.one_of(
    st.none(),
    st.sampled_from(["http://app.example", "https://app.example", "http://evil.example", "null"]),
    st.text(max_size=40),
)


@given(
    method=METHODS,
    path=PATHS,
    site=SITES,
    origin=ORIGINS,
    cookie=st.booleans(),
    host=st.sampled_from(["app.example", "APP.example", "evil.example", ""]),
)
@settings(max_examples=400)
def test_only_this_sites_own_requests_change_anything(
    method: str, path: str, site: str | None, origin: str | None, cookie: bool, host: str
) -> None:
    headers = {"host": host}
    if site is not None:
        headers["sec-fetch-site"] = site
    if origin is not None:
        headers["origin"] = origin
    reason = cross_site_refusal(
        method=method, path=path, headers=headers, has_session_cookie=cookie
    )
    checked = (
        method.upper() not in SAFE_METHODS
        and not path.startswith(EXEMPT_PREFIXES)
        and (is_page_path(path) or cookie)
    )
    if not checked:
        assert reason is None
        return
    if site is not None:
        assert (reason is None) == (site == "same-origin")
        return
    same_host = origin is not None and bool(host)
    if same_host:
        assert origin is not None
        parts = urlsplit(origin)
        same_host = parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower()
    assert (reason is None) == same_host
    if reason is not None:
        assert "procore-qb's own pages" in reason


def test_a_bearer_api_call_without_cookie_is_not_a_browsers() -> None:
    assert (
        cross_site_refusal(
            method="POST",
            path="/api/v1/erp/jobs/refresh",
            headers={"authorization": "Bearer demo-ada"},
            has_session_cookie=False,
        )
        is None
    )
    assert cross_site_refusal(
        method="POST",
        path="/api/v1/erp/jobs/refresh",
        headers={"authorization": "Bearer demo-ada", "sec-fetch-site": "cross-site"},
        has_session_cookie=True,
    )


# ------------------------------------------------------------------ the form token


def _token_app() -> FastAPI:
    app = FastAPI()

    async def refused(_request: Request, exc: Exception) -> PlainTextResponse:
        return PlainTextResponse(str(exc), status_code=403)

    @app.get("/token")
    def token(request: Request) -> PlainTextResponse:
        return PlainTextResponse(session_token(request.session))

    @app.post("/act", dependencies=[Depends(check_form_token)])
    def act() -> PlainTextResponse:
        return PlainTextResponse("done")

    app.add_exception_handler(CrossSiteRefused, refused)
    app.add_middleware(SessionMiddleware, secret_key="k" * 32, same_site="strict")
    return app


@pytest.fixture(scope="module")
def token_client() -> Any:
    with TestClient(_token_app()) as client:
        yield client


@given(sent=st.text(max_size=200))
@settings(max_examples=150)
def test_a_form_token_is_accepted_only_when_it_is_the_sessions(
    token_client: Any, sent: str
) -> None:
    expected = token_client.get("/token").text
    answer = token_client.post("/act", data={"csrf_token": sent})
    assert (answer.status_code == 200) == (sent == expected)
    by_header = token_client.post("/act", headers={"X-CSRF-Token": expected})
    assert by_header.status_code == 200
    if sent.isascii() and sent and "\n" not in sent and "\r" not in sent:
        header = token_client.post("/act", headers={"X-CSRF-Token": sent.strip() or "x"})
        assert (header.status_code == 200) == ((sent.strip() or "x") == expected)


def test_a_form_without_a_session_token_is_refused() -> None:
    with TestClient(_token_app()) as client:
        answer = client.post("/act", data={"csrf_token": "anything"})
    assert answer.status_code == 403
    assert "reload the page" in answer.text


# ------------------------------------------------------------------ the session cookie

JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.sampled_from(["user", "flash", "csrf", "x"]), JSON, max_size=4))
def test_any_session_content_reads_as_someone_or_nobody(content: dict[str, Any]) -> None:
    found = signed_in(dict(content), now=NOW, max_age_seconds=3600)
    if found is not None:
        assert found.user_id > 0
        assert found.procore_user_id > 0
    flashes = pop_flashes(dict(content))
    assert len(flashes) <= MAX_FLASHES
    for flash in flashes:
        assert flash.kind in ("success", "info", "error")


def test_a_new_sign_in_keeps_nothing_of_the_session_before() -> None:
    session: dict[str, Any] = {"csrf": "planted", "user": {"id": 9, "procore": 9, "at": 1}}
    add_flash(session, "info", "old")
    start_session(session, user_id=3, procore_user_id=103, now=NOW)
    assert session["csrf"] != "planted"
    assert pop_flashes(session) == []
    found = signed_in(session, now=NOW, max_age_seconds=60)
    assert found is not None
    assert (found.user_id, found.procore_user_id) == (3, 103)
    assert signed_in(session, now=NOW.replace(hour=10), max_age_seconds=60) is None


def test_flashes_keep_the_latest_few() -> None:
    session: dict[str, Any] = {}
    for n in range(MAX_FLASHES + 3):
        add_flash(session, "success", f"message {n}")
    shown = pop_flashes(session)
    assert [f.text for f in shown] == [f"message {n}" for n in range(3, MAX_FLASHES + 3)]
    assert pop_flashes(session) == []


# ------------------------------------------------------------------ arrivals from other sites


def _arrivals_app() -> Any:
    from starlette.applications import Starlette
    from starlette.routing import Route

    from procore_qb.web.pages.csrf import CrossSiteArrivals

    async def page(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("the page")

    app = Starlette(routes=[Route("/{rest:path}", page)])
    return CrossSiteArrivals(app, cookie_name="procore_qb_session")


@given(path=st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=40))
@settings(max_examples=150)
def test_a_cross_site_link_is_answered_with_this_sites_own_address(path: str) -> None:
    from html import unescape
    from urllib.parse import quote

    raw = "/" + quote(path, safe="/?&=%\\\"'<>")
    with TestClient(_arrivals_app()) as client:
        answer = client.get(
            raw, headers={"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
        )
    assert answer.status_code == 200
    found = re.search(r'content="0; url=([^"]*)"', answer.text)
    assert found is not None, answer.text
    target = unescape(found.group(1))
    assert target.startswith("/")
    assert not target.startswith(("//", "/\\"))
    assert "<" not in found.group(1)
    assert "set-cookie" not in answer.headers
