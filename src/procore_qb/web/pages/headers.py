"""Security headers on every page and static file: our own scripts and styles only (no CDN,
no inline script), no framing, no referrer to other sites."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from procore_qb.web.pages.paths import is_page_path

__all__ = ["PageHeaders", "content_security_policy"]


def content_security_policy(form_targets: tuple[str, ...] = ()) -> str:
    """The pages' policy. ``form_targets``: origins a form may lead to besides ours (Procore's
    sign-in, which ``POST /login`` redirects to: browsers check redirects of form submissions
    against ``form-action``)."""
    forms = " ".join(("'self'", *form_targets))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"form-action {forms}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


class PageHeaders:
    """ASGI middleware adding the headers to page and static responses (the JSON API's docs
    page loads its own assets and is left alone)."""

    def __init__(self, app: ASGIApp, *, policy: str) -> None:
        self.app = app
        self.headers = {
            "content-security-policy": policy,
            "x-content-type-options": "nosniff",
            "x-frame-options": "DENY",
            "referrer-policy": "same-origin",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (
            is_page_path(scope["path"]) or scope["path"].startswith("/static/")
        ):
            await self.app(scope, receive, send)
            return

        page = is_page_path(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
                if page and "cache-control" not in headers:
                    # Pages show one person's data: never kept by a shared cache or the
                    # browser's back button after signing out.
                    headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)
