"""Fuzzing campaigns against live servers on 127.0.0.1 (``make fuzz``, ``python -m bench.fuzz``).

Every boundary gets ``--inputs`` generated hostile inputs (10,000 by default) from a seeded
generator, so a run can be repeated:

* ``qbwc-login``: ``procore-qb serve``'s ``POST /qbwc`` before login (no valid ticket);
* ``qbwc-session``: the same endpoint after login: hostile QuickBooks answers
  (receiveResponseXML), odd versions and countries (sendRequestXML), huge messages
  (connectionError), calls on closed tickets;
* ``procore``, ``qbo``, ``qbd``: each simulator's HTTP doors;
* ``qbxml-parser`` and ``qbo-json-parser``: procore-qb's readers of QuickBooks' answers,
  in-process (only their own error types may escape).

An input is *unhandled* when a server answers 5xx outside its own error shape (a SOAP fault
for ``/qbwc``, JSON for the simulators, the qbXML HRESULT for the Desktop door) or drops the
connection, or when a parser raises anything but its own errors. After each campaign every
stored record is read back (and the simulators are reopened from their state files): a value
that was stored but breaks a later read counts as a *broken read*. The servers are real uvicorn
servers on 127.0.0.1 ports of their own, stopped at the end; nothing else is contacted.

Prints one line per boundary (inputs, statuses, unhandled errors, broken reads, log lines) and
exits 1 when anything was unhandled or broken. ``run(inputs=...)`` is what the tests call at a
tiny size, so the harness cannot rot.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import random
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from xml.sax.saxutils import escape

import httpx2
import uvicorn

if TYPE_CHECKING:
    from procore_qb.domain.commands import Command

__all__ = ["BOUNDARIES", "Tally", "main", "run"]

BOUNDARIES = (
    "qbwc-login",
    "qbwc-session",
    "procore",
    "qbo",
    "qbd",
    "qbxml-parser",
    "qbo-json-parser",
)
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
QBWC = "http://developer.intuit.com/"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------- tallies


@dataclass
class Tally:
    """What one boundary saw."""

    boundary: str
    inputs: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    unhandled: int = 0
    broken_reads: int = 0
    log_lines: int = 0
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)

    def saw(self, status: str, *, unhandled: str | None = None) -> None:
        self.inputs += 1
        self.statuses[status] += 1
        if unhandled is not None:
            self.unhandled += 1
            if len(self.examples) < 5:
                self.examples.append(unhandled[:300])

    def broke(self, what: str) -> None:
        self.broken_reads += 1
        if len(self.examples) < 5:
            self.examples.append(f"broken read: {what}"[:300])

    def line(self) -> str:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{self.boundary:16} inputs {self.inputs:6,}  unhandled {self.unhandled:4}  "
            f"broken reads {self.broken_reads:3}  log lines {self.log_lines:6,}  "
            f"{self.seconds:6.1f} s  [{statuses}]"
        )


class _LogCounter(logging.Handler):
    """Counts the log records the servers write, so a campaign shows whether hostile
    input can flood the log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


@dataclass(frozen=True)
class Budget:
    """How long a campaign goes on: ``inputs`` inputs, or until ``deadline`` (monotonic)."""

    inputs: int
    deadline: float | None = None

    def more(self, tally: Tally) -> bool:
        if tally.inputs >= self.inputs:
            return False
        return self.deadline is None or time.monotonic() < self.deadline


# ---------------------------------------------------------------------------- live servers


@contextlib.contextmanager
def live(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="critical", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])))
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


def _client(base: str) -> httpx2.Client:
    return httpx2.Client(base_url=base, timeout=60.0)


def _post(
    tally: Tally,
    client: httpx2.Client,
    url: str,
    *,
    judge: Callable[[httpx2.Response], str | None],
    **kwargs: Any,
) -> httpx2.Response | None:
    try:
        response = client.post(url, **kwargs)
    except httpx2.HTTPError as exc:
        tally.saw("dropped", unhandled=f"POST {url}: {type(exc).__name__}: {exc}")
        return None
    tally.saw(str(response.status_code), unhandled=judge(response))
    return response


# ---------------------------------------------------------------------------- generators


def _digits(r: random.Random) -> str:
    return r.choice("123456789") + "".join(r.choices("0123456789", k=r.choice([5, 40, 4299, 5000])))


def hostile_text(r: random.Random) -> str:
    """A string value meant to break a reader: huge numbers, odd digits, markup, long text."""
    pick = r.randrange(16)
    if pick == 0:
        return _digits(r)
    if pick == 1:
        return r.choice(["1E+1000000", "-1E-1000000", "NaN", "Infinity", "-0", "1e999", "0x10"])
    if pick == 2:
        return r.choice(["\u00b2", "\u0663", "\uff11", "\u2167", "1\u00a0000"])
    if pick == 3:
        return "x" * r.choice([256, 4096, 70_000])
    if pick == 4:
        return r.choice(["<", "&", "]]>", "<a>", "&amp;", "&#0;", "&#xD800;", "\x00", "\x1b"])
    if pick == 5:
        return "".join(chr(r.randrange(0x20, 0x2FFF)) for _ in range(r.randrange(1, 40)))
    if pick == 6:
        return r.choice(["", " ", "\t", "\n"])
    if pick == 7:
        return str(r.randint(-(2**70), 2**70))
    if pick == 8:
        return r.choice(["US", "CA", "UK", "AU", "XX", "us", "ZZZZZZZ"])
    if pick == 9:
        return f"{r.randint(-5, 99)}.{r.randint(-5, 99)}"
    if pick == 10:
        return "{" + str(uuid.UUID(int=r.getrandbits(128))).upper() + "}"
    if pick == 11:
        return "http://[::1" if r.random() < 0.5 else "javascript:alert(1)"
    return "".join(r.choices("abcdefghijklmnopqrstuvwxyz0123456789 .-_", k=r.randrange(0, 30)))


