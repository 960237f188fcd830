"""The QuickBooks Online simulator in-process, on a hand-driven clock, with a token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
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
