"""The whole system in one process, as production wires it: procore-qb's web app (API, Web
Connector endpoint) over a migrated SQLite store and the embedded job queue, talking through one
``httpx2`` client to the Procore simulator and to the QuickBooks simulator of the chosen edition
(Online in-process; Desktop's company file driven by its simulated Web Connector calling our
``/qbwc``). Only base URLs and credentials differ from production.

The seed users sign in through the Procore simulator's real OAuth authorization-code flow and
get their demo tokens (``demo-ada`` ...), so every API call checks their real Procore
permissions.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from procore_qb.app import actors
from procore_qb.app.company import save_settings
from procore_qb.app.context import AppContext
from procore_qb.app.tasks import register_tasks
from procore_qb.domain.commands import CreateJob, QueryItems, QueryJobs, UpdateJob
from procore_qb.domain.quickbooks_job import QuickBooksJob
from procore_qb.jobs.embedded import EmbeddedJobQueue
from procore_qb.jobs.port import JobQueue
from procore_qb.quickbooks.desktop.config import WebConnectorSettings
from procore_qb.quickbooks.desktop.passwords import hash_password
from procore_qb.quickbooks.online.gateway import OnlineGateway
from procore_qb.quickbooks.online.oauth import OAuthApp, OAuthClient, TokenManager, fetch_discovery
from procore_qb.sandbox import seed
from procore_qb.sandbox.procore import ManualClock as ProcoreClock
from procore_qb.sandbox.procore import ProcoreSandbox
from procore_qb.sandbox.procore import create_app as procore_app
from procore_qb.sandbox.qbd import ManualClock as QbdClock
from procore_qb.sandbox.qbd import open_simulator, run_session
from procore_qb.sandbox.qbd.webconnector import Transcript
from procore_qb.sandbox.qbo import ManualClock as QboClock
from procore_qb.sandbox.qbo import create_app as qbo_app
from procore_qb.settings import (
    CompanySettings,
    DatabaseSettings,
    ProcoreSettings,
    QuickBooksOnlineSettings,
    Settings,
)
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.models import Company
from procore_qb.store.repositories.connections import QUICKBOOKS_ONLINE, SqlTokenStore
from procore_qb.store.secrets import SecretBox, load_or_create_key
from procore_qb.web.app import create_app
from procore_qb.web.wiring import build_app_context, build_web_dependencies

PROCORE = "http://procore.test"
QBO = "http://qbo.test"
APP = "http://localhost"
START = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
REDIRECT = "http://127.0.0.1:8000/login/callback"
QBO_REDIRECT = "http://127.0.0.1:8000/quickbooks/callback"
WC_USER, WC_PASSWORD = seed.WEB_CONNECTOR_LOGIN
TOKENS = {u.email.split("@")[0]: u.token for u in seed.USERS}


@dataclass
class Clock:
    """One manual clock for our side; the simulators keep their own."""

    now_value: datetime = START

    def now(self) -> datetime:
        return self.now_value

    def advance(self, **delta: float) -> None:
        self.now_value += timedelta(**delta)


class WallClock(Clock):
    """The real time, for a stack whose work other processes share (they run on it too)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def advance(self, **delta: float) -> None:
        raise TypeError("the wall clock cannot be advanced")


def stack_settings(
    edition: str,
    tmp_path: Path,
    *,
    database_url: str | None = None,
    procore_url: str = PROCORE,
    qbo_url: str = QBO,
) -> Settings:
    """procore-qb's settings in the stack: the same for every process that shares it."""
    return Settings(
        data_dir=tmp_path / "data",
        secret_key=load_or_create_key("", tmp_path / "data").decode(),
        database=DatabaseSettings(url=database_url or f"sqlite:///{tmp_path / 'app.sqlite3'}"),
        company=CompanySettings(
            procore_company_id=seed.PROCORE_COMPANY.id,
            name=seed.PROCORE_COMPANY.name,
            qb_edition="online" if edition == "online" else "desktop",
        ),
        webconnector=WebConnectorSettings(
            app_url=f"{APP}/qbwc", username=WC_USER, password_hash=hash_password(WC_PASSWORD)
        ),
        procore=ProcoreSettings(
            base_url=procore_url,
            login_base_url=procore_url,
            client_id=seed.SERVICE_ACCOUNT.client_id,
            client_secret=seed.SERVICE_ACCOUNT.client_secret,
            redirect_uri=REDIRECT,
        ),
        qbo=QuickBooksOnlineSettings(
            client_id=seed.QBO_APP.client_id,
            client_secret=seed.QBO_APP.client_secret,
            redirect_uri=QBO_REDIRECT,
            discovery_url=f"{qbo_url}/.well-known/openid_sandbox_configuration",
            api_base_url=qbo_url,
            webhook_verifier_token="demo-qbo-verifier",
        ),
        demo=True,
    )


