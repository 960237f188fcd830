"""The simulators the demo talks to, each served on its own loopback port: Procore, and
QuickBooks Online or QuickBooks Desktop (the company file; the Web Connector that carries its
work runs next to the app, see :mod:`procore_qb.demo.run`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from procore_qb.demo.servers import BackgroundServer
from procore_qb.sandbox import seed
from procore_qb.sandbox.procore import ProcoreSandbox
from procore_qb.sandbox.procore import create_app as procore_app
from procore_qb.sandbox.qbd import QbdSimulator, WebConnectorTarget, open_simulator
from procore_qb.sandbox.qbd import create_app as qbd_app
from procore_qb.sandbox.qbo.app import create_app as qbo_app
from procore_qb.sandbox.qbo.simulator import Simulator as QboSimulator

__all__ = ["CONSOLE_PATH", "Simulators", "start_simulators"]

CONSOLE_PATH = "/_sandbox/console"
DELIVER_EVERY = 1.0
"""Seconds between the simulators' webhook delivery rounds."""


@dataclass
class Simulators:
    """The running simulators, their base URLs and how to stop them."""

    backend: str
    procore: ProcoreSandbox
    procore_server: BackgroundServer
    quickbooks_server: BackgroundServer
    qbd: QbdSimulator | None = None
    qbo: QboSimulator | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _clients: list[httpx2.Client] = field(default_factory=list)

    @property
    def procore_url(self) -> str:
        return self.procore_server.url

    @property
    def quickbooks_url(self) -> str:
        return self.quickbooks_server.url

    def describe(self) -> dict[str, Any]:
        """What ``GET /api/v1/demo`` shows: where the simulators are and how to sign in."""
        procore = self.procore_url
        out: dict[str, Any] = {
            "procore": {
                "base_url": procore,
                "console": procore + CONSOLE_PATH,
                "company_id": seed.PROCORE_COMPANY.id,
                "service_account": {
                    "client_id": seed.SERVICE_ACCOUNT.client_id,
                    "client_secret": seed.SERVICE_ACCOUNT.client_secret,
                },
                "users": [{"email": u.email, "token": u.token} for u in seed.USERS],
            },
        }
        quickbooks = self.quickbooks_url
        if self.backend == "online":
            out["quickbooks_online"] = {
                "base_url": quickbooks,
                "console": quickbooks + CONSOLE_PATH,
                "discovery_url": quickbooks + "/.well-known/openid_sandbox_configuration",
                "realm_id": seed.QBO_REALM_ID,
                "app": {
                    "client_id": seed.QBO_APP.client_id,
                    "client_secret": seed.QBO_APP.client_secret,
                },
            }
        else:
            user, password = seed.WEB_CONNECTOR_LOGIN
            out["quickbooks_desktop"] = {
                "base_url": quickbooks,
                "console": quickbooks + CONSOLE_PATH,
                "qbxml_url": quickbooks + "/_sandbox/qbd/qbxml",
                "web_connector": {"username": user, "password": password},
            }
        return out

    def _pump(self, name: str, deliver: Callable[[], object]) -> None:
        def loop() -> None:
            while not self._stop.wait(DELIVER_EVERY):
                deliver()

        thread = threading.Thread(target=loop, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(DELIVER_EVERY + 5)
        self.quickbooks_server.stop()
        self.procore_server.stop()
        for client in self._clients:
            client.close()


def start_simulators(
    backend: str,
    data_dir: Path,
    *,
    webhook_url: str | None = None,
    web_connector: WebConnectorTarget | None = None,
) -> Simulators:
    """Start the Procore simulator and the ``backend`` QuickBooks simulator, keeping their
    state under ``data_dir`` (a reused directory continues where it stopped).

    ``web_connector`` is the application the QuickBooks Desktop console's "Run Web Connector
    now" runs one session against."""
    procore_client = httpx2.Client(timeout=10.0)
    procore = ProcoreSandbox(webhook_client=procore_client, data_dir=data_dir / "procore")
    procore_server = BackgroundServer(procore_app(procore), name="Procore simulator")
    qbd: QbdSimulator | None = None
    qbo: QboSimulator | None = None
    clients = [procore_client]
    if backend == "online":
        from procore_qb.sandbox.qbo.config import SimulatorConfig

        qbo_client = httpx2.Client(timeout=3.0)
        clients.append(qbo_client)
        qbo = QboSimulator(
            SimulatorConfig(webhook_url=webhook_url),
            webhook_client=qbo_client,
            data_dir=data_dir / "qbo",
        )
        quickbooks_server = BackgroundServer(qbo_app(qbo), name="QuickBooks Online simulator")
    else:
        qbd = open_simulator(data_dir / "qbd")
        quickbooks_server = BackgroundServer(
            qbd_app(qbd, web_connector=web_connector), name="QuickBooks Desktop simulator"
        )
    sims = Simulators(
        backend, procore, procore_server, quickbooks_server, qbd=qbd, qbo=qbo, _clients=clients
    )
    procore_server.start()
    quickbooks_server.start()
    sims._pump("procore-webhooks", procore.deliver_due)
    if qbo is not None:
        sims._pump("qbo-webhooks", qbo.deliver_due)
    return sims