def hostile_json_value(r: random.Random, depth: int = 0) -> str:
    """JSON text (as a service would receive it) for one value, hostile at times."""
    pick = r.randrange(14)
    if pick == 0:
        return r.choice(["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
    if pick == 1:
        return _digits(r)
    if pick == 2:
        return r.choice(['"\\ud800"', '"a\\udfffb"', '"\\u0000"', '"\\ud83d"'])
    if pick == 3:
        deep = r.choice([100, 2000, 100_000])
        return "[" * deep + "]" * deep
    if pick == 4:
        return json.dumps(hostile_text(r))
    if pick == 5:
        return r.choice(["true", "false", "null", "0", "-1", "1.5", "1E400", "[]", "{}"])
    if pick == 6 and depth < 3:
        items = [hostile_json_value(r, depth + 1) for _ in range(r.randrange(0, 4))]
        return "[" + ",".join(items) + "]"
    if pick == 7 and depth < 3:
        keys = [json.dumps(hostile_text(r)) for _ in range(r.randrange(0, 4))]
        return "{" + ",".join(f"{k}:{hostile_json_value(r, depth + 1)}" for k in keys) + "}"
    return json.dumps(r.choice(["a", "Job 1", "2026-11-02", "2026-13-45", "1", "x" * 300]))


def json_body(r: random.Random, sample: dict[str, Any] | None, wrap: str | None) -> str:
    """A JSON body: a sample record with some values made hostile, or hostile JSON."""
    if sample is None or r.random() < 0.2:
        return hostile_json_value(r) if r.random() < 0.7 else hostile_text(r)
    fields = {k: json.dumps(v) for k, v in sample.items()}
    keys = list(fields) or ["name"]
    for _ in range(r.randrange(1, 4)):
        fields[r.choice(keys)] = hostile_json_value(r)
    if r.random() < 0.3:
        fields[hostile_text(r)[:40] or "x"] = hostile_json_value(r)
    inner = "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in fields.items()) + "}"
    return "{" + json.dumps(wrap) + ":" + inner + "}" if wrap else inner


def _soap(method: str, args: dict[str, str], r: random.Random) -> bytes:
    inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in args.items())
    text = (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP}"><soap:Body>'
        f'<{method} xmlns="{QBWC}">{inner}</{method}></soap:Body></soap:Envelope>'
    )
    return text.encode("utf-8", "surrogatepass")


_METHOD_ARGS = {
    "serverVersion": ("strVersion",),
    "clientVersion": ("strVersion",),
    "authenticate": ("strUserName", "strPassword"),
    "sendRequestXML": (
        "ticket",
        "strHCPResponse",
        "strCompanyFileName",
        "qbXMLCountry",
        "qbXMLMajorVers",
        "qbXMLMinorVers",
    ),
    "receiveResponseXML": ("ticket", "response", "hresult", "message"),
    "connectionError": ("ticket", "hresult", "message"),
    "getLastError": ("ticket",),
    "closeConnection": ("ticket",),
}


def hostile_soap(r: random.Random, ticket: str | None = None) -> bytes:
    """A SOAP body for POST /qbwc: a call with hostile arguments, or hostile XML."""
    pick = r.randrange(12)
    method = r.choice([*_METHOD_ARGS, "nosuchMethod"])
    args = {name: hostile_text(r) for name in _METHOD_ARGS.get(method, ("x",))}
    if ticket is not None and "ticket" in args and r.random() < 0.8:
        args["ticket"] = ticket
    call = _soap(method, args, r)
    if pick == 0:
        return bytes(r.getrandbits(8) for _ in range(r.randrange(0, 400)))
    if pick == 1:  # a document type declaration, in UTF-8, UTF-16 or UTF-7
        encoding = r.choice(["utf-8", "utf-16", "utf-16-le", "utf-7"])
        text = (
            f'<?xml version="1.0" encoding="{encoding.upper()}"?>'
            '<!DOCTYPE e [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            f'<e:Envelope xmlns:e="{SOAP}"><e:Body><clientVersion xmlns="{QBWC}">'
            "<strVersion>&b;</strVersion></clientVersion></e:Body></e:Envelope>"
        )
        return text.encode(encoding)
    if pick == 2:  # many elements or deep nesting
        many = r.choice([b"<a/>" * 50_000, b"<a>" * 5000 + b"</a>" * 5000])
        return call.replace(b"<soap:Body>", b"<soap:Body>" + many, 1)
    if pick == 3:
        return call[: r.randrange(0, len(call) + 1)]
    if pick == 4:  # bytes flipped
        data = bytearray(call)
        for _ in range(r.randrange(1, 6)):
            data[r.randrange(len(data))] = r.getrandbits(8)
        return bytes(data)
    if pick == 5:  # larger than the pre-login limit
        return call.replace(b"</soap:Body>", b"<pad>" + b"p" * 300_000 + b"</pad></soap:Body>")
    if pick == 6:
        return call.replace(SOAP.encode(), b"http://www.w3.org/2003/05/soap-envelope")
    return call


def _is_fault(response: httpx2.Response) -> bool:
    return "<faultcode>soap:Client</faultcode>" in response.text


def judge_soap(response: httpx2.Response) -> str | None:
    """None when ``/qbwc`` answered within its contract (200 SOAP, or a Client fault)."""
    if not response.headers.get("content-type", "").startswith("text/xml"):
        return f"{response.status_code} {response.headers.get('content-type')}: {response.text}"
    if response.status_code == 200 and "Envelope" in response.text:
        return None
    if response.status_code in (413, 500) and _is_fault(response):
        return None
    return f"{response.status_code}: {response.text}"


def judge_json(response: httpx2.Response) -> str | None:
    """None for any answer but a 5xx outside the service's own (JSON) error shape."""
    if response.status_code < 500:
        return None
    if response.status_code == 503 and response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        return None  # the documented heavy-load answer, switched on by a control door
    return f"{response.status_code}: {response.text}"


