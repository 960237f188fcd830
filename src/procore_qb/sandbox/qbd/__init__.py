"""A simulated QuickBooks Desktop company file and a simulated QuickBooks Web Connector.

- :class:`~procore_qb.sandbox.qbd.company.CompanyFile`: the company file in SQLite;
- :class:`~procore_qb.sandbox.qbd.processor.RequestProcessor`: ``process(qbxml) -> qbxml``;
- :func:`~procore_qb.sandbox.qbd.app.open_simulator` and
  :func:`~procore_qb.sandbox.qbd.app.create_app`: a seeded simulator and its HTTP app
  (``POST /_sandbox/qbd/qbxml`` and sandbox controls);
- :func:`~procore_qb.sandbox.qbd.webconnector.run_session`: one Web Connector run against any
  SOAP endpoint; :class:`~procore_qb.sandbox.qbd.poller.WebConnectorPoller` runs it on a schedule.

Nothing here imports procore-qb code outside ``sandbox``.
"""

from __future__ import annotations

from procore_qb.sandbox.console import CONSOLE_PATH
from procore_qb.sandbox.qbd.app import QbdSimulator, create_app, open_simulator
from procore_qb.sandbox.qbd.clock import Clock, ManualClock, SystemClock
from procore_qb.sandbox.qbd.company import CompanyFile
from procore_qb.sandbox.qbd.console import WebConnectorTarget
from procore_qb.sandbox.qbd.errors import (
    CompanyFileError,
    QbdSimulatorError,
    QbxmlParseError,
    SoapFaultError,
    StatusError,
    WebConnectorError,
)
from procore_qb.sandbox.qbd.poller import WebConnectorPoller
from procore_qb.sandbox.qbd.processor import RequestProcessor
from procore_qb.sandbox.qbd.webconnector import Faults, Transcript, run_session

__all__ = [
    "CONSOLE_PATH",
    "Clock",
    "CompanyFile",
    "CompanyFileError",
    "Faults",
    "ManualClock",
    "QbdSimulator",
    "QbdSimulatorError",
    "QbxmlParseError",
    "RequestProcessor",
    "SoapFaultError",
    "StatusError",
    "SystemClock",
    "Transcript",
    "WebConnectorError",
    "WebConnectorPoller",
    "WebConnectorTarget",
    "create_app",
    "open_simulator",
    "run_session",
]
