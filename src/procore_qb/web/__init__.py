"""The web layer: FastAPI routers for the JSON API, pages, the Web Connector and webhooks."""

from __future__ import annotations
