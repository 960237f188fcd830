"""A Procore simulator: OAuth 2.0 login host, REST API at Procore's paths, webhooks, controls.

It is someone else's server: nothing here imports procore-qb code outside ``sandbox``. Build it
with :func:`create_app` (a Starlette app; Starlette's ``TestClient`` runs it in-process) around a
:class:`ProcoreSandbox`, which holds the state, the injectable clock, the rate limits and the
webhook delivery client.
"""

from __future__ import annotations

from procore_qb.sandbox.procore.app import STATE_FILE, ProcoreSandbox, create_app, rest_routes
from procore_qb.sandbox.procore.clock import Clock, ManualClock, WallClock
from procore_qb.sandbox.procore.config import SandboxConfig
from procore_qb.sandbox.procore.seeding import SERVICE_ACCOUNT_USER_ID

__all__ = [
    "SERVICE_ACCOUNT_USER_ID",
    "STATE_FILE",
    "Clock",
    "ManualClock",
    "ProcoreSandbox",
    "SandboxConfig",
    "WallClock",
    "create_app",
    "rest_routes",
]
