"""A Procore simulator: OAuth 2.0 login host, REST API at Procore's paths, webhooks, controls.

It is someone else's server: nothing here imports procore-qb code outside ``sandbox``. Build it
with :func:`create_app` (a Starlette app; Starlette's ``TestClient`` runs it in-process) around a
:class:`ProcoreSandbox`, which holds the state, the injectable clock, the rate limits and the
webhook delivery client::

    sandbox = ProcoreSandbox(clock=ManualClock(start), webhook_client=receiver_client)
    http = TestClient(create_app(sandbox))

Modules: ``oauth`` (login page, codes, tokens), ``app`` (the request gate: bearer token,
rate limits, ``Procore-Company-Id``, required parameters), ``routes_company``,
``routes_projects``, ``routes_cost_codes``, ``routes_costs``, ``routes_webhooks`` (v1.0),
``routes_webhooks_v2``, ``routes_erp`` (the ERP platform subset), ``controls`` (``/_sandbox/``),
``listing`` (filters and paging), ``sync``, ``ratelimit``, ``permissions``, ``webhooks``
(events and deliveries), ``save_rules``, ``world`` and ``seeding`` (state and the seed world),
``server`` (``procore-qb sandbox procore``). Each module's docstring lists the Procore rules it
enforces and where they come from.
"""

from __future__ import annotations

from procore_qb.sandbox.console import CONSOLE_PATH
from procore_qb.sandbox.procore.app import STATE_FILE, ProcoreSandbox, create_app, rest_routes
from procore_qb.sandbox.procore.clock import Clock, ManualClock, WallClock
from procore_qb.sandbox.procore.config import SandboxConfig
from procore_qb.sandbox.procore.seeding import SERVICE_ACCOUNT_USER_ID

__all__ = [
    "CONSOLE_PATH",
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
