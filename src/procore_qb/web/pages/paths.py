"""Which requests are pages, and where a sign-in may send a person back to (``next``)."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

__all__ = [
    "MACHINE_PREFIXES",
    "MAX_NEXT",
    "is_page_path",
    "login_url",
    "safe_next",
]

MACHINE_PREFIXES = (
    "/api/",
    "/qbwc",
    "/webhooks/",
    "/healthz",
    "/openapi.json",
    "/docs",
    "/redoc",
)
"""Paths answered for programs (JSON, SOAP, webhooks): errors there are problem JSON."""

MAX_NEXT = 2000
_NOT_AFTER_SIGN_IN = ("/login", "/logout")


def is_page_path(path: str) -> bool:
    """True for the HTML pages (everything but the machine endpoints and the static files)."""
    return not path.startswith(MACHINE_PREFIXES) and not path.startswith("/static/")


def safe_next(value: object) -> str:
    """``value`` when it is a path on this site a signed-in person may land on, else ``/``.

    Refused: anything that is not text, too long, with control characters or backslashes,
    with a scheme or a host (``https://evil``, ``//evil``), not starting with ``/``, or the
    sign-in pages themselves (which would loop)."""
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT:
        return "/"
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "/"
    try:
        parts = urlsplit(value)
    except ValueError:
        return "/"
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/"
    if parts.path.rstrip("/") in _NOT_AFTER_SIGN_IN or parts.path.startswith("/login/"):
        return "/"
    return value


def login_url(next_path: str) -> str:
    """``/login?next=…`` for a person who has to sign in first."""
    target = safe_next(next_path)
    if target == "/":
        return "/login"
    return "/login?next=" + quote(target, safe="/")
