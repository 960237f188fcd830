"""The web layer: routers for the JSON API, pages, webhooks and the Web Connector endpoint."""

from __future__ import annotations
