"""The web app as ``procore-qb serve`` builds it: settings → dependencies → routers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest
from starlette.testclient import TestClient

from procore_qb.domain.commands import QueryCustomers
from procore_qb.quickbooks.desktop.config import WebConnectorSettings
from procore_qb.quickbooks.desktop.passwords import hash_password
from procore_qb.sandbox.qbd.app import open_simulator
from procore_qb.sandbox.qbd.processor import RequestProcessor
from procore_qb.sandbox.qbd.webconnector import run_session
from procore_qb.settings import CompanySettings, DatabaseSettings, Settings
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine
from procore_qb.store.errors import StoreError
from procore_qb.store.repositories.outbox import Outbox
from procore_qb.web.app import create_app
from procore_qb.web.wiring import build_web_dependencies

PASSWORD = "correct horse battery staple"


def _settings(tmp_path: Path, *, password: bool = True, company: int | None = 4263) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'app.sqlite3'}"),
        company=CompanySettings(procore_company_id=company, qb_edition="desktop"),
        webconnector=WebConnectorSettings(
            app_url="http://localhost/qbwc",
            username="summit",
            password_hash=hash_password(PASSWORD) if password else "",
        ),
    )


def _upgrade(settings: Settings) -> None:
    engine = create_engine(settings.database_url())
    migrate.upgrade(engine)
    engine.dispose()


def test_a_web_connector_session_runs_through_the_served_app(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _upgrade(settings)
    deps, engine = build_web_dependencies(settings)
    try:
        with deps.sessions.begin() as session:
            Outbox(session).record(
                deps.company_id,
                QueryCustomers(idempotency_key="customers-1"),
                now=datetime.now(UTC),
            )
        simulator = open_simulator(tmp_path / "qbd")
        with TestClient(create_app(deps), base_url="http://localhost") as client:
            transcript = run_session(
                client, "/qbwc", "summit", PASSWORD, RequestProcessor(simulator.company)
            )
            assert transcript.percents[-1] == 100, transcript.lines()
            assert client.get("/qbwc", params={"wsdl": ""}).status_code == 200
            assert "QBWCXML" in client.get("/qbwc/app.qwc").text
        with deps.sessions() as session:
            row = Outbox(session).get(deps.company_id, "customers-1")
            result = Outbox.result(row)
        assert row.state == "done"
        assert result is not None
        assert "Greenleaf Properties" in {job.name for job in result.jobs}
    finally:
        engine.dispose()


def test_without_a_password_hash_the_endpoint_is_off_and_health_says_why(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, password=False)
    _upgrade(settings)
    deps, engine = build_web_dependencies(settings)
    try:
        with TestClient(create_app(deps)) as client:
            assert client.post("/qbwc", content=b"").status_code == 404
            health = client.get("/healthz").json()
        assert health["status"] == "ok"
        assert any("PROCORE_QB_WEBCONNECTOR__PASSWORD_HASH" in n for n in health["notes"])
    finally:
        engine.dispose()


def test_missing_company_and_old_schema_are_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="PROCORE_QB_COMPANY__PROCORE_COMPANY_ID"):
        build_web_dependencies(_settings(tmp_path, company=None))
    with pytest.raises(StoreError, match="run `procore-qb db upgrade` first"):
        build_web_dependencies(_settings(tmp_path))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serve_over_loopback_answers_the_simulated_web_connector(tmp_path: Path) -> None:
    """`procore-qb serve` in its own process; `procore-qb sandbox webconnector` against it."""
    port = _free_port()
    env = {
        **os.environ,
        "PROCORE_QB_DATA_DIR": str(tmp_path / "data"),
        "PROCORE_QB_COMPANY__PROCORE_COMPANY_ID": "4263",
        "PROCORE_QB_WEB__SESSION_SECRET": "a-test-key-that-signs-sessions-only",
        "PROCORE_QB_WEBCONNECTOR__USERNAME": "summit",
        "PROCORE_QB_WEBCONNECTOR__PASSWORD_HASH": hash_password(PASSWORD),
    }
    cli = [sys.executable, "-m", "procore_qb.cli"]
    subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=60)
    server = subprocess.Popen(
        # No jobs in this process: the hourly job-list refresh would queue work at once.
        [*cli, "serve", "--port", str(port), "--no-worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if httpx2.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                time.sleep(0.05)
        else:
            pytest.fail("procore-qb serve did not come up")
        wrong = subprocess.run(
            [
                *cli,
                *("sandbox", "webconnector", "--url", f"{base}/qbwc", "--username", "summit"),
                *("--password", "wrong", "--data-dir", str(tmp_path / "q")),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "nvu" in wrong.stdout, wrong.stdout + wrong.stderr
        assert wrong.returncode == 1
        assert wrong.stderr.strip().splitlines() == [
            "procore-qb: the Web Connector session failed: not a valid user (nvu)"
        ]
        right = subprocess.run(
            [
                *cli,
                *("sandbox", "webconnector", "--url", f"{base}/qbwc", "--username", "summit"),
                *("--password", PASSWORD, "--data-dir", str(tmp_path / "q")),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        # Nothing is queued yet: the endpoint says so with "none", as QBWC expects.
        assert "'none'" in right.stdout, right.stdout + right.stderr
        assert right.returncode == 0
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stdout is not None
        banner = server.stdout.read().decode()
        server.stdout.close()
    assert f"data dir {tmp_path / 'data'}" in banner
