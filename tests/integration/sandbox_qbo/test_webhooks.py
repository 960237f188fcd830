"""Webhooks: signed notifications in both payload formats, retried on the documented schedule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from procore_qb.sandbox.qbo import ManualClock, Simulator, SimulatorConfig, create_app

from .conftest import Api

HOOK = "http://receiver.test/webhooks/quickbooks"


class Receiver:
    """The app's webhook endpoint: records what arrives, answers with ``status``."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.on_receive: Callable[[], None] | None = None

    async def endpoint(self, request: Request) -> Response:
        self.received.append((await request.body(), dict(request.headers)))
        if self.on_receive is not None:
            self.on_receive()
        return Response(status_code=self.status)


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def simulator(
    config: SimulatorConfig, clock: ManualClock, receiver: Receiver
) -> Iterator[Simulator]:
    config.webhook_url = HOOK
    app = Starlette(routes=[Route("/webhooks/quickbooks", receiver.endpoint, methods=["POST"])])
    with TestClient(app, base_url="http://receiver.test") as hook_client:
        yield Simulator(config, clock=clock, webhook_client=hook_client)


def entity_ids(body: bytes) -> tuple[str, ...]:
    (notification,) = json.loads(body)["eventNotifications"]
    return tuple(e["id"] for e in notification["dataChangeEvent"]["entities"])


def make_customer(api: Api, name: str) -> str:
    response = api.post("/customer", {"DisplayName": name})
    assert response.status_code == 200
    return str(response.json()["Customer"]["Id"])


def test_legacy_notification_with_a_valid_signature(
    api: Api, simulator: Simulator, receiver: Receiver
) -> None:
    entity_id = make_customer(api, "Hooked Co")
    assert receiver.received == []  # nothing is sent until delivery runs
    assert simulator.deliver_due() == 1
    ((body, headers),) = receiver.received
    expected = base64.b64encode(
        hmac.new(b"demo-qbo-verifier", body, hashlib.sha256).digest()
    ).decode()
    assert headers["intuit-signature"] == expected
    (notification,) = json.loads(body)["eventNotifications"]
    assert notification["realmId"] == "9130357992221046"
    (entity,) = notification["dataChangeEvent"]["entities"]
    assert entity["name"] == "Customer"
    assert entity["id"] == entity_id
    assert entity["operation"] == "Create"


def test_cloudevents_payload(api: Api, simulator: Simulator, receiver: Receiver) -> None:
    simulator.config.webhook_format = "cloudevents"
    bill = api.one("Bill", "DocNumber = 'VP-330'")
    api.post("/bill", {"Id": bill["Id"], "SyncToken": bill["SyncToken"]}, operation="delete")
    simulator.deliver_due()
    (event,) = json.loads(receiver.received[0][0])
    assert event["specversion"] == "1.0"
    assert event["type"] == "qbo.bill.deleted.v1"
    assert event["intuitentityid"] == bill["Id"]
    assert event["intuitaccountid"] == "9130357992221046"


def test_retry_schedule_and_in_order_delivery(
    api: Api, simulator: Simulator, receiver: Receiver, clock: ManualClock
) -> None:
    receiver.status = 500
    first = make_customer(api, "First Event")
    make_customer(api, "Second Event")
    attempts_at: list[float] = []
    start = clock.now()
    for _ in range(12 * 3600):
        before = len(receiver.received)
        simulator.deliver_due()
        if len(receiver.received) > before:
            attempts_at.append((clock.now() - start).total_seconds())
        if len(attempts_at) == 10:
            break
        clock.advance(10)
    # 0s, 10s, 20s, 30s, 5m, 20m, 2h, 4h, 6h, then every 6 h.
    assert attempts_at == [0, 10, 20, 30, 300, 1200, 7200, 14400, 21600, 43200]
    # The second notification waited behind the first one.
    assert {entity_ids(body) for body, _ in receiver.received} == {(first,)}
    receiver.status = 200
    clock.advance(6 * 3600)
    assert simulator.deliver_due() == 2
    deliveries = api.client.get("/_sandbox/webhooks").json()["deliveries"]
    assert [d["delivered"] for d in deliveries] == [True, True]
    assert len(deliveries[0]["attempts"]) == 11


def test_compressed_schedule_for_tests(
    api: Api, simulator: Simulator, receiver: Receiver, clock: ManualClock
) -> None:
    api.client.post("/_sandbox/config", json={"webhook_retry_schedule": [0, 1, 2]})
    receiver.status = 503
    make_customer(api, "Quick Retry")
    simulator.deliver_due()
    clock.advance(1)
    simulator.deliver_due()
    receiver.status = 200
    clock.advance(1)
    assert api.client.post("/_sandbox/webhooks/deliver").json()["acknowledged"] == 1
    assert len(receiver.received) == 3


def test_no_url_no_notifications(clock: ManualClock) -> None:
    simulator = Simulator(SimulatorConfig(), clock=clock)
    client = TestClient(create_app(simulator))
    tokens: dict[str, Any] = client.post("/_sandbox/tokens").json()
    api = Api(client, tokens["access_token"])
    make_customer(api, "Silent Co")
    assert simulator.deliver_due() == 0
    assert client.get("/_sandbox/webhooks").json()["deliveries"] == []


def test_the_receiver_may_write_back_while_a_notification_is_in_flight(
    api: Api, simulator: Simulator, receiver: Receiver
) -> None:
    make_customer(api, "Echo Source")

    def reply() -> None:
        if len(receiver.received) == 1:
            make_customer(api, "Echo Reply")

    receiver.on_receive = reply
    assert simulator.deliver_due() == 2
    assert len(receiver.received) == 2
