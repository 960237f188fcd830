"""Company setup: connect Procore, build the "QuickBooks Standard Cost Codes" list, connect
QuickBooks Online, and what the Web Connector last reported.

* **Connect Procore.** The company's service account must hold 'Admin' on ERP Integrations and
  'Admin' on the company Directory (spec procore-workflow §4: the whole procedure needs both);
  :func:`connect_procore` reads its permission manifest and refuses, naming what is missing.
  The first connect also asks for the QuickBooks job list.
* **Cost code list.** On first connect (and on demand) a ``QueryItems`` command goes to
  QuickBooks through the outbox; its answer comes back through :mod:`procore_qb.app.results`,
  which enqueues :data:`COST_CODE_LIST_TASK`. That task finds or creates the company's
  "QuickBooks Standard Cost Codes" list in Procore and writes the service items into it as
  standard cost codes (code = item name, description = item description, ``origin_id`` = item
  id), then keeps the list's id in the company setting ``quickbooks_cost_code_list_id``. It
  also makes sure the company has the "Other" cost type QuickBooks-synced projects use
  (``line_item_types/sync``; :mod:`procore_qb.domain.cost_types`).
* **QuickBooks Online.** :func:`begin_online_connect` gives Intuit's consent URL with a fresh
  ``state`` (kept for ten minutes, used once); :func:`finish_online_connect` checks the state,
  exchanges the code, stores the tokens (encrypted) and the realm id on the company.
* **QuickBooks Desktop.** The Web Connector's user and password come from the settings; the
  company file is pinned on first contact (:mod:`procore_qb.quickbooks.desktop.session`).
  :func:`webconnector_status` says when the Web Connector last called, with which file open,
  and which file is pinned; :func:`forget_company_file` unpins it after a real move.
"""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app.actors import Actor, require
from procore_qb.app.audit import record
from procore_qb.app.company import load_settings, save_settings
from procore_qb.app.context import AppContext
from procore_qb.app.errors import AppError, Conflict, NotConnected, UpstreamError
from procore_qb.app.refresh import OVERLAP, record_refresh
from procore_qb.domain.commands import CommandResult, ItemRecord, QueryItems
from procore_qb.domain.cost_code_items import compile_item_name_pattern, split_item_name
from procore_qb.domain.permissions import AccessLevel, Action
from procore_qb.domain.quickbooks_job import QuickBooksEdition
from procore_qb.procore.errors import ProcoreError
from procore_qb.procore.gateway import CostCodeList, NewCostCode
from procore_qb.quickbooks.online.errors import QboError
from procore_qb.quickbooks.online.oauth import OAuthClient as QboOAuthClient
from procore_qb.quickbooks.online.oauth import TokenManager, new_state
from procore_qb.quickbooks.online.oauth import TokenStore as QboTokenStore
from procore_qb.store.models import QbCommand, QbwcSession
from procore_qb.store.repositories.companies import Companies
from procore_qb.store.repositories.outbox import Outbox
from procore_qb.store.repositories.qbwc import PINNED_COMPANY_FILE

__all__ = [
    "CONSENT_TTL",
    "COST_CODE_LIST_NAME",
    "COST_CODE_LIST_SUBJECT",
    "COST_CODE_LIST_TASK",
    "CostCodeListResult",
    "ProcoreConnection",
    "SetupRefused",
    "WebConnectorStatus",
    "apply_items_result",
    "begin_online_connect",
    "connect_procore",
    "finish_online_connect",
    "forget_company_file",
    "online_realm",
    "record_cost_code_list",
    "request_cost_code_list",
    "webconnector_status",
    "write_cost_code_list",
]

log = logging.getLogger(__name__)

COST_CODE_LIST_NAME = "QuickBooks Standard Cost Codes"
COST_CODE_LIST_SUBJECT = "cost_code_list"
COST_CODE_LIST_TASK = "procore-cost-code-list"
CONSENT_TTL = timedelta(minutes=10)
"""How long a QuickBooks Online consent started with :func:`begin_online_connect` stays open."""

