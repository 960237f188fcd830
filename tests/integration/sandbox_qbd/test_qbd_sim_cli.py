"""``procore-qb sandbox qbd`` and ``procore-qb sandbox webconnector`` over loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import uvicorn
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from typer.testing import CliRunner

from procore_qb.cli import app

NS = "http://developer.intuit.com/"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
JOB_ADD = (
    '<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
    '<CustomerAddRq requestID="1"><CustomerAdd><Name>Loopback Job</Name><ParentRef><FullName>'
    "Harbor Holdings</FullName></ParentRef></CustomerAdd></CustomerAddRq></QBXMLMsgsRq></QBXML>"
)


def _endpoint() -> Starlette:
    state = {"sent": 0}

    async def handle(request: Request) -> Response:
        call = etree.fromstring(await request.body()).find(f"{{{SOAP}}}Body")
        assert call is not None
        method = etree.QName(call[0]).localname
        result: str
        if method == "authenticate":
            verdict = "nvu" if request.url.path.endswith("-nvu") else ""
            result = f"<string>t-1</string><string>{verdict}</string>"
        elif method == "sendRequestXML":
            element = etree.Element("x")
            element.text = JOB_ADD if state["sent"] == 0 else ""
            state["sent"] += 1
            result = etree.tostring(element, encoding="unicode")[3:-4]
        else:
            result = {"receiveResponseXML": "100", "closeConnection": "OK"}.get(method, "")
        return Response(
            f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><{method}Response xmlns="{NS}">'
            f"<{method}Result>{result}</{method}Result></{method}Response></soap:Body>"
            "</soap:Envelope>",
            media_type="text/xml",
        )

    async def broken(request: Request) -> Response:
        return Response("upstream trouble", status_code=502, media_type="text/plain")

    return Starlette(
        routes=[
            Route("/qbwc", handle, methods=["POST"]),
            Route("/qbwc-nvu", handle, methods=["POST"]),
            Route("/qbwc-502", broken, methods=["POST"]),
        ]
    )


@pytest.fixture
def endpoint_url() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_endpoint(), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/qbwc"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_webconnector_command_prints_the_transcript(endpoint_url: str, tmp_path: Path) -> None:
    args = ["sandbox", "webconnector", "--url", endpoint_url, "--username", "demo"]
    args += ["--password", "demo", "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert (
        "calls: serverVersion -> clientVersion -> authenticate -> sendRequestXML" in result.output
    )
    assert "request 1: CustomerAddRq -> percent 100" in result.output
    assert "closeConnection: OK" in result.output
    assert (tmp_path / "qbd-company.sqlite").exists()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_qbd_command_serves_the_raw_qbxml_door(tmp_path: Path) -> None:
    port = _free_port()
    # procore_qb.cli has no __main__ guard; run its Typer app through python -c.
    command = [
        sys.executable,
        "-c",
        "from procore_qb.cli import main; main()",
        "sandbox",
        "qbd",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path),
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ)
    )
    try:
        url = f"http://127.0.0.1:{port}/_sandbox/qbd/qbxml"
        response = None
        with httpx2.Client(timeout=5.0) as client:
            for _ in range(150):
                try:
                    response = client.post(url, content=JOB_ADD)
                    break
                except httpx2.TransportError:
                    time.sleep(0.1)
        assert response is not None, "the simulator did not start"
        assert response.status_code == 200
        assert 'statusCode="0"' in response.text
        assert "Harbor Holdings:Loopback Job" in response.text
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_webconnector_command_injects_faults(endpoint_url: str, tmp_path: Path) -> None:
    args = ["sandbox", "webconnector", "--url", endpoint_url, "--username", "demo"]
    args += ["--password", "demo", "--data-dir", str(tmp_path), "--connection-error"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "connectionError -> closeConnection" in result.output
    dropped = CliRunner().invoke(
        app,
        [
            "sandbox",
            "webconnector",
            "--url",
            endpoint_url,
            "--username",
            "demo",
            "--password",
            "demo",
            "--data-dir",
            str(tmp_path),
            "--drop-response-at",
            "1",
        ],
    )
    assert dropped.exit_code == 0, dropped.output
    assert "ended: response 1 dropped" in dropped.output


def _serve_qbd(*options: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [
        sys.executable,
        "-c",
        "from procore_qb.cli import main; main()",
        "sandbox",
        "qbd",
        "--port",
        str(port),
        *options,
    ]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ)
    )
    return process, f"http://127.0.0.1:{port}"


def _wait_for(client: httpx2.Client, url: str) -> httpx2.Response:
    for _ in range(300):
        try:
            return client.get(url)
        except httpx2.TransportError:
            time.sleep(0.1)
    raise AssertionError("the simulator did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


def test_qbd_command_with_a_manual_clock_and_bulk_data(tmp_path: Path) -> None:
    process, base = _serve_qbd("--manual-clock", "--seed-size", "40", "--data-dir", str(tmp_path))
    try:
        with httpx2.Client(timeout=10.0) as client:
            clock = _wait_for(client, f"{base}/_sandbox/qbd/clock").json()
            assert clock["manual"] is True
            moved = client.post(f"{base}/_sandbox/qbd/clock/advance", json={"seconds": 86_400})
            assert moved.status_code == 200, moved.text
            later = client.get(f"{base}/_sandbox/qbd/clock").json()["now"]
            assert later == moved.json()["now"] != clock["now"]
            # The company file stamps new objects with the moved clock.
            added = client.post(f"{base}/_sandbox/qbd/qbxml", content=JOB_ADD)
            assert f"<TimeCreated>{later}</TimeCreated>" in added.text
            # --seed-size loaded the bulk data before serving.
            query = JOB_ADD.replace(
                '<CustomerAddRq requestID="1"><CustomerAdd><Name>Loopback Job</Name><ParentRef>'
                "<FullName>Harbor Holdings</FullName></ParentRef></CustomerAdd></CustomerAddRq>",
                "<CustomerQueryRq><FullName>Bulk Customer 00040:Bulk Job 00040</FullName>"
                "</CustomerQueryRq>",
            )
            found = client.post(f"{base}/_sandbox/qbd/qbxml", content=query)
            assert 'retCount="1"' in found.text, found.text
    finally:
        _stop(process)


def test_qbd_command_keeps_the_system_clock_by_default() -> None:
    process, base = _serve_qbd()
    try:
        with httpx2.Client(timeout=10.0) as client:
            assert _wait_for(client, f"{base}/_sandbox/qbd/clock").json()["manual"] is False
            refused = client.post(f"{base}/_sandbox/qbd/clock/advance", json={"seconds": 1})
            assert refused.status_code == 409
    finally:
        _stop(process)


@pytest.mark.parametrize(
    ("path", "ended"),
    [
        ("/qbwc-nvu", "not a valid user (nvu)"),
        ("/qbwc-502", "error: serverVersion: HTTP 502: not XML:"),
    ],
)
def test_webconnector_command_exits_1_when_the_session_fails(
    endpoint_url: str, tmp_path: Path, path: str, ended: str
) -> None:
    url = endpoint_url.removesuffix("/qbwc") + path
    args = ["sandbox", "webconnector", "--url", url, "--username", "demo"]
    result = CliRunner().invoke(app, [*args, "--password", "demo", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert f"ended: {ended}" in result.stdout
    [line] = result.stderr.splitlines()
    assert line.startswith(f"procore-qb: the Web Connector session failed: {ended}")


def test_webconnector_command_exits_1_when_the_endpoint_is_unreachable(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}/qbwc"
    args = ["sandbox", "webconnector", "--url", url, "--username", "demo", "--password", "demo"]
    result = CliRunner().invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert result.stderr.splitlines() == [
        f"procore-qb: the Web Connector session failed: could not reach {url}: ConnectError"
    ]
