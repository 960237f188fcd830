"""The Web Connector session state machine: the eight QBWC methods over the persistent queue.

The QuickBooks Web Connector polls; per update it calls ``serverVersion`` → ``clientVersion``
→ ``authenticate`` → (``sendRequestXML`` → ``receiveResponseXML``)* → ``closeConnection``, or
``connectionError`` when it cannot reach QuickBooks (spec quickbooks-api.md §B.10). Every call
runs in one transaction of a :class:`~procore_qb.quickbooks.desktop.ports.WebConnectorStore`;
sessions, the commands each ticket holds, iterator state and received pages are kept there, so a
restart of procore-qb in the middle of a session loses nothing.

Rules:

* ``authenticate`` answers ``nvu`` for a bad user or password, ``none`` when no command is
  pending, otherwise a fresh ticket and the company file. A new session replaces any open one
  of the same company: what that one had handed out is returned to the queue marked
  ``needs_lookup`` (its outcome is unknown).
* The company file is pinned on first contact: the path the Web Connector reports open in
  ``sendRequestXML`` (``strCompanyFileName``) is kept for the company; a later session that
  reports another file gets no work (``""``, so the Web Connector shows ``getLastError``'s
  message naming both files) until the right file is open or the pairing is reset.
* ``sendRequestXML`` first continues open iterators, then hands out pending commands, all
  parts of a command in the same message, at most ``max_requests`` requests per
  ``QBXMLMsgsRq`` with ``onError="continueOnError"``. A command whose message was sent but
  whose answer never came (the Web Connector asks again without posting a response) goes
  back to the queue marked ``needs_lookup`` and is re-issued after a look-up: the look-up
  goes alone, and the write goes in a later message only when the look-up found nothing
  (:mod:`~procore_qb.quickbooks.desktop.gateway`).
* ``receiveResponseXML`` applies each response by ``requestID``; the pages of a job cost read
  are applied as they come (the store's ``apply_chunk``), with the read's progress; a
  finished command is
  completed through the store (which stores it in the outbox and applies it) in the same
  transaction.
  It returns the percentage done (100 when nothing is left), or -1 on a transport error
  (``hresult``) or an unreadable response, with the message kept for ``getLastError``.
* Tickets expire after ``ticket_ttl`` without a call; unknown or expired tickets end the
  session (``""`` from sendRequestXML, 100 from receiveResponseXML) instead of faulting, since
  a SOAP fault makes the Web Connector retry forever (qbwc-kit README, spec §B.12).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from procore_qb import __version__
from procore_qb.domain.commands import (
    Command,
    CommandError,
    CommandResult,
    QueryJobCosts,
    command_from_json,
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
from procore_qb.quickbooks.desktop.ports import (
    HeldCommand,
    QueuedCommand,
    TicketRecord,
    WebConnectorStore,
    WebConnectorTransaction,
)
from procore_qb.quickbooks.desktop.qbxml.message import (
    DEFAULT_QBXML_VERSION,
    OutgoingRequest,
    build_message,
    parse_response_message,
)

__all__ = [
    "MAX_TEXT_CHARS",
    "WebConnectorAccount",
    "WebConnectorOptions",
    "WebConnectorService",
    "WebConnectorStatus",
    "same_company_file",
]

log = logging.getLogger(__name__)

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


MAX_TEXT_CHARS = 2_000
"""Longest message or error text kept from the Web Connector (hresult, message): the rest is
cut, so a peer cannot grow the database with one call."""
MAX_HRESULT_CHARS = 64
_QBXML_COUNTRIES = frozenset({"CA", "UK", "AU"})
"""qbXML version prefixes besides the US one (spec quickbooks-api.md §B.9: "CA3.0", "UK2.0")."""


def _version_tuple(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for piece in text[:100].split(".")[:4]:
        if not (piece.isascii() and piece.isdecimal()) or len(piece) > 9:
            break
        out.append(int(piece))
    return tuple(out)


def _clip(text: str | None, limit: int = MAX_TEXT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    text = text or ""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters not kept)"


def _parts_state(held: HeldCommand) -> list[dict[str, Any]]:
    return [dict(p) for p in held.parts]


MAX_COMPANY_FILE = 1024
"""Longest company file path kept (Windows paths are at most 32,767 characters; ours are far
shorter)."""


def same_company_file(a: str, b: str) -> bool:
    """Windows paths: case-insensitive, either slash."""
    return a.replace("/", "\\").casefold() == b.replace("/", "\\").casefold()


class WebConnectorService:
    """The eight Web Connector methods over ``store``. ``accounts`` maps a user name to its
    account; ``clock`` gives the current aware UTC time. Finished commands are completed
    through the store, which applies their results."""

    def __init__(
        self,
        store: WebConnectorStore,
        accounts: Mapping[str, WebConnectorAccount],
        *,
        clock: Callable[[], datetime],
        options: WebConnectorOptions | None = None,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._clock = clock
        self.options = options or WebConnectorOptions()
        self._gateway = DesktopGateway(page_size=self.options.page_size)
        self._unknown_user_hash = hash_password(str(uuid.uuid4()))

    # ------------------------------------------------------------------ handshake

    def server_version(self) -> str:
        return self.options.server_version

    def client_version(self, version: str) -> str:
        """``""`` to go on, ``"W:..."`` to warn (the user may continue)."""
        parsed = _version_tuple(version or "")
        if parsed and parsed[:2] < MIN_CLIENT_VERSION:
            return (
                f"W:QuickBooks Web Connector {_clip(version, 40)} is older than procore-qb "
                f"supports ({'.'.join(map(str, MIN_CLIENT_VERSION))} or newer). Please upgrade it."
            )
        return ""

    def authenticate(self, username: str, password: str) -> list[str]:
        account = self._accounts.get(username or "")
        throwaway = str(uuid.uuid4())
        # An unknown user name costs the same scrypt work as a known one, so response times
        # do not tell which user names exist.
        stored_hash = account.password_hash if account is not None else self._unknown_user_hash
        if not verify_password(password or "", stored_hash) or account is None:
            log.info("Web Connector login refused for user %r", _clip(username, 80))
            return [throwaway, "nvu"]
        now = self._clock()
        with self._store.transaction() as tx:
            self._replace_open_sessions(tx, account.company_id, now)
            if not tx.has_pending(account.company_id):
                return [throwaway, "none"]
            ticket = str(uuid.uuid4())
            tx.open_session(
                ticket=ticket,
                company_id=account.company_id,
                username=account.username,
                company_file=account.company_file,
                now=now,
                expires_at=now + self.options.ticket_ttl,
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
        with self._store.transaction() as tx:
            session = self._live(tx, ticket, now)
            if session is None:
                return ""
            refused = self._check_company_file(tx, ticket, session.company_id, company_file, now)
            if refused:
                tx.set_last_error(ticket, refused)
                return ""
            version = self._version_for(country, major, minor)
            tx.set_qbxml_version(ticket, version)
            self._requeue_unanswered(tx, ticket)
            requests: list[OutgoingRequest] = []
            for held in tx.held(ticket):
                parts = self._parts(held)
                requests.extend(self._continue(tx, held, parts))
            limit = self.options.max_requests
            while len(requests) < limit:
                batch = tx.pending(session.company_id, limit=limit)
                if not batch:
                    break
                added = False
                for queued in batch:
                    # A command too big for a message still goes alone in an empty one.
                    room = limit - len(requests) if requests else len(requests) + 10_000
                    new = self._hand_out(tx, queued, ticket, now, room=room)
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
            return build_message(requests, version=version)

    def receive_response_xml(self, ticket: str, response: str, hresult: str, message: str) -> int:
        now = self._clock()
        with self._store.transaction() as tx:
            session = self._live(tx, ticket, now)
            if session is None:
                return 100
            if hresult or not (response or "").strip():
                hresult, message = _clip(hresult, MAX_HRESULT_CHARS), _clip(message)
                text = (
                    f"QuickBooks could not run the request ({hresult or 'no response'}): {message}"
                )
                tx.set_last_error(ticket, text.strip())
                tx.record_connection_error(
                    company_id=session.company_id,
                    ticket=ticket,
                    hresult=hresult,
                    message=message,
                    now=now,
                )
                self._release(tx, ticket)
                return -1
            try:
                parsed = parse_response_message(response)
            except QbxmlError as exc:
                tx.set_last_error(
                    ticket, _clip(f"procore-qb could not read QuickBooks' response: {exc}")
                )
                self._release(tx, ticket)
                return -1
            held_by_key = {held.idempotency_key: held for held in tx.held(ticket)}
            states = {held.command_id: _parts_state(held) for held in held_by_key.values()}
            ignored: list[str | None] = []
            for rs in parsed.responses:
                ids = parse_request_id(rs.request_id or "")
                if ids is None or ids[0] not in held_by_key:
                    ignored.append(rs.request_id)
                    continue
                key, part_no, page = ids
                held = held_by_key[key]
                parts_state = states[held.command_id]
                if part_no >= len(parts_state) or not parts_state[part_no]["sent"]:
                    continue
                if parts_state[part_no]["page"] != page:
                    continue
                command = command_from_json(dict(held.payload))
                parts = self._parts(held, command)
                outcome = self._gateway.read_page(command, parts[part_no], rs)
                partial = outcome.partial
                if (
                    isinstance(command, QueryJobCosts)
                    and partial.error is None
                    and tx.apply_chunk(held.command_id, partial)
                ):
                    partial = replace(partial, job_costs=(), deleted_ids=())
                else:
                    tx.add_page(held.command_id, part=part_no, page=page, result=partial)
                state = parts_state[part_no]
                state["sent"] = False
                settled = self._gateway.settles(parts[part_no], outcome.partial)
                if outcome.more and outcome.partial.error is None and not settled:
                    state["page"] = page + 1
                    state["iterator_id"] = outcome.iterator_id
                else:
                    state["done"] = True
                if settled:
                    # The look-up found what the lost attempt wrote (or QuickBooks refused
                    # it): the write is not sent.
                    for index, other in enumerate(parts_state):
                        if index < len(parts) and not parts[index].lookup:
                            other["done"] = True
                tx.save_parts(held.command_id, parts_state)
            if ignored:
                # One line per message, however many responses it holds: a peer must not be
                # able to fill the log.
                first = ignored[0]
                log.warning(
                    "ignored %d QuickBooks response(s) whose requestID procore-qb did not send "
                    "(first: %r)",
                    len(ignored),
                    None if first is None else _clip(first, 80),
                )
            for held in tx.held(ticket):
                if any(p["sent"] for p in held.parts):
                    # Sent but unanswered: QuickBooks stopped before it (stopOnError, or a
                    # response cut short). Its outcome is unknown.
                    tx.outcome_unknown([held.command_id])
                elif all(p["done"] for p in held.parts):
                    self._finish(tx, ticket, held, now)
            return self._percent(tx, ticket)

    def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        """Record that the Web Connector could not reach QuickBooks; ``"done"`` ends this
        session and the next scheduled update tries again."""
        now = self._clock()
        hresult, message = _clip(hresult, MAX_HRESULT_CHARS), _clip(message)
        with self._store.transaction() as tx:
            session = self._live(tx, ticket, now)
            if session is None:
                # An unknown, closed or expired ticket: nothing is recorded.
                return "done"
            tx.record_connection_error(
                company_id=session.company_id,
                ticket=ticket,
                hresult=hresult,
                message=message,
                now=now,
            )
            tx.set_last_error(ticket, f"QuickBooks connection error {hresult}: {message}".strip())
            self._release(tx, ticket)
            tx.end_session(ticket, state="closed", now=now)
        return "done"

    @staticmethod
    def _check_company_file(
        tx: WebConnectorTransaction, ticket: str, company_id: int, reported: str, now: datetime
    ) -> str | None:
        """Pin the company file on first contact; the refusal text when another one is open."""
        reported = (reported or "").strip()[:MAX_COMPANY_FILE]
        if not reported:
            return None
        tx.set_company_file(ticket, reported)
        pinned = tx.pinned_company_file(company_id)
        if pinned is None:
            tx.pin_company_file(company_id, reported, now=now)
            log.info("company %d pinned to QuickBooks company file %r", company_id, reported)
            return None
        if same_company_file(pinned, reported):
            return None
        log.warning(
            "company %d: Web Connector has %r open, not the pinned %r", company_id, reported, pinned
        )
        return (
            f"QuickBooks has the company file {reported} open, but procore-qb works with "
            f"{pinned} (the file open when the Web Connector first connected). Open that file "
            "in QuickBooks and update again; nothing was sent to this file."
        )

    def get_last_error(self, ticket: str) -> str:
        with self._store.transaction() as tx:
            session = tx.session(ticket or "")
            if session is None or session.state != "open":
                # A closed ticket tells nothing more: its session's errors are on the
                # settings page (web_connector status), not handed to whoever holds it.
                return "No open procore-qb session for this ticket; the next update starts one."
            return session.last_error or ""

    def close_connection(self, ticket: str) -> str:
        now = self._clock()
        with self._store.transaction() as tx:
            session = tx.session(ticket or "")
            if session is None or session.state != "open":
                return "OK"
            self._release(tx, ticket)
            tx.end_session(ticket, state="closed", now=now)
            return f"OK: {session.completed} QuickBooks command(s) completed"

    def ticket_is_open(self, ticket: str) -> bool:
        """Whether ``ticket`` names an open, unexpired session (a read: nothing changes)."""
        with self._store.transaction() as tx:
            session = tx.session(ticket or "")
            return (
                session is not None
                and session.state == "open"
                and session.expires_at > self._clock()
            )

    # ------------------------------------------------------------------ status

    def status(self, company_id: int, *, errors: int = 10) -> WebConnectorStatus:
        """What the settings page shows: the last session, the newest ``errors`` connection
        errors, and how many commands wait or are in flight."""
        with self._store.transaction() as tx:
            last = tx.last_session(company_id)
            recent = tx.connection_errors(company_id, limit=errors)
            counts = tx.counts(company_id)
            return WebConnectorStatus(
                last_session_at=None if last is None else last.last_seen_at,
                last_session_state=None if last is None else last.state,
                last_error=None if last is None else last.last_error,
                connection_errors=tuple((e.created_at, e.hresult, e.message) for e in recent),
                pending=counts.get("pending", 0),
                in_flight=counts.get("in_flight", 0),
            )

    # ------------------------------------------------------------------ internals

    def _version_for(self, country: str, major: int, minor: int) -> str:
        """The qbXML version to announce: the configured one, or the older one QuickBooks
        says it supports. A version or country no QuickBooks has (major above 99, minor above
        9, country "XX") is ignored: the configured version is sent and QuickBooks answers
        for itself."""
        configured = self.options.qbxml_version
        wanted = _version_tuple(configured)
        if not (1 <= major <= 99 and 0 <= minor <= 9) or (major, minor) >= wanted:
            return configured
        country = (country or "").strip().upper()
        if country in ("", "US"):
            return f"{major}.{minor}"
        if country in _QBXML_COUNTRIES:
            return f"{country}{major}.{minor}"
        return configured

    def _live(self, tx: WebConnectorTransaction, ticket: str, now: datetime) -> TicketRecord | None:
        session = tx.session(ticket or "")
        if session is None or session.state != "open":
            return None
        if session.expires_at <= now:
            tx.end_session(ticket, state="expired", now=now)
            self._release(tx, ticket)
            return None
        tx.touch_session(ticket, now=now, expires_at=now + self.options.ticket_ttl)
        return session

    def _replace_open_sessions(
        self, tx: WebConnectorTransaction, company_id: int, now: datetime
    ) -> None:
        for old in tx.open_tickets(company_id):
            tx.end_session(old, state="expired", now=now)
            self._release(tx, old)
        # Commands handed to sessions that no longer exist (rows deleted, other drivers).
        tx.outcome_unknown(tx.orphans(company_id))

    @staticmethod
    def _release(tx: WebConnectorTransaction, ticket: str) -> None:
        """Return everything ``ticket`` holds to the queue, outcome unknown."""
        tx.outcome_unknown([held.command_id for held in tx.held(ticket)])

    @staticmethod
    def _requeue_unanswered(tx: WebConnectorTransaction, ticket: str) -> None:
        """A part still marked sent means the last message's response never arrived."""
        lost = [held.command_id for held in tx.held(ticket) if _any_sent(held.parts)]
        tx.outcome_unknown(lost)

    def _parts(self, held: HeldCommand, command: Command | None = None) -> tuple[Part, ...]:
        """The parts of a handed-out command, as they were when it was handed out."""
        if command is None:
            command = command_from_json(dict(held.payload))
        return self._gateway.parts(
            command, needs_lookup=held.lookup, first_attempt_at=held.first_attempt_at
        )

    @staticmethod
    def _continue(
        tx: WebConnectorTransaction, held: HeldCommand, parts: tuple[Part, ...]
    ) -> list[OutgoingRequest]:
        """The next requests of a handed-out command: the next pages of open iterators, and
        the write that waited for a look-up which found nothing."""
        out: list[OutgoingRequest] = []
        states = _parts_state(held)
        lookups_done = all(
            state["done"] for part, state in zip(parts, states, strict=False) if part.lookup
        )
        for index, state in enumerate(states):
            if state["done"] or state["sent"] or index >= len(parts):
                continue
            if not parts[index].lookup and not lookups_done:
                continue
            if state["iterator_id"] is not None:
                out.append(
                    OutgoingRequest(
                        request_id(held.idempotency_key, index, state["page"]),
                        parts[index].request,
                        iterator="Continue",
                        iterator_id=state["iterator_id"],
                    )
                )
            else:
                out.append(
                    OutgoingRequest(
                        request_id(held.idempotency_key, index, state["page"]),
                        parts[index].request,
                        iterator="Start" if parts[index].iterates else None,
                    )
                )
            state["sent"] = True
        if out:
            tx.save_parts(held.command_id, states)
        return out

    def _hand_out(
        self,
        tx: WebConnectorTransaction,
        queued: QueuedCommand,
        ticket: str,
        now: datetime,
        *,
        room: int,
    ) -> list[OutgoingRequest] | None:
        """The requests of ``queued``, handed out to ``ticket``; ``[]`` when they do not fit in
        ``room``; None when the command cannot be expressed in qbXML (it is failed)."""
        try:
            command: Command = command_from_json(dict(queued.payload))
            parts = self._gateway.parts(
                command,
                needs_lookup=queued.needs_lookup,
                first_attempt_at=queued.first_attempt_at,
            )
            every = [
                OutgoingRequest(
                    request_id(queued.idempotency_key, index, 0),
                    part.request,
                    iterator="Start" if part.iterates else None,
                )
                for index, part in enumerate(parts)
            ]
            build_message(every)  # every rule checked now, not in the middle of a batch
        except (DesktopError, ValueError) as exc:
            tx.hand_out(
                queued.command_id, ticket=ticket, now=now, lookup=queued.needs_lookup, parts=()
            )
            tx.complete(
                queued.command_id,
                CommandResult(
                    idempotency_key=queued.idempotency_key,
                    error=CommandError(code="invalid", message=str(exc)),
                ),
                now=now,
            )
            return None
        # After a lost answer only the look-up goes now; the write waits for its answer.
        now_sent = [not _waits(parts, index) for index in range(len(parts))]
        requests = [request for request, sent in zip(every, now_sent, strict=True) if sent]
        if len(requests) > room:
            return []
        tx.hand_out(
            queued.command_id,
            ticket=ticket,
            now=now,
            lookup=queued.needs_lookup,
            parts=[
                {"page": 0, "iterator_id": None, "sent": sent, "done": False} for sent in now_sent
            ],
        )
        return requests

    def _finish(
        self, tx: WebConnectorTransaction, ticket: str, held: HeldCommand, now: datetime
    ) -> None:
        command = command_from_json(dict(held.payload))
        parts = self._parts(held, command)
        partials: list[list[CommandResult]] = [[] for _ in parts]
        for part, page in tx.pages(held.command_id):
            partials[part].append(page)
        result = self._gateway.combine(command, parts, partials, as_of=held.as_of)
        tx.complete(held.command_id, result, now=now)
        tx.count_completed(ticket)

    def _percent(self, tx: WebConnectorTransaction, ticket: str) -> int:
        session = tx.session(ticket)
        if session is None:
            return 100
        counts = tx.counts(session.company_id)
        remaining = counts.get("pending", 0) + len(tx.held(ticket))
        if remaining == 0:
            return 100
        done = session.completed
        return max(0, min(99, done * 100 // (done + remaining)))


def _any_sent(parts: Sequence[Mapping[str, Any]]) -> bool:
    return any(p["sent"] for p in parts)


def _waits(parts: Sequence[Part], index: int) -> bool:
    """Whether part ``index`` waits for the command's look-up to answer first."""
    return not parts[index].lookup and any(part.lookup for part in parts)