# ---------------------------------------------------------------------------- qbwc (serve)


@dataclass
class _Serve:
    app: Any
    sessions: Any
    engine: Any
    folder: Path


def _serve_app(folder: Path, *, fresh: bool = True) -> _Serve:
    """``procore-qb serve``'s app over a store in ``folder`` (created when ``fresh``)."""
    from procore_qb.store import migrate
    from procore_qb.store.engine import create_engine, create_session_factory
    from procore_qb.store.models import Company

    engine = create_engine(f"sqlite:///{folder / 'store.sqlite3'}")
    migrate.upgrade(engine)
    sessions = create_session_factory(engine)
    if not fresh:
        return _Serve(_web_app(sessions, folder), sessions, engine, folder)
    with sessions.begin() as db:
        db.add(
            Company(id=1, procore_company_id=1, name="B", qb_edition="desktop", created_at=START)
        )
    return _Serve(_web_app(sessions, folder), sessions, engine, folder)


def _web_app(sessions: Any, folder: Path) -> Any:
    from procore_qb.quickbooks.desktop.config import WebConnectorSettings
    from procore_qb.quickbooks.desktop.passwords import hash_password
    from procore_qb.web.app import WebDependencies, create_app

    settings = WebConnectorSettings(
        app_url="http://localhost/qbwc", username="demo", password_hash=hash_password("demo")
    )
    deps = WebDependencies(
        sessions=sessions,
        company_id=1,
        qb_edition="desktop",
        data_dir=folder,
        clock=lambda: datetime.now(UTC),
        webconnector=settings,
    )
    return create_app(deps)


def _enqueue(sessions: Any, r: random.Random, count: int) -> None:
    from procore_qb.domain.commands import CreateJob, QueryCustomers, QueryJobs
    from procore_qb.domain.quickbooks_job import QuickBooksJob
    from procore_qb.store.repositories.outbox import Outbox

    with sessions.begin() as db:
        outbox = Outbox(db)
        for _ in range(count):
            key = str(uuid.UUID(int=r.getrandbits(128)))
            kind = r.randrange(3)
            if kind == 0:
                job = QuickBooksJob(
                    name=f"Fuzz {r.randrange(5)}", parent_full_name="Harbor Holdings"
                )
                outbox.record(1, CreateJob(idempotency_key=key, job=job), now=START)
            elif kind == 1:
                outbox.record(1, QueryJobs(idempotency_key=key), now=START)
            else:
                outbox.record(1, QueryCustomers(idempotency_key=key), now=START)


def _result(text: str, method: str) -> list[str]:
    start = text.find(f"<{method}Result>")
    end = text.find(f"</{method}Result>")
    if start < 0 or end < 0:
        return []
    inner = text[start + len(method) + 8 : end]
    if "<string>" in inner:
        return [s.split("</string>")[0] for s in inner.split("<string>")[1:]]
    return [inner]


def _check_serve_state(tally: Tally, serve: _Serve) -> None:
    """Every stored row reads back; a clean session still works end to end."""

    import sqlalchemy as sa

    from procore_qb.quickbooks.desktop.session import WebConnectorService
    from procore_qb.store.models import QbCommand, QbwcSession
    from procore_qb.store.repositories.outbox import Outbox
    from procore_qb.store.repositories.qbwc import SqlWebConnectorStore

    try:
        reader = WebConnectorService(
            SqlWebConnectorStore(serve.sessions), {}, clock=lambda: datetime.now(UTC)
        )
        reader.status(1, errors=1000)
        with serve.sessions() as db:
            outbox = Outbox(db)
            for row in db.scalars(sa.select(QbCommand)):
                outbox.command(row)
                if row.result is not None:
                    outbox.result(row)
            for session in db.scalars(sa.select(QbwcSession)):
                json.dumps([session.last_error, session.state])
    except Exception as exc:  # noqa: BLE001 - any failure is what is being counted
        tally.broke(f"store: {type(exc).__name__}: {exc}")
    _enqueue(serve.sessions, random.Random(0), 3)
    # A restarted serve over the same store: the campaign's failed logins from 127.0.0.1 have
    # throttled this address in the running one, by design.
    restarted = _serve_app(serve.folder, fresh=False)
    try:
        _clean_session(tally, restarted)
    finally:
        restarted.engine.dispose()
    size = (serve.folder / "store.sqlite3").stat().st_size
    tally.statuses[f"db {size // 1_048_576} MiB"] += 0


_LOGIN = {"strUserName": "demo", "strPassword": "demo"}


def _clean_session(tally: Tally, serve: _Serve) -> None:
    """An honest login and sendRequestXML against ``serve`` work after a campaign."""
    from xml.sax.saxutils import unescape

    with live(serve.app) as base, _client(base) as client:
        login = client.post("/qbwc", content=_soap("authenticate", _LOGIN, random.Random()))
        answer = _result(login.text, "authenticate")
        if len(answer) < 2 or answer[1] in ("nvu", "none"):
            tally.broke(f"clean login after the campaign: {login.text[:200]}")
            return
        sent = client.post(
            "/qbwc", content=_soap("sendRequestXML", {"ticket": answer[0]}, random.Random())
        )
        request = unescape(next(iter(_result(sent.text, "sendRequestXML")), ""))
        if "<QBXML" not in request:
            tally.broke(f"clean sendRequestXML after the campaign: {sent.text[:200]}")


def fuzz_qbwc_login(budget: Budget, seed: int) -> Tally:
    tally = Tally("qbwc-login")
    r = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        serve = _serve_app(Path(tmp))
        with live(serve.app) as base, _client(base) as client:
            while budget.more(tally):
                _post(tally, client, "/qbwc", content=hostile_soap(r), judge=judge_soap)
            _check_serve_state(tally, serve)
        serve.engine.dispose()
    return tally


