"""Checks on what callers hand the queue, with errors that say how to fix the call."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from procore_qb.jobs.errors import InvalidJobArguments, JobsConfigurationError

__all__ = [
    "RESERVED_PREFIX",
    "check_args",
    "check_lock",
    "check_name",
    "check_session",
    "check_when",
]

RESERVED_PREFIX = "__procore_qb"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$")


def check_name(kind: str, name: str) -> str:
    if not _NAME.match(name):
        raise JobsConfigurationError(
            f"{kind} name {name!r} is not usable: use 1 to 128 letters, digits, '_', '.', ':' "
            "or '-', starting with a letter or digit"
        )
    return name


def check_lock(lock: str | None) -> str | None:
    if lock is not None and (not lock or len(lock) > 128):
        raise JobsConfigurationError(
            f"lock {lock!r} is not usable: pass None or 1 to 128 characters, "
            "e.g. 'company:7' to run one job at a time per company"
        )
    return lock


def check_args(task: str, args: Mapping[str, Any] | None) -> dict[str, Any]:
    """A JSON-safe copy of ``args``."""
    if args is None:
        return {}
    if not isinstance(args, Mapping):
        raise InvalidJobArguments(task, f"expected a mapping, got {type(args).__name__}")
    for key in args:
        if not isinstance(key, str):
            raise InvalidJobArguments(task, f"key {key!r} is not a string")
        if key.startswith(RESERVED_PREFIX) or key in {"ctx", "timestamp"}:
            raise InvalidJobArguments(task, f"the name {key!r} is reserved by the queue")
    try:
        text = json.dumps(dict(args), allow_nan=False, default=_refuse)
    except _Unstorable as exc:
        raise InvalidJobArguments(task, str(exc)) from None
    except ValueError:
        raise InvalidJobArguments(task, "NaN and infinite floats are not JSON") from None
    copy: dict[str, Any] = json.loads(text)
    return copy


class _Unstorable(TypeError):
    """A job argument that JSON cannot hold."""


def _refuse(value: Any) -> Any:
    raise _Unstorable(
        f"a {type(value).__name__} value ({value!r:.60}) is not JSON; pass its id or str() instead"
    )


def check_when(what: str, when: datetime | None) -> datetime | None:
    if when is None:
        return None
    if when.tzinfo is None:
        raise JobsConfigurationError(
            f"{what} must be timezone-aware; pass e.g. datetime.now(UTC) + timedelta(...)"
        )
    return when.astimezone(UTC)


def check_session(session: Session, engine: Engine) -> None:
    """The job must be written to the database the queue's workers read."""
    bind = session.get_bind()
    url = bind.engine.url if isinstance(bind, sa.Connection) else bind.url
    theirs = url.render_as_string(hide_password=True)
    ours = engine.url.render_as_string(hide_password=True)
    if theirs != ours:
        raise JobsConfigurationError(
            f"the session writes to {theirs} but this queue's workers read {ours}; enqueue with "
            "a session of the queue's own database so the job commits with your changes"
        )