_PROCORE_CONNECTED = "procore_connected_at"
_LIST_ERROR = "cost_code_list_error"
_LIST_BUILT = "cost_code_list_built_at"
_ITEMS_AS_OF = "cost_code_items_as_of"
"""QuickBooks' time of the last item list written into Procore: an incremental read asks for
the items changed since (less :data:`~procore_qb.app.refresh.OVERLAP`)."""
_QBO_CONSENT = "qbo_consent"
# Spec procore-workflow §2.5 and §1: the list is built from QuickBooks *Service* items.
_COST_CODE_ITEM_TYPES = frozenset({"service"})
# Procore's standard cost code ``code`` and ``name`` lengths (spec procore-api §2.4).
_CODE_MAX, _NAME_MAX = 255, 255


class SetupRefused(AppError):
    """Setup cannot go on until something is changed outside procore-qb (the message says
    what)."""


@dataclass(frozen=True, slots=True)
class ProcoreConnection:
    procore_company_id: int
    erp_integrations: str
    directory: str
    cost_code_list_requested: str | None
    """The ``QueryItems`` command recorded for the cost code list, if this connect asked."""


@dataclass(frozen=True, slots=True)
class CostCodeListResult:
    list_id: int
    list_name: str
    created: bool
    written: int
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WebConnectorStatus:
    last_contact_at: datetime | None
    company_file: str
    """The company file the last session had open."""
    last_error: str | None
    sessions: int
    pinned_company_file: str | None = None
    """The company file the company works with (the one open on first contact)."""


def _audit(
    ctx: AppContext, session: Session, action: str, actor: Actor | None, detail: dict[str, Any]
) -> None:
    record(
        session,
        ctx,
        actor,
        action,
        subject_type="company",
        subject_id=ctx.procore_company_id,
        detail=detail,
    )


# ----------------------------------------------------------------------------- Procore


def _missing(level: str, tool: str) -> str | None:
    try:
        parsed = AccessLevel.from_code(level)
    except ValueError:
        parsed = AccessLevel.NONE
    if parsed >= AccessLevel.ADMIN:
        return None
    return f"'Admin' on {tool} (it has '{parsed.label}')"


def connect_procore(
    ctx: AppContext, actor: Actor | None = None, *, build_cost_codes: bool | None = None
) -> ProcoreConnection:
    """Check the service account's permission manifest; on the first connect (or when
    ``build_cost_codes`` is True) ask QuickBooks for the items of the cost code list.

    Raises :class:`SetupRefused` naming each missing permission, :class:`NotConnected` when
    Procore cannot be reached or refuses the service account."""
    if actor is not None:
        require(ctx, actor, Action.CONFIGURE)
    try:
        found = ctx.procore().tool_permissions()
    except ProcoreError as exc:
        raise NotConnected(
            f"procore-qb could not sign in to Procore as the service account ({exc}); check "
            "PROCORE_QB_PROCORE__CLIENT_ID and PROCORE_QB_PROCORE__CLIENT_SECRET"
        ) from exc
    missing = [
        m
        for m in (
            _missing(found.erp_integrations, "ERP Integrations"),
            _missing(found.directory, "the company Directory"),
        )
        if m
    ]
    if missing:
        raise SetupRefused(
            "the Procore service account needs " + " and ".join(missing) + "; give it these "
            "levels in Procore's company Directory (Edit user → Permissions), then connect again"
        )
    with ctx.sessions.begin() as session:
        companies = Companies(session)
        first = companies.setting(ctx.company_id, _PROCORE_CONNECTED) is None
        companies.set_setting(
            ctx.company_id, _PROCORE_CONNECTED, ctx.now().isoformat(), now=ctx.now()
        )
        _audit(
            ctx,
            session,
            "procore_connected",
            actor,
            {"erp_integrations": found.erp_integrations, "directory": found.directory},
        )
        build = first if build_cost_codes is None else build_cost_codes
        key = record_cost_code_list(ctx, session, reason="connect") if build else None
        if first:
            # The QuickBooks customers and jobs, for the accept step and Ready to Import.
            record_refresh(ctx, session, reason="connect")
    return ProcoreConnection(ctx.procore_company_id, found.erp_integrations, found.directory, key)