def _mutate_answer(r: random.Random, request: str, simulated: str) -> str:
    """A hostile QuickBooks answer to ``request``, starting from the simulator's own."""
    import re

    ids = re.findall(r'requestID="([^"]*)"', request)
    pick = r.randrange(14)
    text = simulated
    if pick == 0 and ids:
        text = text.replace(f'requestID="{ids[0]}"', f'requestID="{_digits(r)}"', 1)
    elif pick == 1 and ids:
        key = ids[0].rsplit(".", 2)[0]
        text = text.replace(f'requestID="{ids[0]}"', f'requestID="{key}.{_digits(r)}.0"', 1)
    elif pick == 2:
        text = re.sub(r"<Sublevel>\d+</Sublevel>", f"<Sublevel>{_digits(r)}</Sublevel>", text)
    elif pick == 3:
        text = re.sub(r"<Balance>[^<]*</Balance>", "<Balance>1E+1000000</Balance>", text)
        text = re.sub(r"<TotalBalance>[^<]*<", "<TotalBalance>1E+1000000<", text)
    elif pick == 4:
        text = re.sub(r' iteratorID="[^"]*"', "", text)
        text = text.replace('iteratorRemainingCount="0"', 'iteratorRemainingCount="7"')
    elif pick == 5:
        text = re.sub(r'statusCode="\d+"', f'statusCode="{hostile_text(r)[:6000]}"', text)
    elif pick == 6:
        text = re.sub(
            r'iteratorRemainingCount="\d+"', f'iteratorRemainingCount="{_digits(r)}"', text
        )
    elif pick == 7:
        text = text[: r.randrange(len(text) + 1)]
    elif pick == 8:
        text = '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "x">]>' + text.split("?>", 1)[-1]
    elif pick == 9:
        rows = re.findall(r"<[A-Za-z]+QueryRs [^>]*>", text)
        if rows:
            text = text.replace(rows[0], rows[0] * r.choice([2, 50]), 1)
    elif pick == 10:
        text = re.sub(
            r"<(\w+)>[^<]{0,40}</\1>",
            lambda m: f"<{m[1]}>{escape(hostile_text(r))}</{m[1]}>",
            text,
            count=r.randrange(1, 5),
        )
    elif pick == 11:
        text = hostile_text(r)
    return text


def _honest(simulator: Any, request: str, cache: dict[str, str]) -> str:
    """The simulator's answer to ``request``; answers are cached by the request's shape (its
    requestIDs aside), as running every message through the simulator is the slow part."""
    import re

    from procore_qb.sandbox.qbd.errors import QbdSimulatorError

    ids = re.findall(r'requestID="([^"]*)"', request)
    shape = re.sub(r'requestID="[^"]*"', 'requestID=""', request)
    if shape not in cache:
        try:
            answer = simulator.processor.process(request)
        except QbdSimulatorError:
            answer = "<QBXML><QBXMLMsgsRs/></QBXML>"
        for n, rid in enumerate(ids):
            answer = answer.replace(f'requestID="{rid}"', f'requestID="@{n}@"')
        cache[shape] = answer
    answer = cache[shape]
    for n, rid in enumerate(ids):
        answer = answer.replace(f'requestID="@{n}@"', f'requestID="{rid}"')
    return answer


def fuzz_qbwc_session(budget: Budget, seed: int) -> Tally:
    from xml.sax.saxutils import unescape

    from procore_qb.sandbox.qbd.app import open_simulator

    tally = Tally("qbwc-session")
    r = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        serve = _serve_app(Path(tmp))
        simulator = open_simulator(None)
        answers: dict[str, str] = {}
        _enqueue(serve.sessions, r, 50)
        with live(serve.app) as base, _client(base) as client:
            ticket = ""
            pending = ""  # the last qbXML request handed out
            closed: list[str] = []
            while budget.more(tally):
                if not ticket:
                    login = _post(
                        tally,
                        client,
                        "/qbwc",
                        content=_soap("authenticate", _LOGIN, r),
                        judge=judge_soap,
                    )
                    answer = [] if login is None else _result(login.text, "authenticate")
                    if len(answer) >= 2 and answer[1] == "none":
                        _enqueue(serve.sessions, r, 30)
                    elif len(answer) >= 2 and answer[1] != "nvu":
                        ticket = answer[0]
                    continue
                pick = r.randrange(20)
                if pick < 6 or not pending:
                    args = {"ticket": ticket}
                    if pick == 0:
                        args |= {
                            "qbXMLCountry": hostile_text(r)[:20],
                            "qbXMLMajorVers": str(r.choice([1, 2, 13, 16, 99, 10**8, -3])),
                            "qbXMLMinorVers": str(r.choice([0, 1, 9, 10**8])),
                        }
                    sent = _post(
                        tally,
                        client,
                        "/qbwc",
                        content=_soap("sendRequestXML", args, r),
                        judge=judge_soap,
                    )
                    request = (
                        ""
                        if sent is None
                        else unescape("".join(_result(sent.text, "sendRequestXML")))
                    )
                    if "<QBXML" in request:
                        pending = request
                    elif sent is not None and sent.status_code == 200:
                        ticket = ""  # nothing more to do (or the session ended)
                    continue
                if pick < 16:
                    honest = _honest(simulator, pending, answers)
                    answer_text = _mutate_answer(r, pending, honest)
                    args = {"ticket": ticket, "response": answer_text, "hresult": "", "message": ""}
                    got = _post(
                        tally,
                        client,
                        "/qbwc",
                        content=_soap("receiveResponseXML", args, r),
                        judge=judge_soap,
                    )
                    pending = ""
                    if got is not None and _result(got.text, "receiveResponseXML") == ["100"]:
                        closed.append(ticket)
                        ticket = ""
                    continue
                method = r.choice(["connectionError", "getLastError", "closeConnection"])
                # Mostly tickets already closed (which must stay dead): a login costs scrypt.
                target = r.choice(closed) if closed and r.random() < 0.9 else ticket
                args = {
                    "ticket": target,
                    "hresult": "0x80040408",
                    "message": "m" * r.choice([10, 70_000]),
                }
                _post(tally, client, "/qbwc", content=_soap(method, args, r), judge=judge_soap)
                if target == ticket and method != "getLastError":
                    closed.append(ticket)
                    ticket = ""
            _check_serve_state(tally, serve)
        serve.engine.dispose()
    return tally


