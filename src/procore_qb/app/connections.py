"""How the company's connections are doing (the settings page), and what an ERP Integrations
admin does with them.

* **Procore.** The service account's permission manifest must give 'Admin' on ERP
  Integrations and 'Admin' on the company Directory (spec procore-workflow §4: the whole
  procedure needs both). :func:`check_procore` reads it now and keeps the outcome;
  :func:`procore_health` shows the latest one (a successful
  :func:`procore_qb.app.setup.connect_procore` counts as a passed check).
* **QuickBooks Desktop.** :func:`desktop_health`: when the Web Connector last called, its last
  error (a ``connectionError``, or one a session reported), and how many commands wait for
  its next run, read from the Web Connector's store.
* **QuickBooks Online.** :func:`online_health`: the QuickBooks company (realm), whether its
  tokens are kept, when the access and refresh tokens expire, when they were last refreshed,
  the last error QuickBooks answered with and the commands waiting. :func:`check_online` makes
  one cheap call now. :func:`begin_quickbooks_connect` and :func:`finish_quickbooks_connect`
  run Intuit's consent flow of :mod:`procore_qb.app.setup` for a person;
  :func:`disconnect_online` revokes the refresh token at Intuit and forgets the tokens.
  :func:`note_online_run` keeps what the Online driver last met (the background drain calls
  it).

Reading needs any access to the ERP Integrations tool; checking, connecting and disconnecting
need 'Admin' on it (spec §4 "Configure settings").
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app import setup
from procore_qb.app.actors import Actor, require
from procore_qb.app.context import AppContext
from procore_qb.app.errors import AppError, Conflict, NotConnected, UpstreamError
from procore_qb.app.online_driver import DriverRun
from procore_qb.domain.permissions import AccessLevel, Action
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.procore.errors import ProcoreError
from procore_qb.quickbooks.online.errors import QboError
from procore_qb.quickbooks.online.oauth import TokenManager, realm_subject
from procore_qb.store.models import AuditEntry, Connection
from procore_qb.store.repositories.audit import AuditLog
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.connections import QUICKBOOKS_ONLINE
from procore_qb.store.repositories.outbox import Outbox
from procore_qb.store.repositories.qbwc import SqlWebConnectorStore

__all__ = [
    "CheckResult",
    "ConnectDeclined",
    "ConsentStart",
    "DesktopHealth",
    "OnlineHealth",
    "ProcoreHealth",
    "begin_quickbooks_connect",
    "check_online",
    "check_procore",
    "desktop_health",
    "disconnect_online",
    "finish_quickbooks_connect",
    "note_online_run",
    "online_health",
    "procore_health",
]

_PROCORE_CHECK = "procore_check"
_PROCORE_CONNECTED = "procore_connected_at"
"""Written by :func:`procore_qb.app.setup.connect_procore` when the manifest passed."""
_ONLINE_STATUS = "qbo_status"
_MAX_TEXT = 500
_REQUIRED = (("erp_integrations", "ERP Integrations"), ("directory", "the company Directory"))


class ConnectDeclined(AppError):
    """QuickBooks sent the person back without a connection (they declined, or Intuit
    refused the request); nothing was changed."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The outcome of checking a connection now, in words for the person who asked."""

    ok: bool
    message: str


@dataclass(frozen=True, slots=True)
class ProcoreHealth:
    """The Procore service account as last checked."""

    checked_at: datetime | None
    erp_integrations: str
    """Its level on ERP Integrations in Procore's words ('Admin'), empty when unknown."""
    directory: str
    problems: tuple[str, ...] = ()
    """Each permission the manifest lacks, with the fix."""
    error: str | None = None
    """Why Procore could not be asked (the service account's sign-in failed, ...)."""

    @property
    def connected(self) -> bool:
        return self.checked_at is not None and not self.problems and self.error is None


@dataclass(frozen=True, slots=True)
class DesktopHealth:
    """The QuickBooks Web Connector as its store has it."""

    last_contact_at: datetime | None
    company_file: str
    """The company file its last session had open."""
    pinned_company_file: str | None
    last_error: str | None
    last_error_at: datetime | None
    sessions: int
    waiting: int
    """Commands waiting for its next run."""
    in_flight: int
    """Commands handed to it, answer not in yet."""