# ----------------------------------------------------------------------------- cost code list


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def record_cost_code_list(
    ctx: AppContext, session: Session, *, reason: str, incremental: bool = False
) -> str:
    """Record the ``QueryItems`` command of a cost code list build in the caller's
    transaction; returns its key. ``incremental``: only the items QuickBooks changed since the
    last list written (modified dates on Desktop, change data capture on Online), when there
    was one."""
    key = f"cc{uuid.uuid4().hex[:24]}"
    last = _parse_time(Companies(session).setting(ctx.company_id, _ITEMS_AS_OF))
    since = last - OVERLAP if incremental and last is not None else None
    Outbox(session).record(
        ctx.company_id,
        QueryItems(idempotency_key=key, modified_since=since),
        now=ctx.now(),
        subject_type=COST_CODE_LIST_SUBJECT,
    )
    if ctx.edition is QuickBooksEdition.ONLINE:
        from procore_qb.app.export import QBO_DRAIN_TASK

        ctx.queue.enqueue(session, QBO_DRAIN_TASK, {"company_id": ctx.company_id}, lock=ctx.lock)
    _audit(
        ctx,
        session,
        "cost_code_list_requested",
        None,
        {"reason": reason, "command": key, "since": since.isoformat() if since else None},
    )
    return key


def request_cost_code_list(ctx: AppContext, actor: Actor | None = None) -> str:
    """Build (or bring up to date) the cost code list from QuickBooks' items now."""
    if actor is not None:
        require(ctx, actor, Action.CONFIGURE)
    with ctx.sessions.begin() as session:
        return record_cost_code_list(ctx, session, reason=actor.label if actor else "setup")


def apply_items_result(
    ctx: AppContext, session: Session, row: QbCommand, result: CommandResult
) -> None:
    """The answer to a cost code list's ``QueryItems``: keep QuickBooks' error, or enqueue the
    Procore write (it runs outside this transaction, on the company's lock)."""
    companies = Companies(session)
    if result.error is not None:
        message = f"{result.error.message} (QuickBooks error {result.error.code})"
        companies.set_setting(ctx.company_id, _LIST_ERROR, message, now=ctx.now())
        _audit(
            ctx,
            session,
            "cost_code_list_failed",
            None,
            {"command": row.idempotency_key, "error": message},
        )
        return
    ctx.queue.enqueue(session, COST_CODE_LIST_TASK, {"command": row.idempotency_key}, lock=ctx.lock)


def _cost_codes(items: tuple[ItemRecord, ...], pattern: str) -> list[NewCostCode]:
    """The standard cost codes of QuickBooks' active service items: code and description from
    the item's name as the company's ``item_name_pattern`` splits it, else the full name and
    the item's description (spec procore-workflow §1.4: Code = Item Name, Description = the
    purchase/sales description)."""
    compiled = compile_item_name_pattern(pattern)
    codes: list[NewCostCode] = []
    for item in items:
        if not item.active or item.item_type.casefold() not in _COST_CODE_ITEM_TYPES:
            continue
        split = split_item_name(compiled, item.full_name or item.name, item.description)
        code = split.code[:_CODE_MAX]
        name = split.description[:_NAME_MAX]
        codes.append(
            NewCostCode(code=code, name=name, origin_id=item.id, origin_data=item.version or None)
        )
    return codes


def _find_list(lists: list[CostCodeList], stored_id: int | None) -> CostCodeList | None:
    if stored_id is not None:
        for found in lists:
            if found.id == stored_id:
                return found
    for found in lists:
        if found.name.strip().casefold() == COST_CODE_LIST_NAME.casefold():
            return found
    return None


