"""The Web Connector poller: one run on demand, and runs on a schedule until stopped."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from procore_qb.sandbox.qbd import (
    ManualClock,
    QbdSimulator,
    Transcript,
    WebConnectorPoller,
    open_simulator,
)

NS = "http://developer.intuit.com/"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def _no_work_endpoint(counter: list[int]) -> Starlette:
    async def handle(request: Request) -> Response:
        call = etree.fromstring(await request.body()).find(f"{{{SOAP}}}Body")
        assert call is not None
        method = etree.QName(call[0]).localname
        if method == "authenticate":
            counter.append(1)
            result = "<string>t</string><string>none</string>"
        else:
            result = "1.0" if method == "serverVersion" else ""
        return Response(
            f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><{method}Response xmlns="{NS}">'
            f"<{method}Result>{result}</{method}Result></{method}Response></soap:Body>"
            "</soap:Envelope>",
            media_type="text/xml",
        )

    return Starlette(routes=[Route("/qbwc", handle, methods=["POST"])])


@pytest.fixture
def sim() -> Iterator[QbdSimulator]:
    simulator = open_simulator(None, ManualClock())
    yield simulator
    simulator.company.close()


def test_run_once(sim: QbdSimulator) -> None:
    counter: list[int] = []
    app = _no_work_endpoint(counter)
    poller = WebConnectorPoller(
        lambda: TestClient(app), "http://testserver/qbwc", "demo", "demo", sim.processor
    )
    transcript = poller.run_once()
    assert transcript.ended == "no work (none)"
    assert poller.runs == 1
    assert poller.last_transcript is transcript
    assert counter == [1]


def test_runs_on_a_schedule_until_stopped(sim: QbdSimulator) -> None:
    counter: list[int] = []
    app = _no_work_endpoint(counter)
    seen: list[Transcript] = []
    two_runs = threading.Event()

    def record(transcript: Transcript) -> None:
        seen.append(transcript)
        if len(seen) >= 2:
            two_runs.set()

    poller = WebConnectorPoller(
        lambda: TestClient(app),
        "http://testserver/qbwc",
        "demo",
        "demo",
        sim.processor,
        every_seconds=0.01,
        on_transcript=record,
    )
    poller.start()
    try:
        assert two_runs.wait(timeout=30)
    finally:
        poller.stop()
    runs = poller.runs
    assert runs >= 2
    assert len(counter) == runs
    with pytest.raises(ValueError, match="positive"):
        WebConnectorPoller(lambda: TestClient(app), "u", "u", "p", sim.processor, every_seconds=0)
