"""``procore-qb demo`` starts everything in one process and serves: a subprocess on free ports
with a temporary data directory, its banner, the API as a demo user, the simulators' addresses,
and a clean stop on SIGINT."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from procore_qb.sandbox import seed

READY = "procore-qb demo is ready"
START_TIMEOUT = 120.0


class DemoProcess:
    def __init__(self, data_dir: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                *("-m", "procore_qb.cli", "demo", "--port", "0"),
                *("--data-dir", str(data_dir), *args),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "TERM": "dumb"},
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self.backend = "desktop"
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def banner(self) -> list[str]:
        while True:
            try:
                line = self.lines.get(timeout=START_TIMEOUT)
            except queue.Empty:
                pytest.fail("the demo printed nothing for a long time:\n" + "\n".join(self.seen))
            if line is None:
                pytest.fail("the demo stopped before it was ready:\n" + "\n".join(self.seen))
            self.seen.append(line)
            if line.startswith(READY):
                return self.seen

    def stop(self) -> int:
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGINT)
                try:
                    self.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
                    pytest.fail("the demo did not stop on SIGINT")
            return self.process.returncode
        finally:
            self.reader.join(timeout=10)
            if self.process.stdout is not None:
                self.process.stdout.close()


@pytest.fixture(params=["desktop", "online"])
def demo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DemoProcess]:
    backend = str(request.param)
    extra = ("--no-webconnector",) if backend == "desktop" else ()
    running = DemoProcess(tmp_path / "demo", "--backend", backend, *extra)
    running.backend = backend
    yield running
    running.stop()


def test_demo_starts_serves_and_stops(demo: DemoProcess) -> None:
    banner = demo.banner()
    url = next(line.split(" at ", 1)[1] for line in banner if line.startswith("procore-qb demo"))
    assert url.startswith("http://127.0.0.1:")
    for user in seed.USERS:
        assert any(user.token in line and user.email in line for line in banner)
    assert f"  web app: {url} (Sign in with Procore, then pick one of the users below)" in banner
    with httpx2.Client(base_url=url, timeout=30.0) as client:
        me = client.get("api/v1/me", headers={"Authorization": "Bearer demo-ada"})
        assert me.status_code == 200, me.text
        assert me.json()["user"]["email"] == "ada@summit.example"
        assert client.get("api/v1/me", headers={"Authorization": "Bearer wrong"}).status_code == 401
        info = client.get("api/v1/demo")
        assert info.status_code == 200, info.text
        simulators = info.json()["simulators"]
        procore = simulators["procore"]
        assert procore["service_account"]["client_id"] == seed.SERVICE_ACCOUNT.client_id
        if demo.backend == "desktop":
            assert simulators["quickbooks_desktop"]["web_connector"]["username"] == "demo"
        else:
            assert simulators["quickbooks_online"]["realm_id"] == seed.QBO_REALM_ID
            assert me.json()["company"]["quickbooks"] == "online"
        # The simulators answer at the addresses given.
        listed = httpx2.get(
            f"{procore['base_url']}/rest/v1.0/companies",
            headers={"Authorization": "Bearer demo-ada"},
        )
        assert listed.status_code == 200, listed.text
    assert demo.stop() == 0