def write_cost_code_list(ctx: AppContext, command_key: str) -> CostCodeListResult:
    """Write the items of answered command ``command_key`` into the company's QuickBooks list
    in Procore (found by the stored id, else by name, else created). Idempotent: codes are
    matched by ``origin_id`` (the item id), and a code already on the list without one is
    taken over instead of duplicated; the 'Other' cost type is found before it is made."""
    with ctx.sessions.begin() as session:
        row = Outbox(session).get(ctx.company_id, command_key)
        result = Outbox.result(row)
        settings = load_settings(session, ctx.company_id)
        stored_id = settings.quickbooks_cost_code_list_id
    if result is None or result.error is not None:
        raise Conflict(f"command {command_key} has no answer with items to write")
    codes = _cost_codes(result.items, settings.item_name_pattern)
    try:
        gateway = ctx.procore()
        found = _find_list(gateway.cost_code_lists(), stored_id)
        created = found is None
        target = found or gateway.create_cost_code_list(COST_CODE_LIST_NAME)
        existing = {c.code: c.id for c in gateway.standard_cost_codes(target.id) if not c.origin_id}
        synced = gateway.write_standard_cost_codes(target.id, codes, existing=existing)
        # QuickBooks has no cost types: its costs all go on 'Other' (procore-workflow §1.4).
        other = gateway.ensure_other_cost_type()
    except ProcoreError as exc:
        raise UpstreamError(f"Procore refused the cost code list: {exc}") from exc
    errors = tuple(f"{e.item.get('code')}: {e.message}" for e in synced.errors)
    with ctx.sessions.begin() as session:
        save_settings(
            session, ctx.company_id, {"quickbooks_cost_code_list_id": target.id}, now=ctx.now()
        )
        companies = Companies(session)
        companies.set_setting(ctx.company_id, _LIST_BUILT, ctx.now().isoformat(), now=ctx.now())
        if result.as_of is not None:
            companies.set_setting(
                ctx.company_id, _ITEMS_AS_OF, result.as_of.isoformat(), now=ctx.now()
            )
        companies.set_setting(ctx.company_id, _LIST_ERROR, "; ".join(errors) or None, now=ctx.now())
        _audit(
            ctx,
            session,
            "cost_code_list_written",
            None,
            {
                "list_id": target.id,
                "created": created,
                "codes": len(codes),
                "errors": list(errors),
                "cost_type_id": other.id,
                "cost_type_created": other.created,
            },
        )
    return CostCodeListResult(target.id, target.name, created, len(codes) - len(errors), errors)


# ----------------------------------------------------------------------------- QuickBooks Online


def _online(ctx: AppContext) -> tuple[Callable[[], QboOAuthClient], Callable[[], QboTokenStore]]:
    if (
        ctx.edition is not QuickBooksEdition.ONLINE
        or ctx.online_oauth is None
        or ctx.online_tokens is None
    ):
        raise SetupRefused("this company keeps its books in QuickBooks Desktop, not Online")
    return ctx.online_oauth, ctx.online_tokens


def online_realm(ctx: AppContext) -> str | None:
    """The QuickBooks Online company (realm) this installation is connected to, if any."""
    with ctx.sessions.begin() as session:
        return Companies(session).get(ctx.company_id).qb_realm_id or None


def begin_online_connect(ctx: AppContext, actor: Actor | None = None) -> str:
    """Intuit's consent URL; the ``state`` in it is kept for :data:`CONSENT_TTL`."""
    if actor is not None:
        require(ctx, actor, Action.CONFIGURE)
    oauth, _ = _online(ctx)
    state = new_state()
    try:
        url = oauth().authorization_url(state)
    except QboError as exc:
        raise NotConnected(f"QuickBooks Online's sign-in could not be reached: {exc}") from exc
    with ctx.sessions.begin() as session:
        Companies(session).set_setting(
            ctx.company_id,
            _QBO_CONSENT,
            {"state": state, "expires_at": (ctx.now() + CONSENT_TTL).isoformat()},
            now=ctx.now(),
        )
    return url


