"""Run the Procore simulator alone over HTTP (``procore-qb sandbox procore --port N``)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import uvicorn

from procore_qb.sandbox import seed
from procore_qb.sandbox.procore.app import ProcoreSandbox, create_app
from procore_qb.sandbox.procore.config import SandboxConfig

__all__ = ["banner", "free_port", "serve"]


def free_port(host: str) -> int:
    """A port the OS reports free on ``host`` (for ``--port 0``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def banner(host: str, port: int) -> list[str]:
    """What the command prints: base URLs, the service-account credentials and demo tokens."""
    base = f"http://{host}:{port}"
    lines = [
        f"Procore sandbox at {base}  (login host and API host are the same)",
        f"  OAuth: {base}/oauth/authorize, {base}/oauth/token",
        f"  API:   {base}/rest/v1.0/...   routes: {base}/openapi.json",
        f"  company id {seed.PROCORE_COMPANY.id} ({seed.PROCORE_COMPANY.name})",
        f"  service account: client_id={seed.SERVICE_ACCOUNT.client_id} "
        f"client_secret={seed.SERVICE_ACCOUNT.client_secret}",
    ]
    lines += [f"  {u.email}: bearer token {u.token}" for u in seed.USERS]
    return lines


def serve(
    *,
    host: str,
    port: int,
    data_dir: Path | None,
    config: SandboxConfig,
    deliver_every: float,
) -> None:
    """Serve until interrupted; deliver due webhooks every ``deliver_every`` seconds."""
    sandbox = ProcoreSandbox(config=config, data_dir=data_dir)
    stop = threading.Event()

    def deliver_loop() -> None:
        while not stop.wait(deliver_every):
            sandbox.deliver_due()

    worker = threading.Thread(target=deliver_loop, name="procore-sandbox-webhooks", daemon=True)
    worker.start()
    try:
        uvicorn.run(create_app(sandbox), host=host, port=port, log_level="warning")
    finally:
        stop.set()
        worker.join(timeout=deliver_every + 5)
