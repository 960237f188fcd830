"""A QuickBooks Online simulator in-process, and our client connected to it through OAuth."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx2
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from procore_qb.quickbooks.online.client import QboClient
from procore_qb.quickbooks.online.gateway import OnlineGateway
from procore_qb.quickbooks.online.oauth import (
    OAuthApp,
    OAuthClient,
    TokenManager,
    fetch_discovery,
    new_state,
)
from procore_qb.quickbooks.online.throttle import RealmLimiter
from procore_qb.retrying import RetryPolicy
from procore_qb.sandbox.qbo import ManualClock, SimulatorConfig, create_app
from procore_qb.store.models import Company
from procore_qb.store.repositories.connections import QUICKBOOKS_ONLINE, SqlTokenStore
from procore_qb.store.secrets import SecretBox

BASE = "http://testserver"
APP = OAuthApp("demo-qbo-client", "demo-qbo-secret", "http://127.0.0.1:8000/quickbooks/callback")
REALM = "9130357992221046"

Interceptor = Callable[
    [httpx2.Request, Callable[[httpx2.Request], httpx2.Response]], httpx2.Response
]


@dataclass
class Harness:
    """The simulator, a client to it, and the pieces of our side wired over a database."""

    sessions: sessionmaker[Session]
    config: SimulatorConfig = field(default_factory=SimulatorConfig)
    clock: ManualClock = field(default_factory=ManualClock)
    box: SecretBox = field(default_factory=lambda: SecretBox(Fernet.generate_key()))
    interceptor: Interceptor | None = None
    sleeps: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app = create_app(config=self.config, clock=self.clock)
        self.raw = TestClient(self.app, base_url=BASE, follow_redirects=False)
        # Our side talks through a transport that tests may intercept (lost answers, 5xx).
        self.http = httpx2.Client(transport=httpx2.MockTransport(self._forward))
        with self.sessions.begin() as session:
            session.add(
                Company(
                    id=1,
                    procore_company_id=4263,
                    name="Summit Ridge Builders",
                    qb_edition="online",
                    qb_realm_id=REALM,
                    created_at=self.clock.now(),
                )
            )
        self.discovery = fetch_discovery(
            self.http, f"{BASE}/.well-known/openid_sandbox_configuration"
        )

    def _send(self, request: httpx2.Request) -> httpx2.Response:
        answer = self.raw.send(request)
        return httpx2.Response(answer.status_code, headers=answer.headers, content=answer.read())

    def _forward(self, request: httpx2.Request) -> httpx2.Response:
        if self.interceptor is not None:
            return self.interceptor(request, self._send)
        return self._send(request)

    def sleep(self, seconds: float) -> None:
        """Our retry and throttle sleeps move the simulator's clock instead of waiting."""
        self.sleeps.append(seconds)
        self.clock.advance(seconds)

    def oauth(self) -> OAuthClient:
        return OAuthClient(self.http, APP, self.discovery, clock=self.clock.now)

    def store(self) -> SqlTokenStore:
        return SqlTokenStore(
            self.sessions,
            self.box,
            company_id=1,
            provider=QUICKBOOKS_ONLINE,
            clock=self.clock.now,
        )

    def tokens(self) -> TokenManager:
        return TokenManager(self.oauth(), self.store(), realm_id=REALM, clock=self.clock.now)

    def connect(self) -> TokenManager:
        """The browser part of the connect flow: the sandbox consents at once."""
        oauth = self.oauth()
        state = new_state()
        redirect = self.raw.get(oauth.authorization_url(state))
        assert redirect.status_code in (302, 303, 307), redirect.text
        callback = {
            k: v[0] for k, v in parse_qs(urlsplit(redirect.headers["location"]).query).items()
        }
        connected = oauth.complete(callback, expected_state=state)
        assert connected.realm_id == REALM
        manager = self.tokens()
        manager.connect(connected)
        return manager

    def client(self, tokens: TokenManager | None = None, *, max_attempts: int = 6) -> QboClient:
        return QboClient(
            self.http,
            realm_id=REALM,
            tokens=tokens or self.tokens(),
            base_url=BASE,
            limiter=RealmLimiter(
                per_minute=10_000, batch_per_minute=10_000, clock=lambda: 0.0, sleep=self.sleep
            ),
            retry=RetryPolicy(
                max_attempts=max_attempts,
                base_delay=15.0,
                max_delay=60.0,
                sleep=self.sleep,
                random=random.Random(7).random,
            ),
        )

    def gateway(self, client: QboClient | None = None) -> OnlineGateway:
        return OnlineGateway(client or self.client(), clock=self.clock.now)

    def configure(self, **changes: object) -> None:
        response = self.raw.post("/_sandbox/config", json=changes)
        assert response.status_code == 200, response.text