def _take_consent(ctx: AppContext, state: str) -> None:
    """Check ``state`` against the consent that was started, and end that consent."""
    with ctx.sessions.begin() as session:
        companies = Companies(session)
        pending = companies.setting(ctx.company_id, _QBO_CONSENT)
        if pending is not None:
            companies.set_setting(ctx.company_id, _QBO_CONSENT, None, now=ctx.now())
    if not isinstance(pending, dict) or not isinstance(pending.get("state"), str):
        raise SetupRefused(
            "no QuickBooks Online connection was started (or it was already finished); "
            "start it again"
        )
    expires = datetime.fromisoformat(str(pending.get("expires_at")))
    if ctx.now() >= expires:
        raise SetupRefused("the QuickBooks Online consent took over 10 minutes; start it again")
    if not hmac.compare_digest(state.encode(), str(pending["state"]).encode()):
        raise SetupRefused(
            "the OAuth state does not match the connection that was started; start it again"
        )


def finish_online_connect(
    ctx: AppContext, callback: Mapping[str, str], actor: Actor | None = None
) -> str:
    """The redirect back from Intuit (``code``, ``state``, ``realmId``): check the state,
    exchange the code, keep the tokens and the realm id. Returns the realm id."""
    if actor is not None:
        require(ctx, actor, Action.CONFIGURE)
    oauth, tokens = _online(ctx)
    state = callback.get("state", "")
    _take_consent(ctx, state)
    try:
        connected = oauth().complete(callback, expected_state=state)
    except QboError as exc:
        raise NotConnected(f"QuickBooks Online refused the connection: {exc}") from exc
    with ctx.sessions.begin() as session:
        company = Companies(session).get(ctx.company_id)
        if company.qb_realm_id and company.qb_realm_id != connected.realm_id:
            raise Conflict(
                f"this installation keeps QuickBooks company {company.qb_realm_id}; connecting "
                f"{connected.realm_id} instead is not supported (sign in to the same company)"
            )
    TokenManager(oauth(), tokens(), realm_id=connected.realm_id, clock=ctx.clock).connect(connected)
    with ctx.sessions.begin() as session:
        Companies(session).get(ctx.company_id).qb_realm_id = connected.realm_id
        _audit(ctx, session, "quickbooks_connected", actor, {"realm_id": connected.realm_id})
        # Commands recorded before the connection (the first job list, the cost code list)
        # go out now.
        from procore_qb.app.export import QBO_DRAIN_TASK

        ctx.queue.enqueue(session, QBO_DRAIN_TASK, {"company_id": ctx.company_id}, lock=ctx.lock)
    return connected.realm_id


# ----------------------------------------------------------------------------- Desktop


def webconnector_status(ctx: AppContext) -> WebConnectorStatus:
    """When the Web Connector last called, with which company file open, its last error, and
    the company file procore-qb works with."""
    with ctx.sessions.begin() as session:
        pinned = Companies(session).setting(ctx.company_id, PINNED_COMPANY_FILE) or None
        last = session.scalars(
            sa.select(QbwcSession)
            .where(QbwcSession.company_id == ctx.company_id)
            .order_by(QbwcSession.last_seen_at.desc())
            .limit(1)
        ).first()
        count = session.scalar(
            sa.select(sa.func.count())
            .select_from(QbwcSession)
            .where(QbwcSession.company_id == ctx.company_id)
        )
        if last is None:
            return WebConnectorStatus(None, "", None, 0, pinned)
        return WebConnectorStatus(
            last.last_seen_at, last.company_file, last.last_error, count or 0, pinned
        )


def forget_company_file(ctx: AppContext, actor: Actor | None = None) -> str | None:
    """Unpin the company file (after the company file really moved): the next Web Connector
    session pins the file it has open. Returns the file that was pinned."""
    if actor is not None:
        require(ctx, actor, Action.CONFIGURE)
    with ctx.sessions.begin() as session:
        companies = Companies(session)
        pinned = companies.setting(ctx.company_id, PINNED_COMPANY_FILE) or None
        companies.set_setting(ctx.company_id, PINNED_COMPANY_FILE, None, now=ctx.now())
        _audit(ctx, session, "company_file_unpinned", actor, {"company_file": pinned})
    return pinned if isinstance(pinned, str) else None
