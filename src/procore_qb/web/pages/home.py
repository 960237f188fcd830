"""``/``: the dashboard for a signed-in person; in demo mode a signed-out visitor sees the demo's
start page (the simulators' consoles, the seed users and their tokens) instead of the sign-in
redirect."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from procore_qb.web.pages.errors import SignInRequired
from procore_qb.web.pages.kit import PageKit, PageUser

__all__ = ["build_router"]


def build_router(kit: PageKit) -> APIRouter:
    router = APIRouter()
    anyone = Depends(kit.maybe_signed_in)

    @router.get("/", include_in_schema=False)
    def home(request: Request, user: PageUser | None = anyone) -> Response:
        if user is None:
            if kit.config.welcome is None:
                raise SignInRequired("/")
            return kit.render(request, "demo_welcome.html", user=None, welcome=kit.config.welcome())
        return kit.render(request, "dashboard.html", user=user)

    return router
