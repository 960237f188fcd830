"""``procore-qb sandbox qbo --port N`` serves the seeded simulator on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from procore_qb.sandbox.seed import QBO_REALM_ID


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sandbox_qbo_command_serves_the_seed_world(tmp_path: Path) -> None:
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from procore_qb.cli import main; main()",
        "sandbox",
        "qbo",
        "--port",
        str(port),
        "--data-dir",
        str(tmp_path),
        "--seed-size",
        "50",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx2.Client(base_url=base, timeout=5) as client:
            for _ in range(300):
                try:
                    discovery = client.get("/.well-known/openid_sandbox_configuration")
                    break
                except httpx2.TransportError:
                    time.sleep(0.05)
            else:
                raise AssertionError("the simulator did not start listening")
            assert discovery.json()["token_endpoint"] == f"{base}/oauth2/v1/tokens/bearer"
            token = client.post("/_sandbox/tokens").json()["access_token"]
            counted = client.post(
                f"/v3/company/{QBO_REALM_ID}/query",
                content="select count(*) from Customer",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/text"},
            )
            # Eight seed customers and jobs, and 50 bulk customers with a job each.
            assert counted.json()["QueryResponse"] == {"totalCount": 8 + 100}
        assert (tmp_path / "qbo-sandbox.json").exists()
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert b"demo-qbo-client" in output
