"""Every console refuses state-changing posts without its token or from another site."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from procore_qb.sandbox.console import CONSOLE_PATH, console_url
from procore_qb.sandbox.procore import ProcoreSandbox
from procore_qb.sandbox.procore import create_app as procore_app
from procore_qb.sandbox.qbd import ManualClock, open_simulator
from procore_qb.sandbox.qbd import create_app as qbd_app
from procore_qb.sandbox.qbo import Simulator
from procore_qb.sandbox.qbo import create_app as qbo_app

from .support import csrf_token, error_text

BASE = "http://127.0.0.1:8100"


def _procore() -> Starlette:
    return procore_app(ProcoreSandbox())


def _qbo() -> Starlette:
    return qbo_app(Simulator())


def _qbd() -> Starlette:
    return qbd_app(open_simulator(None, ManualClock()))


# (app, a state-changing form path, its fields, what shows the change on the overview)
CASES: dict[str, tuple[Callable[[], Starlette], str, dict[str, Any], str]] = {
    "procore": (
        _procore,
        "/projects",
        {"name": "Cross Site Tower", "as_user": "101", "standard_cost_code_list_id": "1"},
        "Cross Site Tower",
    ),
    "qbo": (_qbo, "/customers", {"name": "Cross Site Holdings"}, "Cross Site Holdings"),
    "qbd": (_qbd, "/customers", {"name": "Cross Site Holdings"}, "Cross Site Holdings"),
}


@pytest.fixture(params=sorted(CASES))
def console(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[TestClient, str, dict[str, Any], str]]:
    make, path, fields, shown = CASES[request.param]
    with TestClient(make(), base_url=BASE) as client:
        yield client, path, fields, shown


def _page(client: TestClient) -> str:
    page = client.get(CONSOLE_PATH)
    assert page.status_code == 200, page.text
    return page.text


def test_console_url() -> None:
    assert console_url("http://127.0.0.1:8100/") == "http://127.0.0.1:8100/_sandbox/console"


def test_a_form_with_the_token_and_the_own_origin_is_accepted(
    console: tuple[TestClient, str, dict[str, Any], str],
) -> None:
    client, path, fields, shown = console
    token = csrf_token(_page(client))
    r = client.post(
        CONSOLE_PATH + path,
        data={"csrf": token, **fields},
        headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert shown in _page(client)


@pytest.mark.parametrize(
    ("token", "headers", "reason"),
    [
        (None, {}, "the form's console token is missing or out of date"),
        ("not-the-token", {}, "the form's console token is missing or out of date"),
        ("own", {"Origin": "http://evil.example"}, "posted from 'http://evil.example'"),
        ("own", {"Origin": "null"}, "posted from 'null'"),
        ("own", {"Sec-Fetch-Site": "cross-site"}, "reports this form as posted from another site"),
    ],
)
def test_cross_site_posts_are_refused_and_change_nothing(
    console: tuple[TestClient, str, dict[str, Any], str],
    token: str | None,
    headers: dict[str, str],
    reason: str,
) -> None:
    client, path, fields, shown = console
    data = dict(fields)
    if token == "own":
        data["csrf"] = csrf_token(_page(client))
    elif token is not None:
        data["csrf"] = token
    r = client.post(CONSOLE_PATH + path, data=data, headers=headers, follow_redirects=False)
    assert r.status_code == 403
    assert reason in error_text(r.text)
    assert shown not in _page(client)


def test_an_oversized_form_is_refused(console: tuple[TestClient, str, dict[str, Any], str]) -> None:
    client, path, fields, _ = console
    token = csrf_token(_page(client))
    r = client.post(
        CONSOLE_PATH + path,
        data={"csrf": token, **fields, "padding": "x" * 70_000},
        follow_redirects=False,
    )
    assert r.status_code == 403
    assert "at most 65536 bytes" in error_text(r.text)


def test_any_qbd_name_is_added_or_refused_with_quickbooks_words() -> None:
    """Whatever is typed, the company file's own rules answer; the console never fails."""
    with TestClient(_qbd(), base_url=BASE) as client:
        token = csrf_token(_page(client))

        @settings(max_examples=60, deadline=None)
        @given(name=st.text(max_size=60))
        def check(name: str) -> None:
            r = client.post(
                CONSOLE_PATH + "/customers",
                data={"csrf": token, "name": name},
                follow_redirects=False,
            )
            assert r.status_code in (303, 422), r.text
            if r.status_code == 422:
                refusal = error_text(r.text)
                assert refusal.startswith("QuickBooks refused (status ") or (
                    "cannot be sent to QuickBooks in a qbXML request" in refusal
                )

        check()


def test_any_qbo_name_is_added_or_refused_with_a_fault() -> None:
    with TestClient(_qbo(), base_url=BASE) as client:
        token = csrf_token(_page(client))

        @settings(max_examples=60, deadline=None)
        @given(name=st.text(max_size=60))
        def check(name: str) -> None:
            r = client.post(
                CONSOLE_PATH + "/customers",
                data={"csrf": token, "name": name},
                follow_redirects=False,
            )
            assert r.status_code in (303, 422), r.text
            if r.status_code == 422:
                assert error_text(r.text).startswith("QuickBooks refused (")

        check()