# ---------------------------------------------------------------------------- simulators


def _fill(path: str, r: random.Random, ids: dict[str, list[str]]) -> str:
    import re

    def value(match: re.Match[str]) -> str:
        known = ids.get(match[1]) or ids.get("id") or ["1"]
        if r.random() < 0.85:
            return r.choice(known)
        return quote(r.choice([_digits(r)[:30], "0", "-1", "\u00b2", "x", "%2e%2e"]), safe="")

    return re.sub(r"\{([a-z_]+)(?::[a-z]+)?\}", value, path)


def _query(r: random.Random) -> dict[str, str]:
    names = [
        "page",
        "per_page",
        "filters[updated_at]",
        "sort",
        "project_id",
        "minorversion",
        "view",
    ]
    return {r.choice(names): hostile_text(r)[:200] for _ in range(r.randrange(0, 3))}


def fuzz_procore(budget: Budget, seed: int) -> Tally:
    from procore_qb.sandbox.procore import ProcoreSandbox, SandboxConfig, create_app

    tally = Tally("procore")
    r = random.Random(seed)
    config = SandboxConfig(hourly_limit=10**9, spike_limit=10**9)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sandbox = ProcoreSandbox(config=config, data_dir=folder)
        with live(create_app(sandbox)) as base, _client(base) as client:
            headers = {"Authorization": "Bearer demo-ada", "Procore-Company-Id": "4263"}
            routes = _procore_routes(client)
            samples = _procore_samples(client, routes, headers)
            ids = {"company_id": ["4263"], "id": ["1"]}
            for path, body in samples.items():
                if isinstance(body, dict) and "id" in body:
                    ids.setdefault("id", []).append(str(body["id"]))
                    if "/projects" in path:
                        ids.setdefault("project_id", []).append(str(body["id"]))
            while budget.more(tally):
                method, template = r.choice(routes)
                path = _fill(template, r, ids)
                sent_headers = dict(headers)
                if r.random() < 0.1:
                    sent_headers["Procore-Company-Id"] = _ascii(hostile_text(r)[:100])
                sample = samples.get(template.rsplit("/{", 1)[0]) or samples.get(template)
                body = json_body(r, sample if isinstance(sample, dict) else None, None)
                if r.random() < 0.3 and isinstance(sample, dict):
                    singular = template.rstrip("/").split("/")[-1].rstrip("s")
                    body = json_body(r, sample, singular)
                try:
                    response = client.request(
                        method,
                        path,
                        params=_query(r),
                        content=body.encode("utf-8", "surrogatepass") if method != "GET" else None,
                        headers={**sent_headers, "Content-Type": "application/json"},
                    )
                except httpx2.HTTPError as exc:
                    tally.saw("dropped", unhandled=f"{method} {path}: {exc}")
                    continue
                tally.saw(
                    str(response.status_code), unhandled=_with(method, path, judge_json(response))
                )
            _check_reads(tally, client, [(m, p) for m, p in routes if m == "GET"], headers, ids)
        reopened = ProcoreSandbox(config=config, data_dir=folder)
        with live(create_app(reopened)) as base, _client(base) as client:
            _check_reads(tally, client, [(m, p) for m, p in routes if m == "GET"], headers, ids)
    return tally


def _ascii(text: str) -> str:
    """Header values travel as ASCII."""
    return "".join(c for c in text if " " <= c <= "~").strip()


def _with(method: str, path: str, verdict: str | None) -> str | None:
    return None if verdict is None else f"{method} {path}: {verdict}"


def _procore_routes(client: httpx2.Client) -> list[tuple[str, str]]:
    document = client.get("/openapi.json").json()
    routes = []
    for path, methods in document["paths"].items():
        for method in methods:
            if path.startswith("/_sandbox") and method.upper() != "GET" and "reset" in path:
                continue  # a reset wipes what the campaign stored: nothing left to read back
            routes.append((method.upper(), path))
    return routes


def _procore_samples(
    client: httpx2.Client, routes: list[tuple[str, str]], headers: dict[str, str]
) -> dict[str, Any]:
    samples: dict[str, Any] = {}
    for method, path in routes:
        if method != "GET" or "{" in path.replace("{company_id}", ""):
            continue
        response = client.get(path.replace("{company_id}", "4263"), headers=headers)
        if response.status_code == 200 and response.headers.get("content-type", "").startswith(
            "application/json"
        ):
            body = response.json()
            samples[path] = body[0] if isinstance(body, list) and body else body
    return samples


def _check_reads(
    tally: Tally,
    client: httpx2.Client,
    routes: list[tuple[str, str]],
    headers: dict[str, str],
    ids: dict[str, list[str]],
) -> None:
    for _, template in routes:
        for index in range(3):
            r = random.Random(index)
            path = _fill(template, random.Random(index), {k: v[:5] for k, v in ids.items()})
            del r
            try:
                response = client.get(path, headers=headers)
            except httpx2.HTTPError as exc:
                tally.broke(f"GET {path}: {exc}")
                continue
            if response.status_code >= 500 and response.status_code != 503:
                tally.broke(f"GET {path}: {response.status_code} {response.text[:200]}")


QBO_ENTITIES = (
    "Customer",
    "Vendor",
    "Item",
    "Account",
    "Bill",
    "Purchase",
    "JournalEntry",
    "Class",
    "VendorCredit",
)


