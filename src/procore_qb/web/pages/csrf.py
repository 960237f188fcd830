"""Cross-site request forgery protection, in two layers.

1. :class:`CrossSiteGuard` (ASGI middleware, every route): a request with an unsafe method
   (anything but GET, HEAD, OPTIONS) to a page, or to any path while carrying the session
   cookie, is refused unless the browser says it came from this origin: ``Sec-Fetch-Site:
   same-origin`` (Fetch Metadata), or, from a browser that does not send it, an ``Origin``
   whose host is this request's ``Host``. Programs calling the JSON API with a bearer token
   send no cookie and pass; the Web Connector (``/qbwc``) and webhooks have no browser.
2. A synchronizer token: every page form carries ``csrf_token`` (or a script sends the
   ``X-CSRF-Token`` header), equal to the one kept in the signed session;
   :func:`check_form_token` checks it on every unsafe page request.

The session cookie is ``SameSite=Strict`` as well, so a browser never sends it with a request
another site starts. :class:`CrossSiteArrivals` keeps that from costing a sign-in: a request
from another site that came without the cookie never writes one (the browser may hold a
session it did not send), and a link followed from another site to a page is answered with a
page that loads the same address again, now from this site, with the session.
"""

from __future__ import annotations

import html
import secrets
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from procore_qb.web.pages.errors import CrossSiteRefused
from procore_qb.web.pages.paths import is_page_path

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "EXEMPT_PREFIXES",
    "SAFE_METHODS",
    "CrossSiteArrivals",
    "CrossSiteGuard",
    "check_form_token",
    "cross_site_refusal",
    "session_token",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXEMPT_PREFIXES = ("/qbwc", "/webhooks/")
"""Endpoints no browser session reaches: the Web Connector (SOAP) and signed webhooks."""
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SESSION_KEY = "csrf"
_MAX_TOKEN = 128


def cross_site_refusal(
    *, method: str, path: str, headers: Mapping[str, str], has_session_cookie: bool
) -> str | None:
    """Why this request must be refused as cross-site, or None when it may go on.

    ``headers`` has lower-case names."""
    if method.upper() in SAFE_METHODS or path.startswith(EXEMPT_PREFIXES):
        return None
    if not is_page_path(path) and not has_session_cookie:
        return None
    site = headers.get("sec-fetch-site")
    if site is not None:
        if site == "same-origin":
            return None
        return (
            f"the browser says this request came from another site (Sec-Fetch-Site: "
            f"{site[:40]}); use the buttons on procore-qb's own pages"
        )
    origin = headers.get("origin")
    host = headers.get("host", "")
    if origin is None:
        return (
            "the request does not say where it came from (no Sec-Fetch-Site or Origin "
            "header); use the buttons on procore-qb's own pages"
        )
    try:
        parts = urlsplit(origin)
    except ValueError:
        parts = None
    if (
        parts is not None
        and parts.scheme in ("http", "https")
        and host
        and parts.netloc.lower() == host.lower()
    ):
        return None
    return (
        f"the request came from another origin ({origin[:80]}); use the buttons on "
        "procore-qb's own pages"
    )


Refuse = Callable[[Request, str], Awaitable[Response]]


class CrossSiteGuard:
    """ASGI middleware applying :func:`cross_site_refusal` to every HTTP request."""

    def __init__(self, app: ASGIApp, *, cookie_name: str, refuse: Refuse) -> None:
        self.app = app
        self.cookie_name = cookie_name
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        reason = cross_site_refusal(
            method=request.method,
            path=request.url.path,
            headers=request.headers,
            has_session_cookie=self.cookie_name in request.cookies,
        )
        if reason is None:
            await self.app(scope, receive, send)
            return
        response = await self.refuse(request, reason)
        await response(scope, receive, send)


_BOUNCE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0; url={url}">
<title>procore-qb</title></head>
<body><p><a href="{url}">Continue to procore-qb</a></p></body></html>
"""


def _same_address(scope: Scope) -> str:
    """The request's own path and query, as sent (percent-encoded), never another host."""
    raw = scope.get("raw_path") or scope["path"].encode()
    path = "/" + bytes(raw).decode("latin-1").lstrip("/\\")
    query = bytes(scope.get("query_string") or b"").decode("latin-1")
    return path + (f"?{query}" if query else "")


class CrossSiteArrivals:
    """ASGI middleware between the session middleware and the app (see the module's
    docstring): arrivals from another site neither lose the session nor overwrite it."""

    def __init__(self, app: ASGIApp, *, cookie_name: str) -> None:
        self.app = app
        self.cookie_name = cookie_name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if request.headers.get("sec-fetch-site") != "cross-site" or (
            self.cookie_name in request.cookies
        ):
            await self.app(scope, receive, send)
            return
        if (
            request.method in ("GET", "HEAD")
            and request.headers.get("sec-fetch-mode") == "navigate"
            and is_page_path(request.url.path)
        ):
            await HTMLResponse(_BOUNCE.format(url=html.escape(_same_address(scope))))(
                scope, receive, send
            )
            return

        async def without_session(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Whatever the app kept in the session, the browser's own stays as it is.
                scope["session"].clear()
            await send(message)

        await self.app(scope, receive, without_session)


def session_token(session: dict[str, Any]) -> str:
    """The session's synchronizer token, made on first use."""
    token = session.get(_SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = token
    return token


async def check_form_token(request: Request) -> None:
    """Raise :class:`CrossSiteRefused` unless an unsafe request carries the session's token
    (form field ``csrf_token`` or header ``X-CSRF-Token``). A FastAPI dependency of every
    page router."""
    if request.method.upper() in SAFE_METHODS:
        return
    expected = request.session.get(_SESSION_KEY)
    sent: object = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            sent = form.get(CSRF_FIELD)
    if (
        not isinstance(expected, str)
        or not expected
        or not isinstance(sent, str)
        or not 0 < len(sent) <= _MAX_TOKEN
        or not sent.isascii()
        or not secrets.compare_digest(sent, expected)
    ):
        raise CrossSiteRefused(
            "the form's security token is missing or out of date (the session changed, for "
            "example after signing in again); reload the page and submit it again"
        )