@dataclass(frozen=True, slots=True)
class OnlineHealth:
    """The QuickBooks Online connection and its tokens (never the tokens themselves)."""

    realm_id: str | None
    connected: bool
    """Tokens are kept for the realm."""
    connected_at: datetime | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    tokens_stored_at: datetime | None
    """When the tokens were last written (connected or refreshed)."""
    last_refresh_at: datetime | None
    """When the tokens were last refreshed since connecting (None: not since then, or the
    connection's time is unknown)."""
    last_error: str | None
    last_error_at: datetime | None
    last_ok_at: datetime | None
    """When QuickBooks last answered a call of ours."""
    company_name: str | None
    waiting: int
    in_flight: int


@dataclass(frozen=True, slots=True)
class ConsentStart:
    """Where to send the person for Intuit's consent, and the ``state`` that comes back."""

    url: str
    state: str


# ----------------------------------------------------------------------------- helpers


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None


def _text(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    return "".join(c if c.isprintable() else " " for c in value)[:_MAX_TEXT]


def _audit(
    ctx: AppContext, session: Session, action: str, actor: Actor, detail: dict[str, Any]
) -> None:
    AuditLog(session).append(
        at=ctx.now(),
        actor=actor.label,
        action=action,
        company_id=ctx.company_id,
        subject_type="company",
        subject_id=ctx.procore_company_id,
        detail=detail,
    )


def _waiting(session: Session, company_id: int) -> tuple[int, int]:
    counts = Outbox(session).counts(company_id)
    return counts.get("pending", 0), counts.get("in_flight", 0)


# ----------------------------------------------------------------------------- Procore


def _level(code: str) -> AccessLevel:
    try:
        return AccessLevel.from_code(code)
    except ValueError:
        return AccessLevel.NONE


def _procore_from(stored: Any) -> ProcoreHealth | None:
    if not isinstance(stored, dict):
        return None
    at = _when(stored.get("at"))
    if at is None:
        return None
    problems = stored.get("problems")
    return ProcoreHealth(
        checked_at=at,
        erp_integrations=_text(stored.get("erp_integrations")) or "",
        directory=_text(stored.get("directory")) or "",
        problems=tuple(p for p in (problems or []) if isinstance(p, str))[:10]
        if isinstance(problems, list)
        else (),
        error=_text(stored.get("error")),
    )


def procore_health(ctx: AppContext, actor: Actor) -> ProcoreHealth:
    """The Procore service account as last checked (never checked: ``checked_at`` None)."""
    require(ctx, actor, Action.VIEW_JOBS)
    with ctx.sessions.begin() as session:
        companies = Companies(session)
        checked = _procore_from(companies.setting(ctx.company_id, _PROCORE_CHECK))
        connected_at = _when(companies.setting(ctx.company_id, _PROCORE_CONNECTED))
    admin = AccessLevel.ADMIN.label
    if connected_at is not None and (
        checked is None or checked.checked_at is None or connected_at > checked.checked_at
    ):
        # connect_procore stores its time only when both levels were 'Admin'.
        return ProcoreHealth(connected_at, admin, admin)
    return checked or ProcoreHealth(None, "", "")


def check_procore(ctx: AppContext, actor: Actor) -> CheckResult:
    """Read the service account's permission manifest now and keep the outcome."""
    require(ctx, actor, Action.CONFIGURE)
    levels = {"erp_integrations": "", "directory": ""}
    problems: list[str] = []
    error = None
    try:
        found = ctx.procore().tool_permissions()
    except ProcoreError as exc:
        error = (
            f"procore-qb could not sign in to Procore as the service account ({exc}); check "
            "PROCORE_QB_PROCORE__CLIENT_ID and PROCORE_QB_PROCORE__CLIENT_SECRET"
        )[:_MAX_TEXT]
    else:
        for key, tool in _REQUIRED:
            level = _level(getattr(found, key))
            levels[key] = level.label
            if level < AccessLevel.ADMIN:
                problems.append(
                    f"the service account needs 'Admin' on {tool} (it has '{level.label}'): "
                    "give it that level in Procore's company Directory (Edit user → "
                    "Permissions), then check again"
                )
    now = ctx.now()
    stored = {"at": now.isoformat(), **levels, "problems": problems, "error": error}
    with ctx.sessions.begin() as session:
        Companies(session).set_setting(ctx.company_id, _PROCORE_CHECK, stored, now=now)
        _audit(ctx, session, "procore_connection_checked", actor, dict(stored))
    if error is not None:
        return CheckResult(False, error)
    if problems:
        return CheckResult(False, "Procore: " + "; ".join(problems) + ".")
    return CheckResult(
        True,
        "Procore is connected: the service account has 'Admin' on ERP Integrations and on the "
        "company Directory.",
    )


# ----------------------------------------------------------------------------- Desktop


def desktop_health(ctx: AppContext, actor: Actor) -> DesktopHealth:
    """The Web Connector's last contact, last error and the commands waiting for it."""
    require(ctx, actor, Action.VIEW_JOBS)
    status = setup.webconnector_status(ctx)
    with SqlWebConnectorStore(ctx.sessions).transaction() as store:
        errors = store.connection_errors(ctx.company_id, limit=1)
        counts = store.counts(ctx.company_id)
    last_error, last_error_at = status.last_error, status.last_contact_at
    if not last_error:
        last_error, last_error_at = None, None
    if errors and (last_error_at is None or errors[0].created_at >= last_error_at):
        latest = errors[0]
        code = f" ({latest.hresult})" if latest.hresult else ""
        last_error, last_error_at = f"{latest.message}{code}", latest.created_at
    return DesktopHealth(
        last_contact_at=status.last_contact_at,
        company_file=status.company_file,
        pinned_company_file=status.pinned_company_file,
        last_error=_text(last_error),
        last_error_at=last_error_at,
        sessions=status.sessions,
        waiting=counts.get("pending", 0),
        in_flight=counts.get("in_flight", 0),
    )


# ----------------------------------------------------------------------------- Online


def _require_online(ctx: AppContext) -> None:
    if ctx.edition is not QuickBooksEdition.ONLINE or ctx.online_oauth is None:
        raise setup.SetupRefused("this company keeps its books in QuickBooks Desktop, not Online")


def _online_status(session: Session, company_id: int) -> dict[str, Any]:
    stored = Companies(session).setting(company_id, _ONLINE_STATUS)
    return dict(stored) if isinstance(stored, dict) else {}


def _save_online_status(ctx: AppContext, session: Session, **changes: Any) -> None:
    status = _online_status(session, ctx.company_id)
    status.update(changes)
    Companies(session).set_setting(ctx.company_id, _ONLINE_STATUS, status, now=ctx.now())


def online_health(ctx: AppContext, actor: Actor) -> OnlineHealth:
    """The QuickBooks Online connection as stored, with what QuickBooks last answered."""
    require(ctx, actor, Action.VIEW_JOBS)
    _require_online(ctx)
    with ctx.sessions.begin() as session:
        realm = Companies(session).get(ctx.company_id).qb_realm_id or None
        row = None
        if realm is not None:
            row = session.scalars(
                sa.select(Connection).where(
                    Connection.company_id == ctx.company_id,
                    Connection.provider == QUICKBOOKS_ONLINE,
                    Connection.subject == realm_subject(realm),
                )
            ).one_or_none()
        connected_at = session.scalar(
            sa.select(sa.func.max(AuditEntry.at)).where(
                AuditEntry.company_id == ctx.company_id,
                AuditEntry.action == "quickbooks_connected",
            )
        )
        status = _online_status(session, ctx.company_id)
        waiting, in_flight = _waiting(session, ctx.company_id)
    connected = row is not None and row.refresh_token_enc is not None
    last_refresh = None
    if row is not None and connected_at is not None and row.updated_at > connected_at:
        last_refresh = row.updated_at
    return OnlineHealth(
        realm_id=realm,
        connected=connected,
        connected_at=connected_at,
        access_expires_at=row.access_expires_at if connected and row is not None else None,
        refresh_expires_at=row.refresh_expires_at if connected and row is not None else None,
        tokens_stored_at=row.updated_at if connected and row is not None else None,
        last_refresh_at=last_refresh if connected else None,
        last_error=_text(status.get("last_error")),
        last_error_at=_when(status.get("last_error_at")),
        last_ok_at=_when(status.get("last_ok_at")),
        company_name=_text(status.get("company_name")),
        waiting=waiting,
        in_flight=in_flight,
    )


def note_online_run(ctx: AppContext, run: DriverRun) -> None:
    """Keep what one drain of the Online driver met: the last error QuickBooks (or its OAuth
    server) answered with that made commands wait, and when QuickBooks last answered."""
    errors = [r.error.message for r in run.results if r.error is not None and r.error.retriable]
    answered = run.done + run.failed > 0
    if not errors and not answered:
        return
    now = ctx.now().isoformat()
    changes: dict[str, Any] = {}
    if errors:
        changes.update(last_error=_text(errors[-1]), last_error_at=now)
    if answered:
        changes["last_ok_at"] = now
    with ctx.sessions.begin() as session:
        _save_online_status(ctx, session, **changes)


def check_online(ctx: AppContext, actor: Actor) -> CheckResult:
    """One cheap call to QuickBooks Online now (the company's name), refreshing the access
    token first when it is due; keeps the outcome."""
    require(ctx, actor, Action.CONFIGURE)
    _require_online(ctx)
    if ctx.online is None:
        raise NotConnected("QuickBooks Online is not set up for this company")
    if not online_health(ctx, actor).connected:
        return CheckResult(
            False, "QuickBooks Online is not connected: press Connect to QuickBooks first."
        )
    now = ctx.now().isoformat()
    try:
        name = ctx.online().company_name()
    except NotConnected as exc:
        return CheckResult(False, str(exc))
    except QboError as exc:
        message = _text(f"QuickBooks Online answered: {exc}") or "QuickBooks Online failed"
        with ctx.sessions.begin() as session:
            _save_online_status(ctx, session, last_error=message, last_error_at=now)
        return CheckResult(False, message)
    with ctx.sessions.begin() as session:
        _save_online_status(ctx, session, last_ok_at=now, company_name=_text(name))
    return CheckResult(True, f"QuickBooks Online is connected to {name or 'the company'}.")


def begin_quickbooks_connect(ctx: AppContext, actor: Actor) -> ConsentStart:
    """Intuit's consent page for ``actor`` (an ERP Integrations admin), with its ``state``."""
    _require_online(ctx)
    url = setup.begin_online_connect(ctx, actor)
    state = parse_qs(urlsplit(url).query).get("state", [""])[0]
    if not state:
        raise NotConnected("QuickBooks Online's consent address carries no state")
    return ConsentStart(url, state)


def finish_quickbooks_connect(ctx: AppContext, actor: Actor, callback: Mapping[str, str]) -> str:
    """Intuit sent ``actor`` back (``code``, ``state``, ``realmId``, or ``error``): check the
    state against the consent that was started, exchange the code, keep the tokens. Returns
    the realm id; :class:`ConnectDeclined` when QuickBooks answered with an error."""
    _require_online(ctx)
    error = callback.get("error")
    if error:
        with contextlib.suppress(AppError):
            # Ends the consent that was started (a state is used once); it cannot succeed.
            setup.finish_online_connect(ctx, callback, actor)
        said = _text(f"{error} {callback.get('error_description', '')}".strip()) or "an error"
        raise ConnectDeclined(
            f"QuickBooks did not connect ({said}); nothing was changed. Connect again from "
            "Settings when ready."
        )
    realm = setup.finish_online_connect(ctx, callback, actor)
    with ctx.sessions.begin() as session:
        _save_online_status(ctx, session, last_error=None, last_error_at=None)
    return realm


def disconnect_online(ctx: AppContext, actor: Actor) -> str:
    """Revoke the refresh token at Intuit and forget the tokens; the realm stays (connecting
    again must connect the same QuickBooks company). Returns the realm id."""
    require(ctx, actor, Action.CONFIGURE)
    _require_online(ctx)
    if ctx.online_oauth is None or ctx.online_tokens is None:
        raise NotConnected("QuickBooks Online is not set up for this company")
    realm = setup.online_realm(ctx)
    tokens = ctx.online_tokens()
    if realm is None or tokens.load(realm_subject(realm)) is None:
        raise Conflict("QuickBooks Online is not connected: there is nothing to disconnect")
    try:
        TokenManager(ctx.online_oauth(), tokens, realm_id=realm, clock=ctx.clock).disconnect()
    except QboError as exc:
        raise UpstreamError(
            f"Intuit did not revoke the connection ({exc}); it is still connected: try again"
        ) from exc
    with ctx.sessions.begin() as session:
        _save_online_status(ctx, session, last_error=None, last_error_at=None, company_name=None)
        _audit(ctx, session, "quickbooks_disconnected", actor, {"realm_id": realm})
    return realm