def fuzz_qbo(budget: Budget, seed: int) -> Tally:
    from procore_qb.sandbox.qbo import Simulator, SimulatorConfig, create_app
    from procore_qb.sandbox.seed import QBO_REALM_ID

    tally = Tally("qbo")
    r = random.Random(seed)
    config = SimulatorConfig(requests_per_minute=10**9, batch_requests_per_minute=10**9)
    base_path = f"/v3/company/{QBO_REALM_ID}"
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        simulator = Simulator(config, data_dir=folder)
        with live(create_app(simulator)) as base, _client(base) as client:
            token = client.post("/_sandbox/tokens").json()["access_token"]
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            samples: dict[str, dict[str, Any]] = {}
            for entity in QBO_ENTITIES:
                found = client.post(
                    base_path + "/query",
                    content=f"select * from {entity} maxresults 1",
                    headers={**headers, "Content-Type": "application/text"},
                )
                rows = (
                    found.json().get("QueryResponse", {}).get(entity, [])
                    if found.status_code == 200
                    else []
                )
                if rows:
                    samples[entity] = rows[0]
            while budget.more(tally):
                pick = r.randrange(10)
                entity = r.choice(QBO_ENTITIES)
                params = {"minorversion": hostile_text(r)[:50]} if r.random() < 0.2 else {}
                if pick < 5:
                    sample = dict(samples.get(entity, {}))
                    if r.random() < 0.5:
                        sample.pop("Id", None)
                        sample.pop("SyncToken", None)
                    body = json_body(r, sample or None, None)
                    if r.random() < 0.3:
                        params["operation"] = r.choice(["update", "delete", hostile_text(r)[:30]])
                    method, path = "POST", f"{base_path}/{entity.lower()}"
                    kwargs: dict[str, Any] = {
                        "content": body.encode("utf-8", "surrogatepass"),
                        "headers": {**headers, "Content-Type": "application/json"},
                    }
                elif pick < 7:
                    text = r.choice(
                        [
                            f"select * from {entity} where Id = '{hostile_text(r)[:80]}'",
                            f"select * from {entity} startposition {_digits(r)[:50]} "
                            f"maxresults {hostile_text(r)[:30]}",
                            f"select count(*) from {entity} "
                            f"where MetaData.LastUpdatedTime > '{hostile_text(r)[:40]}'",
                            hostile_text(r),
                        ]
                    )
                    method, path = "POST", f"{base_path}/query"
                    kwargs = {
                        "content": text.encode("utf-8", "surrogatepass"),
                        "headers": {**headers, "Content-Type": "application/text"},
                    }
                elif pick < 8:
                    method, path = (
                        "GET",
                        f"{base_path}/{entity.lower()}/"
                        + quote(hostile_text(r)[:40] or "1", safe=""),
                    )
                    kwargs = {"headers": headers}
                elif pick < 9:
                    method, path = (
                        "GET",
                        "/oauth2/v1/authorize" if r.random() < 0.5 else "/connect/oauth2",
                    )
                    kwargs = {
                        "params": {
                            "client_id": r.choice([config.client_id, hostile_text(r)[:40]]),
                            "redirect_uri": r.choice(
                                ["http://127.0.0.1:9/cb", hostile_text(r)[:80]]
                            ),
                            "response_type": "code",
                            "scope": "com.intuit.quickbooks.accounting",
                            "state": hostile_text(r)[:40],
                        }
                    }
                else:
                    method, path = "POST", f"{base_path}/cdc"
                    kwargs = {
                        "params": {"entities": entity, "changedSince": hostile_text(r)[:40]},
                        "headers": headers,
                    }
                kwargs.setdefault("params", {}).update(params)
                try:
                    response = client.request(method, path, **kwargs)
                except httpx2.HTTPError as exc:
                    tally.saw("dropped", unhandled=f"{method} {path}: {exc}")
                    continue
                if response.status_code == 401:
                    token = client.post("/_sandbox/tokens").json()["access_token"]
                    headers["Authorization"] = f"Bearer {token}"
                tally.saw(
                    str(response.status_code), unhandled=_with(method, path, judge_json(response))
                )
            _check_qbo_reads(tally, client, headers, base_path)
        reopened = Simulator(config, data_dir=folder)
        with live(create_app(reopened)) as base, _client(base) as client:
            token = client.post("/_sandbox/tokens").json()["access_token"]
            _check_qbo_reads(
                tally,
                client,
                {"Authorization": f"Bearer {token}", "Accept": "application/json"},
                base_path,
            )
    return tally


def _check_qbo_reads(
    tally: Tally, client: httpx2.Client, headers: dict[str, str], base_path: str
) -> None:
    for entity in QBO_ENTITIES:
        try:
            response = client.post(
                base_path + "/query",
                content=f"select * from {entity} maxresults 1000",
                headers={**headers, "Content-Type": "application/text"},
            )
        except httpx2.HTTPError as exc:
            tally.broke(f"query {entity}: {exc}")
            continue
        if response.status_code != 200:
            tally.broke(f"query {entity}: {response.status_code} {response.text[:200]}")


def _qbd_corpus() -> list[str]:
    from procore_qb.domain.commands import (
        CreateJob,
        QueryAccounts,
        QueryItems,
        QueryJobCosts,
        QueryJobs,
        QueryVendors,
    )
    from procore_qb.domain.quickbooks_job import QuickBooksJob
    from procore_qb.quickbooks.desktop.gateway import DesktopGateway, request_id
    from procore_qb.quickbooks.desktop.qbxml.message import OutgoingRequest, build_message

    gateway = DesktopGateway(page_size=50)
    commands: list[Command] = [
        CreateJob(
            idempotency_key="c",
            job=QuickBooksJob(name="Fuzz Job", parent_full_name="Harbor Holdings"),
        ),
        QueryJobs(idempotency_key="q"),
        QueryAccounts(idempotency_key="a"),
        QueryItems(idempotency_key="i"),
        QueryVendors(idempotency_key="v"),
        QueryJobCosts(idempotency_key="j", job_ids=("80000001-1",)),
    ]
    corpus = []
    for command in commands:
        parts = gateway.parts(command)
        requests = [
            OutgoingRequest(
                request_id(command.idempotency_key, n, 0),
                p.request,
                iterator="Start" if p.iterates else None,
            )
            for n, p in enumerate(parts)
        ]
        corpus.append(build_message(requests))
    return corpus


