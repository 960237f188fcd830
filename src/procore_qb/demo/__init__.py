"""``procore-qb demo``: the production wiring pointed at the simulators, in one process.

Everything the demo runs is the code ``procore-qb serve`` and ``procore-qb worker`` run; only
base URLs and credentials differ. This package (with the command line and the tests) is the
only code that imports :mod:`procore_qb.sandbox`.

- ``servers``: ASGI apps served by uvicorn in threads on loopback ports;
- ``simulators``: the Procore simulator and the chosen QuickBooks simulator, running;
- ``run``: the demo itself (settings, database, worker, company setup, users, Web Connector).
"""

from __future__ import annotations

from procore_qb.demo.run import Demo, DemoOptions

__all__ = ["Demo", "DemoOptions"]
