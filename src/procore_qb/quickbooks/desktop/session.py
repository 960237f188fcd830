"""The Web Connector session state machine: the eight QBWC methods over the persistent queue.

The QuickBooks Web Connector polls; per update it calls ``serverVersion`` → ``clientVersion``
→ ``authenticate`` → (``sendRequestXML`` → ``receiveResponseXML``)* → ``closeConnection``, or
``connectionError`` when it cannot reach QuickBooks (spec quickbooks-api.md §B.10). Every call
runs in one database transaction; sessions, the commands each ticket holds, iterator state and
received pages are rows (:mod:`procore_qb.store.models.qbwc`), so a restart of procore-qb in the
middle of a session loses nothing.

Rules:

* ``authenticate`` answers ``nvu`` for a bad user or password, ``none`` when no command is
  pending, otherwise a fresh ticket and the company file. A new session replaces any open one
  of the same company: what that one had handed out is returned to the queue marked
  ``needs_lookup`` (its outcome is unknown).
* ``sendRequestXML`` first continues open iterators, then hands out pending commands, all
  parts of a command in the same message, at most ``max_requests`` requests per
  ``QBXMLMsgsRq`` with ``onError="continueOnError"``. A command whose message was sent but
  whose answer never came (the Web Connector asks again without posting a response) goes
  back to the queue marked ``needs_lookup`` and is re-issued after a look-up.
* ``receiveResponseXML`` applies each response by ``requestID``; a finished command is
  completed through the outbox (and the optional result handler) in the same transaction.
  It returns the percentage done (100 when nothing is left), or -1 on a transport error
  (``hresult``) or an unreadable response, with the message kept for ``getLastError``.
* Tickets expire after ``ticket_ttl`` without a call; unknown or expired tickets end the
  session (``""`` from sendRequestXML, 100 from receiveResponseXML) instead of faulting, since
  a SOAP fault makes the Web Connector retry forever (qbwc-kit README, spec §B.12).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from procore_qb import __version__
from procore_qb.domain.commands import (
    Command,
    CommandError,
    CommandResult,
    result_from_json,
    result_to_json,
)
from procore_qb.quickbooks.desktop.errors import DesktopError, QbxmlError
from procore_qb.quickbooks.desktop.gateway import (
    DEFAULT_PAGE_SIZE,
    DesktopGateway,
    Part,
    parse_request_id,
    request_id,
)
from procore_qb.quickbooks.desktop.passwords import hash_password, verify_password
from procore_qb.quickbooks.desktop.qbxml.message import (
    DEFAULT_QBXML_VERSION,
    OutgoingRequest,
    build_message,
    parse_response_message,
)
from procore_qb.store.models import (
    QbCommand,
    QbdCommandProgress,
    QbdResultPage,
    QbwcConnectionError,
    QbwcSession,
)
from procore_qb.store.repositories.outbox import Outbox

__all__ = [
    "ResultHandler",
    "WebConnectorAccount",
    "WebConnectorOptions",
    "WebConnectorService",
    "WebConnectorStatus",
    "web_connector_status",
]

log = logging.getLogger(__name__)

ResultHandler = Callable[[Session, QbCommand, CommandResult], None]
"""Called in the same transaction after a command's result is stored in the outbox."""

MIN_CLIENT_VERSION = (2, 1)
"""Web Connector versions below 2.1 get a warning (QBWC 2.x is the supported line)."""


@dataclass(frozen=True, slots=True)
class WebConnectorAccount:
    """The login the Web Connector sends (``UserName`` of the ``.qwc`` and the password
    typed into QBWC, as a :func:`~procore_qb.quickbooks.desktop.passwords.hash_password`
    hash), the company it serves, and the company file to open (``""``: the one open)."""

    username: str
    password_hash: str = field(repr=False)  # never in logs: it can be cracked offline
    company_id: int
    company_file: str = ""


