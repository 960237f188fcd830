"""The Procore simulator in-process, on a manual clock, with a recording webhook receiver."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from procore_qb.sandbox.procore import ManualClock, ProcoreSandbox, SandboxConfig, create_app

COMPANY = 4263
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def as_user(token: str, company: int | None = COMPANY) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if company is not None:
        headers["Procore-Company-Id"] = str(company)
    return headers


ADA = as_user("demo-ada")
BEN = as_user("demo-ben")
CARA = as_user("demo-cara")
DAN = as_user("demo-dan")
EVE = as_user("demo-eve")


@dataclass
class Receiver:
    """Webhook destination: records requests, answers with the next scripted status."""

    statuses: list[int] = field(default_factory=list)
    requests: list[httpx2.Request] = field(default_factory=list)
    fail_with: Callable[[httpx2.Request], None] | None = None

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if self.fail_with is not None:
            self.fail_with(request)
        status = self.statuses.pop(0) if self.statuses else 204
        return httpx2.Response(status)


@dataclass
class Sim:
    sandbox: ProcoreSandbox
    http: TestClient
    clock: ManualClock
    receiver: Receiver

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def service_token(self) -> str:
        r = self.http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "demo-procore-client",
                "client_secret": "demo-procore-secret",
            },
        )
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def service(self) -> dict[str, str]:
        return as_user(self.service_token())


def make_sim(config: SandboxConfig | None = None, **kwargs: Any) -> Sim:
    clock = ManualClock(START)
    receiver = Receiver()
    webhook_client = httpx2.Client(transport=httpx2.MockTransport(receiver))
    sandbox = ProcoreSandbox(
        config=config or SandboxConfig(), clock=clock, webhook_client=webhook_client, **kwargs
    )
    return Sim(sandbox, TestClient(create_app(sandbox)), clock, receiver)


@pytest.fixture
def sim() -> Iterator[Sim]:
    made = make_sim()
    with made.http:
        yield made
