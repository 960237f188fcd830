"""A person using procore-qb's pages through ``TestClient``, as a browser would: signing in
through the Procore simulator's real OAuth login, following the page that moves on after the
callback, and posting forms with the session's token and the ``Sec-Fetch-Site`` header a
browser sends from the app's own pages."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
from starlette.testclient import TestClient

from integration.workflow.workflow_stack import APP, Stack

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def visible_text(html: str) -> str:
    """The page's text as a person reads it: tags dropped, entities decoded, spaces joined."""
    body = re.sub(r"<(script|style|head)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


def csrf_token(html: str) -> str:
    found = TOKEN.search(html)
    assert found is not None, "the page has no form with a csrf_token"
    return found.group(1)


class PagesClient:
    """One browser (its own cookies) on the stack's app."""

    def __init__(self, stack: Stack, app: Any = None) -> None:
        self.stack = stack
        self.client = TestClient(app or stack.app, base_url=APP, follow_redirects=False)

    def get(self, path: str, **kwargs: Any) -> httpx2.Response:
        return self.client.get(path, **kwargs)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx2.Response:
        """A form posted from one of the app's pages (the token of the page ``token``
        comes from, else of the dashboard or sign-in page)."""
        if token is None:
            home = self.get("/")
            token = csrf_token(home.text if home.status_code == 200 else self.get("/login").text)
        return self.client.post(
            path, data={"csrf_token": token, **(data or {})}, headers=SAME_ORIGIN
        )

    def close(self) -> None:
        self.client.close()

    def start_sign_in(self, next_path: str = "/") -> str:
        """Press "Sign in with Procore": the URL of Procore's sign-in page."""
        page = self.get("/login", params={"next": next_path})
        assert page.status_code == 200, page.text
        answer = self.client.post(
            "/login",
            data={"csrf_token": csrf_token(page.text), "next": next_path},
            headers=SAME_ORIGIN,
        )
        assert answer.status_code == 303, answer.text
        return str(answer.headers["location"])

    def procore_login(self, authorize_url: str, user: str) -> dict[str, str]:
        """Pick ``user`` on the Procore simulator's sign-in page: the query Procore sends
        back to the callback."""
        parts = urlsplit(authorize_url)
        query = parse_qs(parts.query)
        form = {k: v[0] for k, v in query.items()}
        form["login_hint"] = f"{user}@summit.example"
        answer = self.stack.procore.post("/oauth/authorize", data=form, follow_redirects=False)
        assert answer.status_code == 302, answer.text
        back = urlsplit(answer.headers["location"])
        assert back.path == "/login/callback", back
        return {k: v[0] for k, v in parse_qs(back.query).items()}

    def callback(self, query: dict[str, str]) -> httpx2.Response:
        return self.get("/login/callback?" + urlencode(query))

    def sign_in(self, user: str, next_path: str = "/") -> httpx2.Response:
        """Sign in as a seed user (``ada`` ...): the page the sign-in moves on to."""
        answer = self.callback(self.procore_login(self.start_sign_in(next_path), user))
        assert answer.status_code == 200, answer.text
        moved = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', answer.text)
        assert moved is not None, answer.text
        return self.get(moved.group(1).replace("&amp;", "&"))

    def nav(self, html: str) -> list[str]:
        """The tab labels of the page's navigation bar."""
        bar = re.search(r'<nav aria-label="Main".*?</nav>', html, re.S)
        return [] if bar is None else re.findall(r"<a [^>]*>([^<]+)</a>", bar.group(0))
