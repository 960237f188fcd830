"""The HTML pages: server-rendered Jinja2 templates, plain HTML forms, our own small script
for progressive enhancement only.

How the pages are put together
==============================

- ``kit``: :class:`PageKit`, built once per app; :class:`PageUser`, the signed-in person
  with their Procore permissions.
- ``signin``: ``/login``, ``/login/callback``, ``/logout`` (Procore OAuth).
- ``home``: ``/`` (the dashboard; the demo's start page for signed-out visitors).
- ``navigation``: the tabs and the permission each one needs.
- ``jobs`` (with ``job_forms``): ``/erp/jobs``, ERP Integrations → Jobs and its actions.
- ``cost_codes``: ``/erp/cost-codes``, ERP Integrations → Cost Codes (standard cost codes
  exported to QuickBooks as Service items).
- ``projects``: ``/projects`` and ``/projects/{id}`` with Send / Retrieve / Re-send to ERP.
- ``job_costs``: the project's job cost syncing switch, its Job Costs report
  (``/projects/{id}/job-costs``, CSV export) and the company's ``/job-costs``.
- ``session``, ``csrf``, ``headers``: the signed session cookie, CSRF protection, security
  headers.
- ``problems``: errors as pages, with the same problem details as the JSON API.
- Templates are in ``procore_qb/web/templates/`` (``base.html`` is the layout), static
  files in ``procore_qb/web/static/`` (``pages.css``, ``pages.js``), served at ``/static/``.

How to add a page
=================

1. Write a module here named for what it holds (``jobs.py``) with
   ``build_router(kit: PageKit) -> APIRouter``, and add ``jobs.build_router`` to
   :data:`ROUTERS` below. Its routes call the use cases of :mod:`procore_qb.app` (never
   ``store``, ``procore`` or ``quickbooks``) with ``user.actor``.
2. Take the person with the permission the spec names::

       viewer = Depends(kit.need(Action.VIEW_JOBS))

       @router.get("/erp/jobs")
       def jobs(request: Request, user: PageUser = viewer) -> Response:
           found = queries.jobs_page(kit.ctx, user.actor, ...)
           return kit.render(request, "jobs.html", user=user, page=found)

   (A dependency is a variable, not ``Annotated[..., Depends(kit…)]``: with postponed
   annotations FastAPI could not see ``kit`` inside the builder.) ``kit.need`` redirects a
   signed-out person to ``/login?next=…`` and answers 403, naming the missing permission, to
   anyone else without it; per-project actions use
   ``kit.require(user, Action.SEND, project_id=…)``. Use ``user.may(Action.ACCEPT)`` only
   to decide what to show: the server refuses regardless.
3. Write ``templates/jobs.html``: ``{% extends "base.html" %}``, fill ``{% block title %}``
   and ``{% block content %}``. Every form that changes something is ``method="post"`` and
   carries the token: ``{{ forms.csrf() }}`` inside the form (``base.html`` imports
   ``_forms.html`` as ``forms``; ``forms.confirm_button`` adds a confirm dialog,
   ``forms.select_all`` a select-all checkbox).
4. A POST route does the work, then answers
   ``kit.redirect(request, "/erp/jobs?filter=…", flash=("success", "Accepted 3 projects."))``
   (303: the browser GETs the page again). Use-case errors need no handling: a rule broken
   shows the 422 page with each rule and its fix, a missing permission the 403 page, a
   state conflict the 409 page, exactly as the API's problem details say.
5. Test with ``PagesClient`` (``tests/integration/web/pages/pages_client.py``: signs in
   through the Procore simulator, posts forms with the token) and, for what needs a browser,
   in ``tests/browser/`` with the ``web_app`` fixture, ``sign_in(page, web_app, "ben")`` and
   ``screenshot(page, "jobs")`` (writes ``docs/images/jobs.png``), from
   ``tests/browser/web_app.py``.

Scripts only enhance: every page works with JavaScript off. ``pages.js`` turns
``data-confirm`` buttons into a ``<dialog>``, ``data-select-all`` checkboxes into select-all,
and reloads ``data-poll`` fragments.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from procore_qb.app import actors
from procore_qb.app.context import AppContext
from procore_qb.app.errors import AppError
from procore_qb.web.api.problems import MEDIA_TYPE
from procore_qb.web.pages import (
    audit,
    cost_codes,
    home,
    job_costs,
    jobs,
    outbox,
    projects,
    quickbooks_online,
    settings,
    signin,
)
from procore_qb.web.pages.csrf import CrossSiteArrivals, CrossSiteGuard, check_form_token
from procore_qb.web.pages.headers import PageHeaders, content_security_policy
from procore_qb.web.pages.kit import DemoWelcome, PageConfig, PageKit, PageUser
from procore_qb.web.pages.paths import is_page_path
from procore_qb.web.pages.problems import cross_site_body, install_page_problems, render_problem
from procore_qb.web.pages.session import COOKIE_NAME

__all__ = ["ROUTERS", "DemoWelcome", "PageConfig", "PageKit", "PageUser", "install_pages"]

ROUTERS: Sequence[Callable[[PageKit], APIRouter]] = (
    signin.build_router,
    home.build_router,
    jobs.build_router,
    cost_codes.build_router,
    projects.build_router,
    job_costs.build_router,
    settings.build_router,
    quickbooks_online.build_router,
    audit.build_router,
    outbox.build_router,
)
"""Every page module's router builder; a new page adds its own here."""


def _sign_in_origin(ctx: AppContext) -> tuple[str, ...]:
    try:
        parts = urlsplit(actors.sign_in_url(ctx, "probe"))
    except AppError:
        return ()
    return (f"{parts.scheme}://{parts.netloc}",) if parts.scheme and parts.netloc else ()


def install_pages(app: FastAPI, ctx: AppContext, config: PageConfig) -> PageKit:
    """Serve the pages on ``app``: their routers, the static files, the error pages, and the
    session, CSRF and header middleware. The kit is also ``app.state.page_kit`` (tests add
    routes with it)."""
    kit = PageKit(ctx, config)
    app.state.page_kit = kit
    for build in ROUTERS:
        app.include_router(build(kit), dependencies=[Depends(check_form_token)])
    app.mount("/static", StaticFiles(packages=[("procore_qb.web", "static")]), name="static")
    install_page_problems(app, kit)

    async def refuse(request: Request, reason: str) -> Response:
        body = cross_site_body(reason)
        if is_page_path(request.url.path):
            return await run_in_threadpool(render_problem, kit, request, body)
        return JSONResponse(body, status_code=403, media_type=MEDIA_TYPE)

    # The last added runs first: headers, the session, arrivals from other sites, then the
    # cross-site check.
    app.add_middleware(CrossSiteGuard, cookie_name=COOKIE_NAME, refuse=refuse)
    app.add_middleware(CrossSiteArrivals, cookie_name=COOKIE_NAME)
    app.add_middleware(
        SessionMiddleware,
        secret_key=config.session_secret,
        session_cookie=COOKIE_NAME,
        max_age=config.session_max_age_seconds,
        same_site="strict",
        https_only=config.secure_cookies,
    )
    app.add_middleware(PageHeaders, policy=content_security_policy(_sign_in_origin(ctx)))
    return kit