class ServedApp:
    """An ASGI app served over HTTP on 127.0.0.1 (a free port) in a background thread."""

    def __init__(self, app: Any, name: str) -> None:
        import uvicorn

        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=name, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"{name} did not start on 127.0.0.1")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _logging(app: Any, name: str, log: list[tuple[str, str, str]]) -> Any:
    """``app`` noting each HTTP request it gets in ``log``."""

    async def logged(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            log.append((name, scope["method"], scope["path"]))
        await app(scope, receive, send)

    return logged


@dataclass
class Stack:
    """``on_disk`` keeps the simulators' state in files under ``tmp_path`` (as the database
    always is), so another process can open the same world; ``restart`` opens a world an
    earlier stack left there instead of setting one up (no new sign-ins or connections)."""

    edition: str
    tmp_path: Path
    clock: Clock = field(default_factory=Clock)
    on_disk: bool = False
    restart: bool = False
    database_url: str | None = None
    """Another database than SQLite in ``tmp_path`` (PostgreSQL)."""
    queue_factory: Callable[[Engine, Callable[[], datetime]], JobQueue] | None = None
    """Another job queue than the embedded one, from the engine and the clock."""
    served: bool = False
    """Serve the simulators on 127.0.0.1 too, so that other processes (workers) reach them;
    this process still calls them in-process."""

    def _sim_dir(self, name: str) -> Path | None:
        return self.tmp_path / "sim" / name if self.on_disk or self.restart else None

    def __post_init__(self) -> None:
        self.served_requests: list[tuple[str, str, str]] = []
        """(simulator, method, path) of each request to the served simulators (other
        processes' calls; this process calls them in-process)."""
        self.procore_clock = ProcoreClock(START)
        self.procore_sim = ProcoreSandbox(
            clock=self.procore_clock, data_dir=self._sim_dir("procore")
        )
        self.served_apps: list[ServedApp] = []
        procore_asgi = procore_app(self.procore_sim)
        self.procore_url = self._serve(procore_asgi, "procore-sandbox", PROCORE)
        self.procore = TestClient(procore_asgi, base_url=self.procore_url)
        self.qbo_clock = QboClock()
        self.qbo: TestClient | None = None
        self.qbd = None
        self.qbo_url = QBO
        if self.edition == "online":
            qbo_asgi = qbo_app(clock=self.qbo_clock, data_dir=self._sim_dir("qbo"))
            self.qbo_url = self._serve(qbo_asgi, "qbo-sandbox", QBO)
            self.qbo = TestClient(qbo_asgi, base_url=self.qbo_url, follow_redirects=False)
        else:
            self.qbd = open_simulator(self._sim_dir("qbd"), QbdClock(START))
        self.http = httpx2.Client(transport=httpx2.MockTransport(self._route))
        self.settings = stack_settings(
            self.edition,
            self.tmp_path,
            database_url=self.database_url,
            procore_url=self.procore_url,
            qbo_url=self.qbo_url,
        )
        engine = create_engine(self.settings.database_url())
        migrate.upgrade(engine)
        engine.dispose()
        self.deps, self.engine = build_web_dependencies(self.settings)
        self.sessions: sessionmaker[Session] = create_session_factory(self.engine)
        self.company_id = self.deps.company_id
        if self.edition == "online" and not self.restart:
            self._connect_online()
        self.queue: JobQueue = (
            self.queue_factory(self.engine, self.clock.now)
            if self.queue_factory is not None
            else EmbeddedJobQueue(self.engine, clock=self.clock.now)
        )
        self.ctx: AppContext = build_app_context(
            self.settings,
            sessions=self.sessions,
            queue=self.queue,
            company_id=self.company_id,
            http=self.http,
            clock=self.clock.now,
            procore_sleep=self._procore_sleep,
        )
        register_tasks(self.ctx)
        self.app = create_app(self.deps, self.ctx)
        self.api = TestClient(self.app, base_url=APP)
        if self.qbo is not None:
            simulator = self.qbo.app.state.simulator  # type: ignore[attr-defined]
            simulator.webhooks.set_client(self.api)
            configured = self.qbo.post(
                "/_sandbox/config", json={"webhook_url": f"{APP}/webhooks/quickbooks"}
            )
            assert configured.status_code == 200, configured.text
        if self.restart:
            return
        for user in seed.USERS:
            self.sign_in(user.email, user.token)
        with self.sessions.begin() as session:
            save_settings(
                session,
                self.company_id,
                {"quickbooks_cost_code_list_id": seed.QUICKBOOKS_LIST_ID},
                now=self.clock.now(),
            )
        self._map_cost_codes()

    # ------------------------------------------------------------------ plumbing

    def _serve(self, app: Any, name: str, default: str) -> str:
        if not self.served:
            return default
        served = ServedApp(_logging(app, name, self.served_requests), name)
        self.served_apps.append(served)
        return served.url

    def _route(self, request: httpx2.Request) -> httpx2.Response:
        origin = f"{request.url.scheme}://{request.url.host}"
        if request.url.port is not None:
            origin += f":{request.url.port}"
        if origin == self.procore_url:
            target = self.procore
        elif origin == self.qbo_url and self.qbo is not None:
            target = self.qbo
        else:
            return httpx2.Response(502, text=f"no simulator at {origin}")
        answer = target.send(request)
        return httpx2.Response(answer.status_code, headers=answer.headers, content=answer.read())

    def _procore_sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.procore_clock.advance(seconds)

    def _connect_online(self) -> None:
        """Intuit's consent flow: the simulator consents at once and redirects back."""
        assert self.qbo is not None
        discovery = fetch_discovery(self.http, self.settings.qbo.discovery_url)
        oauth = OAuthClient(
            self.http,
            OAuthApp(seed.QBO_APP.client_id, seed.QBO_APP.client_secret, QBO_REDIRECT),
            discovery,
            clock=self.clock.now,
        )
        redirect = self.qbo.get(oauth.authorization_url("state-1"))
        assert redirect.status_code in (302, 303, 307), redirect.text
        query = parse_qs(urlsplit(redirect.headers["location"]).query)
        connected = oauth.complete({k: v[0] for k, v in query.items()}, expected_state="state-1")
        box = SecretBox(
            load_or_create_key(self.settings.secret_key.get_secret_value(), self.settings.data_dir)
        )
        store = SqlTokenStore(
            self.sessions,
            box,
            company_id=self.company_id,
            provider=QUICKBOOKS_ONLINE,
            clock=self.clock.now,
        )
        TokenManager(oauth, store, realm_id=connected.realm_id, clock=self.clock.now).connect(
            connected
        )
        with self.sessions.begin() as session:
            company = session.get(Company, self.company_id)
            assert company is not None
            company.qb_realm_id = connected.realm_id

    def sign_in(self, email: str, token: str) -> actors.Actor:
        """A person signs in to Procore through procore-qb and gets an API token."""
        query = urlencode(
            {
                "response_type": "code",
                "client_id": seed.SERVICE_ACCOUNT.client_id,
                "redirect_uri": REDIRECT,
                "state": "s",
                "login_hint": email,
            }
        )
        answer = self.procore.get(f"/oauth/authorize?{query}", follow_redirects=False)
        assert answer.status_code in (302, 303), answer.text
        code = parse_qs(urlsplit(answer.headers["location"]).query)["code"][0]
        actor = actors.sign_in(self.ctx, code)
        actors.issue_token(self.ctx, actor, token=token, label="demo")
        return actor

    def _map_cost_codes(self) -> None:
        """The standard cost codes carry the QuickBooks item they were built from."""
        if self.edition == "online":
            result = self.ctx.online().execute([QueryItems(idempotency_key="items-0")])[0]  # type: ignore[misc]
            items = {i.name: i.id for i in result.items}
        else:
            assert self.qbd is not None
            items = {o.name: o.list_id for o in self.qbd.company.lists(["ItemService"])}
        gateway = self.ctx.procore()
        from procore_qb.procore.gateway import OriginMark

        marks = [
            OriginMark(code.id, items[code.full_code])
            for code in gateway.standard_cost_codes(seed.QUICKBOOKS_LIST_ID)
            if code.full_code in items
        ]
        gateway.mark_standard_cost_codes_synced(seed.QUICKBOOKS_LIST_ID, marks)

    # ------------------------------------------------------------------ driving

    def call(self, user: str, method: str, path: str, body: Any = None) -> httpx2.Response:
        headers = {"Authorization": f"Bearer {TOKENS[user]}"}
        return self.api.request(method, f"/api/v1{path}", json=body, headers=headers)

    def ok(self, user: str, method: str, path: str, body: Any = None) -> Any:
        answer = self.call(user, method, path, body)
        assert answer.status_code < 300, f"{answer.status_code} {answer.text}"
        return answer.json()

    def run_jobs(self, *, expect_failures: bool = False) -> None:
        """Run every due job; a job that fails (or is put off for a retry) fails the test
        unless the test expects it."""
        report = self.queue.run_until_idle()
        if not expect_failures:
            assert report.failed == 0, report
            assert report.retried == 0, report

    def web_connector(self) -> Transcript:
        """One run of the simulated Web Connector against our /qbwc (Desktop)."""
        assert self.qbd is not None
        return run_session(self.api, f"{APP}/qbwc", WC_USER, WC_PASSWORD, self.qbd.processor)

    def deliver_webhooks(self) -> int:
        """QuickBooks Online sends the change notifications that are due (Online only)."""
        assert self.qbo is not None
        answer = self.qbo.post("/_sandbox/webhooks/deliver")
        assert answer.status_code == 200, answer.text
        return int(answer.json().get("delivered", 0))

    def settle(self) -> None:
        """Let QuickBooks and the jobs do everything that is waiting."""
        for _ in range(4):
            self.run_jobs()
            if self.qbd is not None:
                self.web_connector()
            self.run_jobs()

    # ------------------------------------------------------------------ a person in QuickBooks

    def qb_jobs(self) -> dict[str, QuickBooksJob]:
        """Every customer and job as QuickBooks has it now, by full name."""
        if self.qbd is not None:
            out = {}
            for obj in self.qbd.company.lists(["Customer"]):
                out[obj.full_name] = QuickBooksJob(
                    name=obj.name,
                    full_name=obj.full_name,
                    id=obj.list_id,
                    version=obj.edit_sequence,
                    parent_id=obj.parent_id,
                    active=obj.is_active,
                )
            return out
        result = self._online().execute([QueryJobs(idempotency_key=f"q{uuid.uuid4().hex[:20]}")])[0]
        return {(j.full_name or j.name): j for j in result.jobs}

    def _online(self) -> OnlineGateway:
        assert self.ctx.online is not None
        return self.ctx.online()

    def qb_add_job(self, name: str, parent_full_name: str) -> None:
        """Someone creates a job in QuickBooks."""
        if self.qbd is not None:
            self._qbxml(
                f"<CustomerAddRq><CustomerAdd><Name>{name}</Name><ParentRef><FullName>"
                f"{parent_full_name}</FullName></ParentRef></CustomerAdd></CustomerAddRq>"
            )
            return
        parent = self.qb_jobs()[parent_full_name]
        job = QuickBooksJob(name=name, parent_id=parent.id, parent_full_name=parent_full_name)
        key = f"a{uuid.uuid4().hex[:20]}"
        result = self._online().execute([CreateJob(idempotency_key=key, job=job)])[0]
        assert result.ok, result.error

    def qb_rename(self, full_name: str, new_name: str) -> None:
        """Someone renames a customer or job in QuickBooks."""
        self.qb_modify(full_name, name=new_name)

    def qb_modify(
        self, full_name: str, *, name: str | None = None, active: bool | None = None
    ) -> None:
        """Someone edits a customer or job in QuickBooks (its name, or makes it inactive)."""
        job = self.qb_jobs()[full_name]
        if self.qbd is not None:
            fields = ""
            if name is not None:
                fields += f"<Name>{name}</Name>"
            if active is not None:
                fields += f"<IsActive>{'true' if active else 'false'}</IsActive>"
            self._qbxml(
                f"<CustomerModRq><CustomerMod><ListID>{job.id}</ListID><EditSequence>"
                f"{job.version}</EditSequence>{fields}</CustomerMod></CustomerModRq>"
            )
            return
        key = f"u{uuid.uuid4().hex[:20]}"
        changed = dataclasses.replace(
            job,
            name=job.name if name is None else name,
            active=job.active if active is None else active,
        )
        result = self._online().execute([UpdateJob(idempotency_key=key, job=changed)])[0]
        assert result.ok, result.error

    def _qbxml(self, request: str) -> None:
        assert self.qbd is not None
        answer = self.qbd.processor.process(
            '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML>'
            f'<QBXMLMsgsRq onError="stopOnError">{request}</QBXMLMsgsRq></QBXML>'
        )
        assert 'statusCode="0"' in answer, answer

    def items(self, user: str, filter: str) -> list[dict[str, Any]]:
        return list(self.ok(user, "GET", f"/erp/jobs?filter={filter}&per_page=500")["items"])

    def close(self) -> None:
        self.api.close()
        self.procore.close()
        if self.qbo is not None:
            self.qbo.close()
        self.http.close()
        self.engine.dispose()
        for served in self.served_apps:
            served.close()
