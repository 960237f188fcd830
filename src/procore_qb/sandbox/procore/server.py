"""Run the Procore simulator alone over HTTP (``procore-qb sandbox procore --port N``)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import uvicorn

from procore_qb.sandbox import seed
from procore_qb.sandbox.console import console_url
from procore_qb.sandbox.procore.app import ProcoreSandbox, create_app
from procore_qb.sandbox.procore.config import SandboxConfig
from procore_qb.sandbox.procore.seeding import load_bulk

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
        f"  console: {console_url(base)}",
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
    seed_size: int | None = None,
) -> None:
    """Serve until interrupted; deliver due webhooks every ``deliver_every`` seconds.
    ``seed_size`` adds the projects of ``seed.bulk_world(seed_size)`` unless the saved state
    holds them already."""
    sandbox = ProcoreSandbox(config=config, data_dir=data_dir)
    if seed_size is not None:
        with sandbox.lock:
            try:
                load_bulk(sandbox.world, sandbox.clock.now(), seed_size)
            except ValueError as exc:
                if "already holds" not in str(exc):
                    raise
            sandbox.changed()
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
