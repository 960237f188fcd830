"""Templates, bounded form reading and the cross-site guard shared by the simulator consoles.

A console is reachable from any page the browser opens, so every state-changing request is
checked twice before it runs:

- the form must carry the console's token (``csrf``), a random value made when the console is
  built and written only into its own pages, which another site cannot read;
- a request whose ``Origin`` names another origin, or that the browser marks
  ``Sec-Fetch-Site: cross-site``, is refused even with a token.

Forms are read with bounds (body size, number of fields) so a hostile post cannot make the
simulator hold an unbounded body. Pages are sent with a Content-Security-Policy that allows no
outside resource and no framing.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChainableUndefined, Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

__all__ = ["CONSOLE_PATH", "ConsoleKit", "FormError", "console_url", "many", "text"]

CONSOLE_PATH = "/_sandbox/console"
"""Where every simulator serves its console (DESIGN §4)."""

MAX_FORM_BYTES = 64 * 1024
MAX_FORM_FIELDS = 200
MAX_NOTICE = 300
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
        "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def console_url(base_url: str) -> str:
    """The console URL of a simulator served at ``base_url`` (``http://host:port``)."""
    return base_url.rstrip("/") + CONSOLE_PATH


class FormError(Exception):
    """A form that cannot be used as sent; the message says which field and why."""


class ConsoleKit:
    """One console's template environment and CSRF token (build one per simulator app)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.token = secrets.token_urlsafe(32)
        self.env = Environment(
            loader=PackageLoader("procore_qb.sandbox.console", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=ChainableUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    # ---------------------------------------------------------------- pages

    def page(
        self,
        request: Request,
        template: str,
        *,
        status: int = 200,
        error: str | None = None,
        **context: Any,
    ) -> HTMLResponse:
        notice = request.query_params.get("done")
        html = self.env.get_template(template).render(
            title=self.title,
            console=CONSOLE_PATH,
            csrf=self.token,
            notice=notice[:MAX_NOTICE] if notice else None,
            error=error,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def done(self, path: str, message: str, *, anchor: str = "") -> RedirectResponse:
        """After a change: back to ``path`` (Post/Redirect/Get), telling what was done."""
        target = f"{CONSOLE_PATH}{path}?{urlencode({'done': message[:MAX_NOTICE]})}"
        if anchor:
            target += f"#{anchor}"
        return RedirectResponse(target, status_code=303, headers=SECURITY_HEADERS)

    def refused(self, message: str, *, status: int = 403) -> Response:
        html = self.env.get_template("refused.html").render(
            title=self.title, console=CONSOLE_PATH, message=message, notice=None, error=None
        )
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    # ---------------------------------------------------------------- forms

    def cross_site(self, request: Request) -> str | None:
        """Why a state-changing request must be refused as cross-site, or None."""
        if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
            return "the browser reports this form as posted from another site"
        origin = request.headers.get("origin")
        if origin is not None:
            own = f"{request.url.scheme}://{request.headers.get('host', '')}"
            if origin.lower() != own.lower():
                return f"the form was posted from {origin!r}, not from this console ({own})"
        return None

    async def form(self, request: Request) -> dict[str, Any]:
        """The posted form after the cross-site checks; :class:`FormError` when refused.

        Values are strings, except fields sent more than once, which become lists.
        """
        reason = self.cross_site(request)
        if reason is not None:
            raise FormError(f"Refused: {reason}. Use the console's own pages.")
        length = request.headers.get("content-length")
        if length is not None and (not length.isdecimal() or int(length) > MAX_FORM_BYTES):
            raise FormError(f"Refused: a console form is at most {MAX_FORM_BYTES} bytes.")
        body = await request.body()
        if len(body) > MAX_FORM_BYTES:
            raise FormError(f"Refused: a console form is at most {MAX_FORM_BYTES} bytes.")
        async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS) as data:
            values: dict[str, Any] = {}
            for key, value in data.multi_items():
                if not isinstance(value, str):
                    raise FormError("Refused: console forms carry no files.")
                if key in values:
                    previous = values[key]
                    values[key] = (
                        [*previous, value]
                        if isinstance(previous, list)
                        else [
                            previous,
                            value,
                        ]
                    )
                else:
                    values[key] = value
        token = values.pop("csrf", "")
        if not isinstance(token, str) or not hmac.compare_digest(
            token.encode("utf-8"), self.token.encode("utf-8")
        ):
            raise FormError(
                "Refused: the form's console token is missing or out of date "
                "(reload the console page and send the form again)."
            )
        return values


def text(values: Mapping[str, Any], name: str, *, limit: int = 4000) -> str:
    """A single text field, stripped; :class:`FormError` when repeated or too long."""
    value = values.get(name, "")
    if isinstance(value, list):
        raise FormError(f"{name}: send one value, not {len(value)}")
    value = str(value).strip()
    if len(value) > limit:
        raise FormError(f"{name}: at most {limit} characters (got {len(value)})")
    return value


def many(values: Mapping[str, Any], name: str) -> list[str]:
    """A field that may be sent several times (checkboxes), as a list of strings."""
    value = values.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
