"""The JSON API ``/api/v1`` (DESIGN §3): bearer tokens, RFC 9457 problem answers, one router
per area. Routes call the use cases of :mod:`procore_qb.app` and nothing below them."""

from __future__ import annotations

from procore_qb.web.api.router import build_api_router

__all__ = ["build_api_router"]