@dataclass(frozen=True, slots=True)
class WebConnectorOptions:
    max_requests: int = 100
    page_size: int = DEFAULT_PAGE_SIZE
    ticket_ttl: timedelta = field(default_factory=lambda: timedelta(minutes=30))
    qbxml_version: str = DEFAULT_QBXML_VERSION
    server_version: str = __version__

    def __post_init__(self) -> None:
        if self.max_requests < 1:
            raise ValueError("max_requests (requests per qbXML message) must be at least 1")


@dataclass(frozen=True, slots=True)
class WebConnectorStatus:
    """What the settings page shows about the Web Connector of one company."""

    last_session_at: datetime | None
    last_session_state: str | None
    last_error: str | None
    connection_errors: tuple[tuple[datetime, str, str], ...]
    pending: int
    in_flight: int


def web_connector_status(db: Session, company_id: int, *, errors: int = 10) -> WebConnectorStatus:
    last = db.scalars(
        sa.select(QbwcSession)
        .where(QbwcSession.company_id == company_id)
        .order_by(QbwcSession.created_at.desc())
        .limit(1)
    ).one_or_none()
    recent = db.scalars(
        sa.select(QbwcConnectionError)
        .where(QbwcConnectionError.company_id == company_id)
        .order_by(QbwcConnectionError.id.desc())
        .limit(errors)
    )
    counts = Outbox(db).counts(company_id)
    return WebConnectorStatus(
        last_session_at=None if last is None else last.last_seen_at,
        last_session_state=None if last is None else last.state,
        last_error=None if last is None else last.last_error,
        connection_errors=tuple((e.created_at, e.hresult, e.message) for e in recent),
        pending=counts.get("pending", 0),
        in_flight=counts.get("in_flight", 0),
    )


