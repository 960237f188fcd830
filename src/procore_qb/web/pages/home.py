"""``/``: the dashboard for a signed-in person (with access to the ERP Integrations tool: the
lists' syncs, the items waiting per filter, failures, the QuickBooks connection's health and
throughput; :mod:`procore_qb.app.dashboard`); in demo mode a signed-out visitor sees the demo's
start page (the simulators' consoles, the seed users and their tokens) instead of the sign-in
redirect."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from procore_qb.app import dashboard, queries
from procore_qb.domain.permissions import Action
from procore_qb.web.pages.errors import SignInRequired
from procore_qb.web.pages.kit import PageKit, PageUser

__all__ = ["build_router"]


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    anyone = Depends(kit.maybe_signed_in)
    viewer = Depends(kit.need(Action.VIEW_JOBS))

    @router.get("/", include_in_schema=False)
    def home(request: Request, user: PageUser | None = anyone) -> Response:
        if user is None:
            if kit.config.welcome is None:
                raise SignInRequired("/")
            return kit.render(request, "demo_welcome.html", user=None, welcome=kit.config.welcome())
        figures = dashboard.dashboard(kit.ctx, user.actor) if user.may(Action.VIEW_JOBS) else None
        return kit.render(
            request,
            "dashboard.html",
            user=user,
            figures=figures,
            filters=list(queries.JobFilter),
        )

    @router.get("/dashboard/figures", include_in_schema=False)
    def figures(request: Request, user: PageUser = viewer) -> Response:
        """The figures alone (no layout), for the dashboard to reload them in place."""
        return kit.render(
            request,
            "_dashboard_figures.html",
            user=user,
            show_flashes=False,
            figures=dashboard.dashboard(kit.ctx, user.actor),
            filters=list(queries.JobFilter),
        )

    return router
