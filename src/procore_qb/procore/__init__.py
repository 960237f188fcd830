"""Procore REST client: transport → API client → one module per resource, plus the gateway.

* :mod:`.client` — :class:`~.client.ProcoreClient` (auth header, ``Procore-Company-Id``,
  paging, rate limits, retries, error mapping) over an injected ``httpx2.Client``.
* :mod:`.oauth` — client-credentials and authorization-code grants, rotating refresh tokens,
  the :class:`~.oauth.TokenStore` protocol (the store's ``SqlTokenStore`` implements it over
  its encrypted connections table; the app wires it in).
* :mod:`.errors` — the exception hierarchy and the one function mapping statuses to it.
* :mod:`.resources` — one module per Procore resource, returning Procore's JSON;
  :mod:`.resources.erp` holds the ERP platform endpoints for the later connector mode.
* :mod:`.gateway` — what the application needs from Procore, in domain terms.
"""

from __future__ import annotations
