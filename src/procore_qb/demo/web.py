"""The demo's web app: the production app, plus ``GET /api/v1/demo`` and, for a signed-out
visitor, the start page at ``/`` (the simulators' consoles and the seed users)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException

from procore_qb.app.context import AppContext
from procore_qb.sandbox import seed
from procore_qb.web.app import WebDependencies, create_app
from procore_qb.web.pages import DemoWelcome

__all__ = ["build_demo_app", "demo_router", "demo_welcome", "permissions"]


def permissions(user: seed.User) -> str:
    """A seed user's Procore permissions, in one line."""
    return (
        f"ERP Integrations {user.erp_integrations}, Directory {user.directory}, "
        f"project Admin tool {user.project_admin}"
        + (", Can Push to Accounting" if user.can_push_to_accounting else "")
    )


def _quickbooks(described: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if "quickbooks_online" in described:
        return "QuickBooks Online", described["quickbooks_online"]
    return "QuickBooks Desktop", described.get("quickbooks_desktop", {})


def demo_welcome(describe: Callable[[], dict[str, Any]]) -> Callable[[], DemoWelcome]:
    """The start page's content: the two simulator consoles, the seed users with their demo
    tokens and permissions."""

    def welcome() -> DemoWelcome:
        described = describe()
        qb_name, qb = _quickbooks(described)
        return DemoWelcome(
            procore_console=str(described.get("procore", {}).get("console", "")),
            quickbooks_name=qb_name,
            quickbooks_console=str(qb.get("console", "")),
            users=tuple((u.email, u.token, permissions(u)) for u in seed.USERS),
        )

    return welcome


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
    app = create_app(deps, ctx, welcome=demo_welcome(describe) if ctx.demo else None)
    app.include_router(demo_router(ctx, describe))
    return app