def hostile_qbxml(r: random.Random, corpus: list[str]) -> str:
    import re

    text = r.choice(corpus)
    pick = r.randrange(10)
    if pick == 0:
        return re.sub(
            r"<(\w+)>[^<]{0,60}</\1>",
            lambda m: f"<{m[1]}>{escape(hostile_text(r))}</{m[1]}>",
            text,
            count=r.randrange(1, 6),
        )
    if pick == 1:
        return re.sub(r'requestID="[^"]*"', f'requestID="{escape(hostile_text(r))}"', text)
    if pick == 2:
        return text.replace(
            "<MaxReturned>50</MaxReturned>", f"<MaxReturned>{hostile_text(r)}</MaxReturned>"
        )
    if pick == 3:
        return text.replace('version="13.0"', f'version="{escape(hostile_text(r)[:30])}"')
    if pick == 4:
        inner = re.search(r"<QBXMLMsgsRq[^>]*>(.*)</QBXMLMsgsRq>", text, re.S)
        if inner:
            return text.replace(inner[1], inner[1] * r.choice([2, 200, 20_000]), 1)
    if pick == 5:
        return text[: r.randrange(len(text) + 1)]
    if pick == 6:
        return '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE Q [<!ENTITY a "x">]>' + text
    if pick == 7:
        return text.replace("<QBXMLMsgsRq", "<a>" * 300 + "<QBXMLMsgsRq").replace(
            "</QBXMLMsgsRq>", "</QBXMLMsgsRq>" + "</a>" * 300
        )
    if pick == 8:
        return text.replace(
            'onError="continueOnError"', f'onError="{escape(hostile_text(r)[:30])}"'
        )
    return text


def fuzz_qbd(budget: Budget, seed: int) -> Tally:
    from procore_qb.sandbox.qbd.app import create_app, open_simulator

    tally = Tally("qbd")
    r = random.Random(seed)
    corpus = _qbd_corpus()

    def judge(response: httpx2.Response) -> str | None:
        if response.status_code == 200:
            return None
        if response.status_code == 400 and "0x80040400" in response.text:
            return None
        return f"{response.status_code}: {response.text}"

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        simulator = open_simulator(folder)
        with live(create_app(simulator)) as base, _client(base) as client:
            while budget.more(tally):
                body = hostile_qbxml(r, corpus).encode("utf-8", "surrogatepass")
                if r.random() < 0.05:
                    body = bytes(r.getrandbits(8) for _ in range(r.randrange(0, 300)))
                _post(tally, client, "/_sandbox/qbd/qbxml", content=body, judge=judge)
            _check_qbd_reads(tally, client, corpus)
        simulator.company.close() if hasattr(simulator.company, "close") else None
        reopened = open_simulator(folder)
        with live(create_app(reopened)) as base, _client(base) as client:
            _check_qbd_reads(tally, client, corpus)
    return tally


def _check_qbd_reads(tally: Tally, client: httpx2.Client, corpus: list[str]) -> None:
    for text in corpus[1:]:
        response = client.post("/_sandbox/qbd/qbxml", content=text.encode())
        if response.status_code != 200 or 'statusSeverity="Error"' in response.text:
            tally.broke(f"qbXML query: {response.status_code} {response.text[:300]}")


# ---------------------------------------------------------------------------- in-process parsers


def fuzz_qbxml_parser(budget: Budget, seed: int) -> Tally:
    from procore_qb.domain.commands import QueryJobCosts, QueryJobs
    from procore_qb.quickbooks.desktop.errors import QbxmlError
    from procore_qb.quickbooks.desktop.gateway import DesktopGateway, parse_request_id
    from procore_qb.quickbooks.desktop.qbxml.message import parse_response_message
    from procore_qb.sandbox.qbd.app import open_simulator

    tally = Tally("qbxml-parser")
    r = random.Random(seed)
    simulator = open_simulator(None)
    corpus = _qbd_corpus()
    honest = [(text, simulator.processor.process(text)) for text in corpus]
    gateway = DesktopGateway(page_size=50)
    commands: list[Command] = [
        QueryJobs(idempotency_key="q"),
        QueryJobCosts(idempotency_key="j", job_ids=("80000001-1",)),
    ]
    while budget.more(tally):
        request, answer = r.choice(honest)
        text = _mutate_answer(r, request, answer)
        try:
            parsed = parse_response_message(text)
            for rs in parsed.responses:
                parse_request_id(rs.request_id or "")
                command = r.choice(commands)
                parts = gateway.parts(command)
                gateway.read_page(command, parts[r.randrange(len(parts))], rs)
        except QbxmlError:
            tally.saw("refused")
            continue
        except Exception as exc:  # noqa: BLE001 - any other error is what is being counted
            tally.saw("unhandled", unhandled=f"{type(exc).__name__}: {exc}")
            continue
        tally.saw("read")
    return tally


