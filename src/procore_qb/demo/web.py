"""The demo's web app: the production app, plus ``GET /api/v1/demo`` and the start page."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.responses import HTMLResponse

from procore_qb.app.context import AppContext
from procore_qb.sandbox import seed
from procore_qb.web.app import WebDependencies, create_app

__all__ = ["build_demo_app", "demo_router", "permissions", "start_page"]


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


def start_page(described: dict[str, Any]) -> str:
    """The demo's start page: procore-qb's API docs and the two simulator consoles side by
    side, the seed users with their demo tokens, and the two ways through the flowchart."""
    procore_console = escape(str(described.get("procore", {}).get("console", "")), quote=True)
    qb_name, qb = _quickbooks(described)
    qb_console = escape(str(qb.get("console", "")), quote=True)
    users = "\n".join(
        f"<li><code>{escape(u.token)}</code> {escape(u.email)}: {escape(permissions(u))}</li>"
        for u in seed.USERS
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>procore-qb demo</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
  padding: 0 1rem; line-height: 1.5; color: #1b1b1b; }}
ul.apps {{ display: flex; gap: 1rem; list-style: none; padding: 0; flex-wrap: wrap; }}
ul.apps li {{ flex: 1 1 15rem; border: 1px solid #888; border-radius: 6px; padding: 1rem; }}
a:focus-visible {{ outline: 3px solid #0b5fff; outline-offset: 2px; }}
code {{ background: #f1f1f1; padding: 0 .2rem; }}
</style>
</head>
<body>
<main>
<h1>procore-qb demo</h1>
<p>procore-qb, a Procore simulator and a {escape(qb_name)} simulator, running on this
computer. Everything here is simulated: nothing reaches Procore or QuickBooks.</p>
<h2 id="apps">The three apps</h2>
<ul class="apps" aria-labelledby="apps">
<li><a href="/docs">procore-qb API docs</a>: the JSON API this service answers</li>
<li><a href="{procore_console}">Procore console</a>: projects, cost codes, the ERP
connection</li>
<li><a href="{qb_console}">{escape(qb_name)} console</a>: customers and jobs</li>
</ul>
<h2 id="users">Users</h2>
<p>Send <code>Authorization: Bearer TOKEN</code> with each API request.</p>
<ul aria-labelledby="users">
{users}
</ul>
<h2 id="paths">Two ways through</h2>
<h3>From Procore to QuickBooks</h3>
<p>Create a project in the <a href="{procore_console}">Procore console</a> → send it to ERP
here (<code>POST /api/v1/projects/{{id}}/send-to-erp</code> as cara), accept it
(<code>POST /api/v1/erp/jobs/{{id}}/accept</code> as ben).</p>
<h3>From QuickBooks to Procore</h3>
<p>Create a job in the <a href="{qb_console}">{escape(qb_name)} console</a> → refresh the job
list here (<code>POST /api/v1/erp/jobs/refresh</code> as ada) → add it to Procore
(<code>POST /api/v1/erp/jobs/{{id}}/import</code> with <code>{{"method": "new"}}</code>).</p>
<p>Where the simulators are and how to sign in to them: <a href="/api/v1/demo">/api/v1/demo</a>.
</p>
</main>
</body>
</html>
"""


def demo_router(ctx: AppContext, describe: Callable[[], dict[str, Any]]) -> APIRouter:
    """``GET /api/v1/demo``: the running simulators' base URLs and the sandbox credentials
    (DESIGN §4), so outside tools can look inside them; ``GET /``: the start page. Demo mode
    only; 404 otherwise."""
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

    @router.get("/", include_in_schema=False, response_class=HTMLResponse)
    def start() -> HTMLResponse:
        if not ctx.demo:
            raise HTTPException(status_code=404, detail="Not Found")
        return HTMLResponse(start_page(describe()))

    return router


def build_demo_app(
    deps: WebDependencies, ctx: AppContext, *, describe: Callable[[], dict[str, Any]]
) -> FastAPI:
    app = create_app(deps, ctx)
    app.include_router(demo_router(ctx, describe))
    return app
