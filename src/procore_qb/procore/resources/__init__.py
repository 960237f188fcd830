"""One module per Procore resource. Each takes a :class:`~procore_qb.procore.client.ProcoreClient`
and returns Procore's JSON objects as dicts; mapping to the domain lives in the gateway."""

from __future__ import annotations
