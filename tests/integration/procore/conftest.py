"""Our Procore client against the Procore simulator, in-process (Starlette's TestClient is an
``httpx2.Client``). The simulator's clock is manual: the client's sleeps move it forward, so
rate-limit waits and token expiry happen without wall-clock time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.testclient import TestClient

from procore_qb.procore.client import ProcoreClient
from procore_qb.procore.oauth import (
    Authenticator,
    ClientCredentialsAuth,
    InMemoryTokenStore,
    OAuthApp,
    OAuthClient,
)
from procore_qb.retrying import RetryPolicy
from procore_qb.sandbox import seed
from procore_qb.sandbox.procore import ManualClock, ProcoreSandbox, SandboxConfig, create_app

BASE = "http://testserver"
COMPANY = seed.PROCORE_COMPANY.id


class Sim:
    """One simulator instance and the helpers to point our client at it."""

    def __init__(self, sandbox: ProcoreSandbox, clock: ManualClock) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.http = TestClient(create_app(sandbox), base_url=BASE)
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if seconds > 0:
            self.clock.advance(seconds)

    def unix_now(self) -> float:
        return self.clock.now().timestamp()

    def client(self, auth: Authenticator, **kwargs: Any) -> ProcoreClient:
        return ProcoreClient(
            self.http,
            auth,
            company_id=kwargs.pop("company_id", COMPANY),
            base_url=BASE,
            sleep=self.sleep,
            clock=self.unix_now,
            retry=kwargs.pop("retry", RetryPolicy(random=lambda: 0.5)),
            **kwargs,
        )

    def oauth(self, redirect_uri: str = "http://127.0.0.1:8000/login/callback") -> OAuthClient:
        app = OAuthApp(
            seed.SERVICE_ACCOUNT.client_id,
            seed.SERVICE_ACCOUNT.client_secret,
            login_base_url=BASE,
            redirect_uri=redirect_uri,
        )
        return OAuthClient(self.http, app, clock=self.clock.now)

    def service_account(
        self, store: InMemoryTokenStore | None = None, **kwargs: Any
    ) -> ProcoreClient:
        auth = ClientCredentialsAuth(self.oauth(), store or InMemoryTokenStore(), "procore:svc")
        return self.client(auth, **kwargs)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        assert response.status_code < 300, response.text
        return response.json()


def make_sim(config: SandboxConfig | None = None, **kwargs: Any) -> Sim:
    clock = kwargs.pop("clock", None) or ManualClock(datetime(2026, 11, 28, 12, tzinfo=UTC))
    return Sim(ProcoreSandbox(config=config, clock=clock, **kwargs), clock)


@pytest.fixture
def sim() -> Iterator[Sim]:
    s = make_sim()
    yield s
    s.http.close()
