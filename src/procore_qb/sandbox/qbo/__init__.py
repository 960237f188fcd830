"""A QuickBooks Online simulator: Accounting API v3, OAuth 2.0 server and webhook emitter.

It enforces QuickBooks Online's published rules (``shared/spec/quickbooks-api.md`` part A and
§E), each cited where it is enforced. Build it with ``create_app()``; drive time with a
``ManualClock`` and webhooks with ``Simulator.deliver_due()`` in tests.
"""

from __future__ import annotations

from procore_qb.sandbox.console import CONSOLE_PATH
from procore_qb.sandbox.qbo.app import create_app
from procore_qb.sandbox.qbo.clock import Clock, ManualClock, SystemClock
from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.simulator import Simulator
from procore_qb.sandbox.qbo.webhooks import sign

__all__ = [
    "CONSOLE_PATH",
    "Clock",
    "ManualClock",
    "Simulator",
    "SimulatorConfig",
    "SystemClock",
    "create_app",
    "sign",
]
