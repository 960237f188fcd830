"""The QuickBooks Online simulator in-process, on a hand-driven clock, with a token."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from procore_qb.sandbox.qbo import ManualClock, Simulator, SimulatorConfig, create_app
from procore_qb.sandbox.seed import QBO_REALM_ID

REALM = QBO_REALM_ID
BASE = f"/v3/company/{REALM}"


class Api:
    """Small helpers over the raw HTTP client: every call is a real request to the app."""

    def __init__(self, client: TestClient, token: str) -> None:
        self.client = client
        self.token = token

    def renew(self) -> None:
        """A fresh access token, after the clock moved past the old one's hour."""
        self.token = self.client.post("/_sandbox/tokens").json()["access_token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}

    def post(self, path: str, body: Any, **params: str) -> Any:
        return self.client.post(BASE + path, json=body, headers=self.headers, params=params)

    def get(self, path: str, **params: str) -> Any:
        return self.client.get(BASE + path, headers=self.headers, params=params)

    def query(self, text: str) -> Any:
        headers = {**self.headers, "Content-Type": "application/text"}
        return self.client.post(BASE + "/query", content=text, headers=headers)

    def rows(self, text: str) -> list[dict[str, Any]]:
        response = self.query(text)
        assert response.status_code == 200, response.text
        entity = text.split()[3]
        return list(response.json()["QueryResponse"].get(entity, []))

    def one(self, entity: str, where: str) -> dict[str, Any]:
        rows = self.rows(f"select * from {entity} where {where}")
        assert len(rows) == 1, rows
        return rows[0]


def fault(response: Any) -> dict[str, Any]:
    """The single error of a ``Fault`` response."""
    errors = response.json()["Fault"]["Error"]
    assert len(errors) == 1
    return dict(errors[0])


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def config() -> SimulatorConfig:
    return SimulatorConfig()


@pytest.fixture
def simulator(config: SimulatorConfig, clock: ManualClock) -> Simulator:
    return Simulator(config, clock=clock)


@pytest.fixture
def client(simulator: Simulator) -> Iterator[TestClient]:
    with TestClient(create_app(simulator), base_url="http://127.0.0.1:8001") as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient) -> Api:
    tokens = client.post("/_sandbox/tokens").json()
    return Api(client, tokens["access_token"])


@pytest.fixture
def live(simulator: Simulator) -> Iterator[str]:
    """The simulator on an ephemeral loopback port, for clients that make their own HTTP calls;
    yields its base URL."""
    config = uvicorn.Config(create_app(simulator), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        time.sleep(0.01)
    assert server.started
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