def fuzz_qbo_json_parser(budget: Budget, seed: int) -> Tally:
    from procore_qb.quickbooks.online import cdc
    from procore_qb.quickbooks.online.errors import QboError, error_from_response
    from procore_qb.quickbooks.online.resources.accounts import account_record
    from procore_qb.quickbooks.online.resources.bills import BillResource as Bills
    from procore_qb.quickbooks.online.resources.customers import customer_to_job
    from procore_qb.quickbooks.online.resources.items import item_record
    from procore_qb.quickbooks.online.resources.journal_entries import (
        JournalEntryResource as JournalEntries,
    )
    from procore_qb.quickbooks.online.resources.purchases import PurchaseResource as Purchases
    from procore_qb.quickbooks.online.resources.vendor_credits import (
        VendorCreditResource as VendorCredits,
    )
    from procore_qb.quickbooks.online.resources.vendors import vendor_record
    from procore_qb.quickbooks.online.webhooks import WebhookPayloadError, parse_payload

    tally = Tally("qbo-json-parser")
    r = random.Random(seed)
    readers: list[Callable[[Any], Any]] = [
        customer_to_job,
        account_record,
        item_record,
        vendor_record,
        Bills.cost_lines,
        Purchases.cost_lines,
        JournalEntries.cost_lines,
        VendorCredits.cost_lines,
        lambda body: cdc._parse(body, ["Customer", "Item"]),
    ]
    samples = _qbo_samples()
    while budget.more(tally):
        pick = r.randrange(4)
        try:
            if pick == 0:
                body = json_body(r, r.choice(samples), "Fault" if r.random() < 0.3 else None)
                response = httpx2.Response(
                    r.choice([200, 400, 401, 403, 404, 429, 500, 503]),
                    content=body.encode("utf-8", "surrogatepass"),
                    headers={"Retry-After": _ascii(hostile_text(r)[:40])}
                    if r.random() < 0.3
                    else {},
                )
                error_from_response(response, realm_id="1")
            elif pick == 1:
                parse_payload(
                    json_body(r, r.choice(samples), None).encode("utf-8", "surrogatepass")
                )
            else:
                try:
                    value = json.loads(json_body(r, r.choice(samples), None))
                except (ValueError, RecursionError):
                    tally.saw("not json")
                    continue
                r.choice(readers)(value)
        except (QboError, WebhookPayloadError):
            tally.saw("refused")
            continue
        except Exception as exc:  # noqa: BLE001 - any other error is what is being counted
            tally.saw("unhandled", unhandled=f"{type(exc).__name__}: {exc}")
            continue
        tally.saw("read")
    return tally


def _qbo_samples() -> list[dict[str, Any]]:
    return [
        {
            "Id": "1",
            "DisplayName": "Job",
            "Job": True,
            "ParentRef": {"value": "2"},
            "Active": True,
            "SyncToken": "0",
            "BillAddr": {"Line1": "1 Main"},
            "MetaData": {"LastUpdatedTime": "2026-11-02T09:00:00-08:00"},
        },
        {
            "Id": "3",
            "Name": "Materials",
            "AccountType": "Expense",
            "Active": True,
            "AcctNum": "5000",
        },
        {"Id": "4", "Name": "Framing", "Type": "Service", "Active": True, "UnitPrice": 10},
        {
            "Id": "5",
            "TxnDate": "2026-11-01",
            "TotalAmt": 12.5,
            "Line": [
                {
                    "Amount": 12.5,
                    "DetailType": "AccountBasedExpenseLineDetail",
                    "AccountBasedExpenseLineDetail": {
                        "CustomerRef": {"value": "1"},
                        "AccountRef": {"value": "3"},
                    },
                }
            ],
        },
        {
            "Fault": {
                "Error": [{"Message": "m", "Detail": "d", "code": "6240"}],
                "type": "ValidationFault",
            }
        },
        {
            "eventNotifications": [
                {
                    "realmId": "1",
                    "dataChangeEvent": {
                        "entities": [
                            {
                                "name": "Customer",
                                "id": "1",
                                "operation": "Update",
                                "lastUpdated": "2026-11-02T09:00:00Z",
                            }
                        ]
                    },
                }
            ]
        },
        {
            "CDCResponse": [{"QueryResponse": [{"Customer": [{"Id": "1"}]}]}],
            "time": "2026-11-02T09:00:00Z",
        },
    ]


# ---------------------------------------------------------------------------- runner

CAMPAIGNS: dict[str, Callable[[Budget, int], Tally]] = {
    "qbwc-login": fuzz_qbwc_login,
    "qbwc-session": fuzz_qbwc_session,
    "procore": fuzz_procore,
    "qbo": fuzz_qbo,
    "qbd": fuzz_qbd,
    "qbxml-parser": fuzz_qbxml_parser,
    "qbo-json-parser": fuzz_qbo_json_parser,
}


def run(
    *,
    inputs: int = 10_000,
    seed: int = 1,
    only: tuple[str, ...] = BOUNDARIES,
    echo: bool = False,
    max_seconds: float | None = None,
) -> list[Tally]:
    """Run the campaigns named in ``only``, each for ``inputs`` inputs or ``max_seconds``,
    whichever comes first; each result also counts the log lines written."""
    counter = _LogCounter()
    root = logging.getLogger("procore_qb")
    old_level = root.level
    root.addHandler(counter)
    root.setLevel(logging.INFO)
    tallies = []
    try:
        for name in only:
            before = counter.count
            started = time.monotonic()
            deadline = None if max_seconds is None else started + max_seconds
            tally = CAMPAIGNS[name](Budget(inputs, deadline), seed)
            tally.seconds = time.monotonic() - started
            tally.log_lines = counter.count - before
            tallies.append(tally)
            if echo:
                print(tally.line(), flush=True)
                for example in tally.examples:
                    print(f"    e.g. {example!r}", flush=True)
    finally:
        root.removeHandler(counter)
        root.setLevel(old_level)
    return tallies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.fuzz", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs per boundary")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--max-seconds", type=float, default=None, help="stop each boundary after this long"
    )
    parser.add_argument("boundaries", nargs="*", choices=[*BOUNDARIES, []], default=[])
    args = parser.parse_args(argv)
    only = tuple(args.boundaries) or BOUNDARIES
    # The servers' own logging would drown the figures; the counter still sees every record.
    logging.getLogger("procore_qb").propagate = False
    tallies = run(
        inputs=args.inputs, seed=args.seed, only=only, echo=True, max_seconds=args.max_seconds
    )
    bad = sum(t.unhandled + t.broken_reads for t in tallies)
    total = sum(t.inputs for t in tallies)
    print(f"{total:,} inputs over {len(tallies)} boundaries; {bad} unhandled or broken")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
