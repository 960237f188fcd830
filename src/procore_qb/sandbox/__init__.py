"""Simulators of Procore, QuickBooks Online and QuickBooks Desktop (with a Web Connector).

They are someone else's servers: nothing here imports procore-qb code outside ``sandbox``, and
nothing of procore-qb imports ``sandbox`` except the command line, the demo wiring and tests.
"""

from __future__ import annotations
