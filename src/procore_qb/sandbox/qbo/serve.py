"""Serve the simulator alone over HTTP (``procore-qb sandbox qbo --port N``)."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx2
import uvicorn

from procore_qb.sandbox.qbo.app import create_app
from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.simulator import Simulator

__all__ = ["serve"]


def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    data_dir: Path | None = None,
    webhook_url: str | None = None,
    webhook_format: str = "legacy",
    webhook_every_seconds: float = 1.0,
    seed_size: int | None = None,
) -> None:
    """Run until interrupted; webhook notifications that are due go out every second.
    ``seed_size`` adds ``seed.bulk_world(seed_size)`` unless the saved company holds it."""
    config = SimulatorConfig(webhook_url=webhook_url, webhook_format=webhook_format)
    # The app must answer within 3 s, or the attempt counts as failed (spec A.14).
    with httpx2.Client(timeout=config.webhook_timeout_seconds) as client:
        simulator = Simulator(config, webhook_client=client, data_dir=data_dir)
        if seed_size is not None:
            try:
                simulator.load_bulk(seed_size)
            except ValueError as exc:
                if "already holds" not in str(exc):
                    raise
        stop = threading.Event()

        def pump() -> None:
            while not stop.wait(webhook_every_seconds):
                simulator.deliver_due()

        worker = threading.Thread(target=pump, name="qbo-webhooks", daemon=True)
        worker.start()
        try:
            uvicorn.run(create_app(simulator), host=host, port=port, log_level="info")
        finally:
            stop.set()
            worker.join(timeout=5)
