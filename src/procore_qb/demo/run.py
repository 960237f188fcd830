"""The demo: the production wiring, pointed at the simulators, in one process.

:class:`Demo` starts, in order: the simulators (loopback ports), the SQLite database in the data
directory (created, or reused and upgraded), the job queue and its embedded worker in a thread,
the web app (uvicorn in a thread), company setup (Procore connect, the cost code list, the
QuickBooks Online consent or the Web Connector login ``demo``/``demo``), the five seed users
signed in through the Procore simulator's authorization-code flow with their fixed tokens
(``demo-ada`` ...), and on Desktop a simulated Web Connector polling ``/qbwc``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx2
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.engine import Engine

from procore_qb.app import setup
from procore_qb.app.actors import actor_for_token, issue_token, sign_in
from procore_qb.app.context import AppContext
from procore_qb.app.notifications import register_mail_tasks
from procore_qb.app.tasks import register_tasks
from procore_qb.demo.servers import BackgroundServer
from procore_qb.demo.simulators import Simulators, start_simulators
from procore_qb.demo.web import build_demo_app, permissions
from procore_qb.jobs.factory import create_job_queue
from procore_qb.jobs.port import JobQueue
from procore_qb.quickbooks.desktop.config import WebConnectorSettings
from procore_qb.quickbooks.desktop.passwords import hash_password
from procore_qb.sandbox import seed
from procore_qb.sandbox.procore.errors import ProcoreSandboxError
from procore_qb.sandbox.qbd import QbdSimulatorError, WebConnectorPoller, WebConnectorTarget
from procore_qb.sandbox.qbo.errors import SnapshotError
from procore_qb.settings import (
    CompanySettings,
    ProcoreSettings,
    QuickBooksOnlineSettings,
    Settings,
)
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine
from procore_qb.web.wiring import build_app_context, build_web_dependencies

__all__ = ["Demo", "DemoError", "DemoOptions", "DemoUser"]

log = logging.getLogger(__name__)


class DemoError(Exception):
    """The demo could not start; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    port: int = 8000
    backend: str = "desktop"
    webconnector: bool = True
    webconnector_every: float = 10.0
    data_dir: Path = Path("procore-qb-demo")

    def __post_init__(self) -> None:
        if self.backend not in ("desktop", "online"):
            raise DemoError(f"--backend must be desktop or online, not {self.backend!r}")
        if not 0 <= self.port <= 65535:
            raise DemoError(f"--port must be 0-65535, not {self.port}")
        if not 1 <= self.webconnector_every <= 86400:
            raise DemoError("--webconnector-every must be 1 to 86400 seconds")


