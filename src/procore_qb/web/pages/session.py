"""What the signed session cookie holds: who signed in and when, the CSRF token, and the flash
messages waiting to be shown.

The cookie is Starlette's ``SessionMiddleware`` (signed with ``itsdangerous``; ``HttpOnly``,
``SameSite=Strict``, ``Secure`` unless turned off for plain-http demos). Its content is read
back through these functions only, each value checked, so a cookie signed by an older version
cannot confuse a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from procore_qb.web.pages.csrf import session_token

__all__ = [
    "COOKIE_NAME",
    "FLASH_KINDS",
    "MAX_FLASHES",
    "Flash",
    "FlashKind",
    "SignedIn",
    "add_flash",
    "end_session",
    "pop_flashes",
    "signed_in",
    "start_session",
]

COOKIE_NAME = "procore_qb_session"
MAX_FLASHES = 5
_MAX_FLASH_TEXT = 500
_USER = "user"
_FLASH = "flash"

FlashKind = Literal["success", "info", "error"]
FLASH_KINDS: tuple[FlashKind, ...] = ("success", "info", "error")


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The person a session belongs to: our user id, their Procore user id, and when they
    signed in (seconds since the epoch)."""

    user_id: int
    procore_user_id: int
    at: int


@dataclass(frozen=True, slots=True)
class Flash:
    """A one-time message shown on the next page: ``kind`` is also said in words."""

    kind: FlashKind
    text: str

    @property
    def label(self) -> str:
        return {"success": "Done", "info": "Note", "error": "Error"}[self.kind]


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def signed_in(session: dict[str, Any], *, now: datetime, max_age_seconds: int) -> SignedIn | None:
    """Who the session says signed in, or None (nobody, malformed, or older than
    ``max_age_seconds``: a sign-in lasts that long, however active the person is)."""
    raw = session.get(_USER)
    if not isinstance(raw, dict):
        return None
    user_id, procore_user_id, at = (_int(raw.get(k)) for k in ("id", "procore", "at"))
    if user_id is None or procore_user_id is None or at is None:
        return None
    age = now.timestamp() - at
    if age < -60 or age > max_age_seconds:
        return None
    return SignedIn(user_id, procore_user_id, at)


def start_session(
    session: dict[str, Any], *, user_id: int, procore_user_id: int, now: datetime
) -> None:
    """A fresh session for a person who just signed in: nothing of the session before it is
    kept (a new CSRF token too), so a session planted before sign-in is worthless."""
    session.clear()
    session[_USER] = {"id": user_id, "procore": procore_user_id, "at": int(now.timestamp())}
    session_token(session)


def end_session(session: dict[str, Any]) -> None:
    """Sign out: forget everything (the next page starts a new anonymous session)."""
    session.clear()


def add_flash(session: dict[str, Any], kind: FlashKind, text: str) -> None:
    """Keep a message for the next page shown (at most :data:`MAX_FLASHES`; the oldest go)."""
    waiting = session.get(_FLASH)
    items = list(waiting) if isinstance(waiting, list) else []
    items.append([kind, text[:_MAX_FLASH_TEXT]])
    session[_FLASH] = items[-MAX_FLASHES:]


def pop_flashes(session: dict[str, Any]) -> list[Flash]:
    """The waiting messages, removed from the session."""
    waiting = session.pop(_FLASH, None)
    if not isinstance(waiting, list):
        return []
    found: list[Flash] = []
    for item in waiting[:MAX_FLASHES]:
        if (
            isinstance(item, list)
            and len(item) == 2
            and item[0] in FLASH_KINDS
            and isinstance(item[1], str)
        ):
            found.append(Flash(item[0], item[1][:_MAX_FLASH_TEXT]))
    return found