def _version_tuple(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for piece in text.split("."):
        if not piece.isdecimal():
            break
        out.append(int(piece))
    return tuple(out)


class WebConnectorService:
    """The eight Web Connector methods. ``accounts`` maps a user name to its account;
    ``clock`` gives the current aware UTC time; ``on_result`` sees every finished command."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        accounts: Mapping[str, WebConnectorAccount],
        *,
        clock: Callable[[], datetime],
        options: WebConnectorOptions | None = None,
        on_result: ResultHandler | None = None,
    ) -> None:
        self._sessions = session_factory
        self._accounts = accounts
        self._clock = clock
        self.options = options or WebConnectorOptions()
        self._gateway = DesktopGateway(page_size=self.options.page_size)
        self._on_result = on_result
        self._unknown_user_hash = hash_password(str(uuid.uuid4()))

    # ------------------------------------------------------------------ handshake

    def server_version(self) -> str:
        return self.options.server_version

    def client_version(self, version: str) -> str:
        """``""`` to go on, ``"W:..."`` to warn (the user may continue)."""
        parsed = _version_tuple(version or "")
        if parsed and parsed[:2] < MIN_CLIENT_VERSION:
            return (
                f"W:QuickBooks Web Connector {version} is older than procore-qb supports "
                f"({'.'.join(map(str, MIN_CLIENT_VERSION))} or newer). Please upgrade it."
            )
        return ""

    def authenticate(self, username: str, password: str) -> list[str]:
        account = self._accounts.get(username or "")
        throwaway = str(uuid.uuid4())
        # An unknown user name costs the same scrypt work as a known one, so response times
        # do not tell which user names exist.
        stored_hash = account.password_hash if account is not None else self._unknown_user_hash
        if not verify_password(password or "", stored_hash) or account is None:
            log.info("Web Connector login refused for user %r", username)
            return [throwaway, "nvu"]
        now = self._clock()
        with self._sessions.begin() as db:
            self._replace_open_sessions(db, account.company_id, now)
            if not Outbox(db).pending(account.company_id, limit=1):
                return [throwaway, "none"]
            ticket = str(uuid.uuid4())
            db.add(
                QbwcSession(
                    ticket=ticket,
                    company_id=account.company_id,
                    username=account.username,
                    state="open",
                    company_file=account.company_file,
                    completed=0,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + self.options.ticket_ttl,
                )
            )
        return [ticket, account.company_file]

    # ------------------------------------------------------------------ exchange

    def send_request_xml(
        self,
        ticket: str,
        hcp_response: str = "",
        company_file: str = "",
        country: str = "",
        major: int = 0,
        minor: int = 0,
    ) -> str:
        now = self._clock()
        with self._sessions.begin() as db:
            session = self._live(db, ticket, now)
            if session is None:
                return ""
            session.qbxml_version = self._version_for(country, major, minor)
            outbox = Outbox(db)
            self._requeue_unanswered(db, outbox, ticket)
            requests: list[OutgoingRequest] = []
            for progress, row in self._progress_rows(db, ticket):
                command = outbox.command(row)
                parts = self._gateway.parts(command, needs_lookup=progress.lookup)
                requests.extend(self._continue(row, progress, parts))
            limit = self.options.max_requests
            while len(requests) < limit:
                batch = outbox.pending(session.company_id, limit=limit)
                if not batch:
                    break
                added = False
                for row in batch:
                    # A command too big for a message still goes alone in an empty one.
                    room = limit - len(requests) if requests else len(requests) + 10_000
                    new = self._hand_out(db, outbox, row, ticket, now, room=room)
                    if new is None:
                        continue
                    if not new:
                        break
                    requests.extend(new)
                    added = True
                if not added:
                    break
            if not requests:
                return ""
            return build_message(requests, version=session.qbxml_version)

    def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        now = self._clock()
        with self._sessions.begin() as db:
            session = self._live(db, ticket, now)
            if session is None:
                return 100
            outbox = Outbox(db)
            if hresult or not (response or "").strip():
                text = (
                    f"QuickBooks could not run the request ({hresult or 'no response'}): {message}"
                )
                session.last_error = text.strip()
                db.add(
                    QbwcConnectionError(
                        company_id=session.company_id,
                        ticket=ticket,
                        hresult=hresult or "",
                        message=message or "",
                        created_at=now,
                    )
                )
                self._release(db, outbox, ticket)
                return -1
            try:
                parsed = parse_response_message(response)
            except QbxmlError as exc:
                session.last_error = f"procore-qb could not read QuickBooks' response: {exc}"
                self._release(db, outbox, ticket)
                return -1
            progress_by_key = {
                row.idempotency_key: (progress, row)
                for progress, row in self._progress_rows(db, ticket)
            }
            for rs in parsed.responses:
                ids = parse_request_id(rs.request_id or "")
                if ids is None or ids[0] not in progress_by_key:
                    log.warning("ignoring a QuickBooks response with requestID %r", rs.request_id)
                    continue
                key, part_no, page = ids
                progress, row = progress_by_key[key]
                parts_state = [dict(p) for p in progress.parts]
                if part_no >= len(parts_state) or not parts_state[part_no]["sent"]:
                    continue
                if parts_state[part_no]["page"] != page:
                    continue
                command = outbox.command(row)
                parts = self._gateway.parts(command, needs_lookup=progress.lookup)
                outcome = self._gateway.read_page(command, parts[part_no], rs)
                db.add(
                    QbdResultPage(
                        command_id=row.id,
                        part=part_no,
                        page=page,
                        result=result_to_json(outcome.partial),
                    )
                )
                state = parts_state[part_no]
                state["sent"] = False
                if outcome.more and outcome.partial.error is None:
                    state["page"] = page + 1
                    state["iterator_id"] = outcome.iterator_id
                else:
                    state["done"] = True
                progress.parts = parts_state
            db.flush()
            for progress, row in self._progress_rows(db, ticket):
                states = progress.parts
                if any(p["sent"] for p in states):
                    # Sent but unanswered: QuickBooks stopped before it (stopOnError, or a
                    # response cut short). Its outcome is unknown.
                    self._drop_progress(db, row.id)
                    outbox.outcome_unknown([row])
                elif all(p["done"] for p in states):
                    self._finish(db, outbox, session, progress, row, now)
            return self._percent(db, session)

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        """Record that the Web Connector could not reach QuickBooks; ``"done"`` ends this
        session and the next scheduled update tries again."""
        now = self._clock()
        with self._sessions.begin() as db:
            session = db.get(QbwcSession, ticket or "")
            if session is None:
                return "done"
            db.add(
                QbwcConnectionError(
                    company_id=session.company_id,
                    ticket=ticket,
                    hresult=hresult or "",
                    message=message or "",
                    created_at=now,
                )
            )
            session.last_error = f"QuickBooks connection error {hresult}: {message}".strip()
            self._release(db, Outbox(db), ticket)
            session.state = "closed"
            session.closed_at = now
        return "done"

    def get_last_error(self, ticket: str) -> str:
        with self._sessions.begin() as db:
            session = db.get(QbwcSession, ticket or "")
            if session is None:
                return "No open procore-qb session for this ticket; the next update starts one."
            return session.last_error or ""

    def close_connection(self, ticket: str) -> str:
        now = self._clock()
        with self._sessions.begin() as db:
            session = db.get(QbwcSession, ticket or "")
            if session is None:
                return "OK"
            if session.state == "open":
                self._release(db, Outbox(db), ticket)
                session.state = "closed"
                session.closed_at = now
            return f"OK: {session.completed} QuickBooks command(s) completed"

    # ------------------------------------------------------------------ internals

    def _version_for(self, country: str, major: int, minor: int) -> str:
        configured = self.options.qbxml_version
        wanted = _version_tuple(configured)
        if major and (major, minor) < wanted:
            prefix = country if country and country != "US" else ""
            return f"{prefix}{major}.{minor}"
        return configured

    def _live(self, db: Session, ticket: str, now: datetime) -> QbwcSession | None:
        session = db.get(QbwcSession, ticket or "")
        if session is None or session.state != "open":
            return None
        if session.expires_at <= now:
            session.state = "expired"
            session.closed_at = now
            self._release(db, Outbox(db), ticket)
            return None
        session.last_seen_at = now
        session.expires_at = now + self.options.ticket_ttl
        return session

    def _replace_open_sessions(self, db: Session, company_id: int, now: datetime) -> None:
        outbox = Outbox(db)
        stale = db.scalars(
            sa.select(QbwcSession).where(
                QbwcSession.company_id == company_id, QbwcSession.state == "open"
            )
        )
        for old in stale:
            old.state = "expired"
            old.closed_at = now
            self._release(db, outbox, old.ticket)
        # Commands handed to sessions that no longer exist (rows deleted, other drivers).
        orphans = [row for row in outbox.in_flight(company_id) if not self._has_open(db, row)]
        for row in orphans:
            self._drop_progress(db, row.id)
        outbox.outcome_unknown(orphans)

    @staticmethod
    def _has_open(db: Session, row: QbCommand) -> bool:
        if not row.handed_out_to:
            return False
        session = db.get(QbwcSession, row.handed_out_to)
        return session is not None and session.state == "open"

    def _progress_rows(
        self, db: Session, ticket: str
    ) -> list[tuple[QbdCommandProgress, QbCommand]]:
        rows = db.execute(
            sa.select(QbdCommandProgress, QbCommand)
            .join(QbCommand, QbCommand.id == QbdCommandProgress.command_id)
            .where(QbdCommandProgress.ticket == ticket, QbCommand.state == "in_flight")
            .order_by(QbCommand.id)
        )
        return [(progress, command) for progress, command in rows]

    @staticmethod
    def _drop_progress(db: Session, command_id: int) -> None:
        db.execute(sa.delete(QbdResultPage).where(QbdResultPage.command_id == command_id))
        db.execute(sa.delete(QbdCommandProgress).where(QbdCommandProgress.command_id == command_id))

    def _release(self, db: Session, outbox: Outbox, ticket: str) -> None:
        """Return everything ``ticket`` holds to the queue, outcome unknown."""
        held = [row for _, row in self._progress_rows(db, ticket)]
        for row in held:
            self._drop_progress(db, row.id)
        outbox.outcome_unknown(held)

    def _requeue_unanswered(self, db: Session, outbox: Outbox, ticket: str) -> None:
        """A part still marked sent means the last message's response never arrived."""
        lost = [row for progress, row in self._progress_rows(db, ticket) if _any_sent(progress)]
        for row in lost:
            self._drop_progress(db, row.id)
        outbox.outcome_unknown(lost)
        db.flush()

    def _continue(
        self, row: QbCommand, progress: QbdCommandProgress, parts: tuple[Part, ...]
    ) -> list[OutgoingRequest]:
        out: list[OutgoingRequest] = []
        states = [dict(p) for p in progress.parts]
        for index, state in enumerate(states):
            if state["done"] or state["sent"] or index >= len(parts):
                continue
            out.append(
                OutgoingRequest(
                    request_id(row.idempotency_key, index, state["page"]),
                    parts[index].request,
                    iterator="Continue",
                    iterator_id=state["iterator_id"],
                )
            )
            state["sent"] = True
        progress.parts = states
        return out

    def _hand_out(
        self,
        db: Session,
        outbox: Outbox,
        row: QbCommand,
        ticket: str,
        now: datetime,
        *,
        room: int,
    ) -> list[OutgoingRequest] | None:
        """The requests of ``row``, handed out to ``ticket``; ``[]`` when they do not fit in
        ``room``; None when the command cannot be expressed in qbXML (it is failed)."""
        try:
            command: Command = outbox.command(row)
            parts = self._gateway.parts(command, needs_lookup=row.needs_lookup)
            requests = [
                OutgoingRequest(
                    request_id(row.idempotency_key, index, 0),
                    part.request,
                    iterator="Start" if part.iterates else None,
                )
                for index, part in enumerate(parts)
            ]
            build_message(requests)  # every rule checked now, not in the middle of a batch
        except (DesktopError, ValueError) as exc:
            outbox.hand_out([row], to=ticket, now=now)
            outbox.complete(
                CommandResult(
                    idempotency_key=row.idempotency_key,
                    error=CommandError(code="invalid", message=str(exc)),
                ),
                now=now,
            )
            return None
        if len(requests) > room:
            return []
        outbox.hand_out([row], to=ticket, now=now)
        db.add(
            QbdCommandProgress(
                command_id=row.id,
                ticket=ticket,
                lookup=row.needs_lookup,
                parts=[
                    {"page": 0, "iterator_id": None, "sent": True, "done": False} for _ in parts
                ],
                as_of=now,
            )
        )
        db.flush()
        return requests

    def _finish(
        self,
        db: Session,
        outbox: Outbox,
        session: QbwcSession,
        progress: QbdCommandProgress,
        row: QbCommand,
        now: datetime,
    ) -> None:
        command = outbox.command(row)
        parts = self._gateway.parts(command, needs_lookup=progress.lookup)
        pages = db.scalars(
            sa.select(QbdResultPage)
            .where(QbdResultPage.command_id == row.id)
            .order_by(QbdResultPage.part, QbdResultPage.page)
        )
        partials: list[list[CommandResult]] = [[] for _ in parts]
        for page in pages:
            partials[page.part].append(result_from_json(page.result))
        result = self._gateway.combine(command, parts, partials, as_of=progress.as_of)
        self._drop_progress(db, row.id)
        stored = outbox.complete(result, now=now)
        session.completed += 1
        if self._on_result is not None:
            self._on_result(db, stored, result)

    def _percent(self, db: Session, session: QbwcSession) -> int:
        counts = Outbox(db).counts(session.company_id)
        remaining = counts.get("pending", 0) + len(self._progress_rows(db, session.ticket))
        if remaining == 0:
            return 100
        done = session.completed
        return max(0, min(99, done * 100 // (done + remaining)))


def _any_sent(progress: QbdCommandProgress) -> bool:
    parts: list[dict[str, Any]] = progress.parts
    return any(p["sent"] for p in parts)
