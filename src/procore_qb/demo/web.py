"""The demo's web app: the production app, plus ``GET /api/v1/demo``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException

from procore_qb.app.context import AppContext
from procore_qb.web.app import WebDependencies, create_app

__all__ = ["build_demo_app", "demo_router"]


def demo_router(ctx: AppContext, describe: Callable[[], dict[str, Any]]) -> APIRouter:
    """``GET /api/v1/demo``: the running simulators' base URLs and the sandbox credentials
    (DESIGN §4), so outside tools can look inside them. Demo mode only; 404 otherwise."""
    router = APIRouter()

    @router.get(
        "/api/v1/demo",
        tags=["demo"],
        summary="The simulators behind this demo and their sandbox credentials",
    )
    def demo_info() -> dict[str, Any]:
        if not ctx.demo:
            raise HTTPException(status_code=404, detail="Not Found")
        return {"demo": True, "simulators": describe()}

    return router


def build_demo_app(
    deps: WebDependencies, ctx: AppContext, *, describe: Callable[[], dict[str, Any]]
) -> FastAPI:
    app = create_app(deps, ctx)
    app.include_router(demo_router(ctx, describe))
    return app
