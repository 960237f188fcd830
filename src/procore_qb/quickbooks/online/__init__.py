"""QuickBooks Online: the v3 REST client, OAuth 2.0 with refresh-token rotation, and the gateway
that executes :mod:`procore_qb.domain.commands` against a realm.

Three layers: an injected ``httpx2.Client`` → :class:`~.client.QboClient` (auth, minorversion,
requestid, throttling, retries, error mapping) → one module per entity under ``resources/``.
"""

from __future__ import annotations