@dataclass(frozen=True, slots=True)
class DemoUser:
    email: str
    token: str
    roles: str


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Demo:
    """One running demo; :meth:`start` then :meth:`stop` (or use it as a context manager)."""

    options: DemoOptions
    progress: Callable[[str], None] = lambda _: None
    sims: Simulators | None = None
    app_server: BackgroundServer | None = None
    ctx: AppContext | None = None
    users: list[DemoUser] = field(default_factory=list)
    poller: WebConnectorPoller | None = None
    _engine: Engine | None = None
    _http: httpx2.Client | None = None
    _queue: JobQueue | None = None
    _worker: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        if self.app_server is None:
            raise DemoError("the demo is not running")
        return self.app_server.url

    def __enter__(self) -> Demo:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ start

    def settings(self, app_url: str, sims: Simulators) -> Settings:
        """Production settings, pointed at the simulators: only URLs and credentials differ."""
        user, password = seed.WEB_CONNECTOR_LOGIN
        qbo = sims.quickbooks_url
        return Settings(
            data_dir=self.options.data_dir,
            demo=True,
            company=CompanySettings(
                procore_company_id=seed.PROCORE_COMPANY.id,
                name=seed.PROCORE_COMPANY.name,
                qb_edition="online" if self.options.backend == "online" else "desktop",
            ),
            procore=ProcoreSettings(
                base_url=sims.procore_url,
                login_base_url=sims.procore_url,
                client_id=seed.SERVICE_ACCOUNT.client_id,
                client_secret=SecretStr(seed.SERVICE_ACCOUNT.client_secret),
                redirect_uri=f"{app_url}/login/callback",
            ),
            qbo=QuickBooksOnlineSettings(
                client_id=seed.QBO_APP.client_id,
                client_secret=SecretStr(seed.QBO_APP.client_secret),
                redirect_uri=f"{app_url}/quickbooks/callback",
                discovery_url=f"{qbo}/.well-known/openid_sandbox_configuration",
                api_base_url=qbo,
            ),
            webconnector=WebConnectorSettings(
                # The Web Connector takes http only for localhost (spec quickbooks-api §C).
                app_url=f"{app_url.replace('127.0.0.1', 'localhost', 1)}/qbwc",
                username=user,
                password_hash=hash_password(password),
                run_every_minutes=1,
            ),
        )

    def start(self) -> None:
        options = self.options
        options.data_dir.mkdir(parents=True, exist_ok=True)
        # The app's socket is bound first, so its URL (the redirect URIs, and the Web Connector
        # URL the QuickBooks Desktop console's "Run Web Connector now" connects to) is known up
        # front.
        self.app_server = BackgroundServer(FastAPI(), name="procore-qb", port=options.port)
        user, password = seed.WEB_CONNECTOR_LOGIN
        self.progress("starting the simulators")
        try:
            self.sims = sims = start_simulators(
                options.backend,
                options.data_dir / "sandbox",
                web_connector=WebConnectorTarget(
                    f"{self.app_server.url}/qbwc", user, password, timeout_seconds=120.0
                ),
            )
        except (ProcoreSandboxError, QbdSimulatorError, SnapshotError) as exc:
            self.stop()
            raise DemoError(
                f"a simulator could not load its state in {options.data_dir / 'sandbox'}: "
                f"{exc}; use another --data-dir, or delete that folder to start over"
            ) from exc
        try:
            self._start(sims)
        except BaseException:
            self.stop()
            raise

    def _start(self, sims: Simulators) -> None:
        options = self.options
        if self.app_server is None:
            raise DemoError("the demo is not running")
        settings = self.settings(self.app_server.url, sims)
        self.progress("opening the database")
        engine = create_engine(settings.database_url())
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        deps, self._engine = build_web_dependencies(settings)
        self._queue = queue = create_job_queue(self._engine, settings.jobs, worker_name="demo")
        self._http = http = httpx2.Client(timeout=30.0)
        self.ctx = ctx = build_app_context(
            settings, sessions=deps.sessions, queue=queue, company_id=deps.company_id, http=http
        )
        register_tasks(ctx)
        # No mail server in the demo: mail is held in the outbox, where it can be read.
        register_mail_tasks(
            queue,
            sessions=deps.sessions,
            sender_factory=lambda: None,
            clock=ctx.clock,
            company_ids=[deps.company_id],
        )
        app = build_demo_app(deps, ctx, describe=sims.describe)
        self.app_server.set_app(app)
        self.app_server.start()
        self.progress("connecting Procore and QuickBooks")
        self._setup(ctx, sims)
        # The worker starts once the setup has asked for the job list and the cost code list:
        # started before, its hourly tick (due at once in the first minutes of an hour) could
        # ask for them too, and QuickBooks would get each request twice.
        self._worker = threading.Thread(
            target=queue.run_worker, kwargs={"stop": self._stop}, name="demo-worker", daemon=True
        )
        self._worker.start()
        self.progress("signing in the demo users")
        self._sign_in_users(ctx, sims)
        if options.backend == "desktop" and options.webconnector and sims.qbd is not None:
            user, password = seed.WEB_CONNECTOR_LOGIN
            self.poller = WebConnectorPoller(
                lambda: httpx2.Client(timeout=120.0),
                f"{self.url}/qbwc",
                user,
                password,
                sims.qbd.processor,
                every_seconds=options.webconnector_every,
            )
            self.poller.start()

    def _setup(self, ctx: AppContext, sims: Simulators) -> None:
        setup.connect_procore(ctx)
        if ctx.edition.value == "online" and setup.online_realm(ctx) is None:
            url = setup.begin_online_connect(ctx)
            # The simulator's consent page consents at once and redirects to our callback.
            answer = self._client().get(url, follow_redirects=False)
            location = answer.headers.get("location", "")
            if answer.status_code != 302 or not location:
                raise DemoError(f"the QuickBooks Online simulator refused the consent: {answer}")
            setup.finish_online_connect(ctx, dict(parse_qsl(urlsplit(location).query)))

    def _sign_in_users(self, ctx: AppContext, sims: Simulators) -> None:
        """Each seed user signs in through Procore's authorization-code flow (the simulator's
        login page takes ``login_hint``), then gets their fixed demo token."""
        http = self._client()
        self.users = []
        for user in seed.USERS:
            signed = actor_for_token(ctx, user.token)
            if signed is None:
                url = ctx.procore_authorize_url(f"demo-{user.id}")
                hint = urlencode({"login_hint": user.email})
                answer = http.get(f"{url}&{hint}")
                location = answer.headers.get("location", "")
                code = dict(parse_qsl(urlsplit(location).query)).get("code")
                if answer.status_code != 302 or not code:
                    raise DemoError(
                        f"the Procore simulator did not sign in {user.email}: "
                        f"HTTP {answer.status_code}"
                    )
                actor = sign_in(ctx, code)
                issue_token(ctx, actor, label="demo", token=user.token)
            self.users.append(DemoUser(user.email, user.token, permissions(user)))

    # ------------------------------------------------------------------ stop

    def stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()
            self.poller = None
        if self.app_server is not None:
            self.app_server.stop()
        self._stop.set()
        if self._worker is not None:
            self._worker.join(30)
            self._worker = None
        if self.sims is not None:
            self.sims.stop()
            self.sims = None
        if self._http is not None:
            self._http.close()
            self._http = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    # ------------------------------------------------------------------ banner

    def _client(self) -> httpx2.Client:
        if self._http is None:
            raise DemoError("the demo is not running")
        return self._http

    def banner(self) -> list[str]:
        if self.sims is None:
            raise DemoError("the demo is not running")
        described = self.sims.describe()
        lines = [
            f"procore-qb demo ({self.options.backend}) at {self.url}/",
            f"  data: {self.options.data_dir.resolve()}",
            f"  web app: {self.url}/ (Sign in with Procore, then pick one of the users below)",
            "  users (Authorization: Bearer TOKEN):",
        ]
        lines += [f"    {u.token:<10} {u.email:<22} {u.roles}" for u in self.users]
        lines.append(
            f"  Procore simulator:    {self.sims.procore_url}  "
            f"console {described['procore']['console']}"
        )
        name = "QuickBooks Online" if self.options.backend == "online" else "QuickBooks Desktop"
        key = "quickbooks_online" if self.options.backend == "online" else "quickbooks_desktop"
        lines.append(
            f"  {name} simulator: {self.sims.quickbooks_url}  console {described[key]['console']}"
        )
        if self.poller is not None:
            lines.append(
                f"  Web Connector: polls {self.url}/qbwc every "
                f"{self.options.webconnector_every:g} s as demo/demo"
            )
        elif self.options.backend == "desktop":
            lines.append(
                f"  Web Connector: off; run one session with `procore-qb sandbox webconnector "
                f"--url {self.url}/qbwc --username demo --password demo --data-dir "
                f"{(self.options.data_dir / 'sandbox' / 'qbd').resolve()}`"
            )
        lines.append(f"  simulators and credentials: GET {self.url}/api/v1/demo")
        lines.append("procore-qb demo is ready (Ctrl+C stops it)")
        return lines
