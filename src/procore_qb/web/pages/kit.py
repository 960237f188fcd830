"""What every page is built with: :class:`PageKit` (templates, the current person and their
permissions, redirects and flash messages) and :class:`PageUser`.

A page route takes the person through a dependency:

- ``user: PageUser = Depends(kit.need(Action.VIEW_JOBS))``: signed in **and** allowed the
  action (spec §4), else a redirect to ``/login?next=…`` or a 403 page naming what is missing;
- ``user: PageUser = Depends(kit.signed_in)``: any signed-in person;
- ``user: PageUser | None = Depends(kit.maybe_signed_in)``: pages for everyone.

Actions on one project are checked with :meth:`PageKit.require` (``project_id=``) before
acting; the use cases check again. Never rely on a template hiding a button.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from procore_qb.app import actors
from procore_qb.app.actors import Actor
from procore_qb.app.context import AppContext
from procore_qb.app.errors import AppError
from procore_qb.domain.permissions import (
    AccessLevel,
    Action,
    Tool,
    UserPermissions,
    allowed_actions,
    check,
)
from procore_qb.web.pages.csrf import CSRF_FIELD, session_token
from procore_qb.web.pages.errors import SignInRequired
from procore_qb.web.pages.formatting import duration, relative, when
from procore_qb.web.pages.navigation import NavItem, visible_navigation
from procore_qb.web.pages.session import (
    FlashKind,
    add_flash,
    pop_flashes,
    signed_in,
)

__all__ = ["STATIC_FILES", "DemoWelcome", "PageConfig", "PageKit", "PageUser"]

STATIC_FILES = ("pages.css", "pages.js")


@dataclass(frozen=True, slots=True)
class DemoWelcome:
    """What a signed-out visitor of the demo sees at ``/`` and on ``/login``: the simulators'
    consoles and the seed users with their tokens and permissions."""

    procore_console: str
    quickbooks_name: str
    quickbooks_console: str
    users: tuple[tuple[str, str, str], ...]
    """(e-mail, demo token, Procore permissions in words)."""


@dataclass(frozen=True, slots=True)
class PageConfig:
    """How the pages' session works, and what the demo adds."""

    session_secret: str = field(repr=False)
    secure_cookies: bool = True
    session_max_age_seconds: int = 12 * 3600
    company_name: str = ""
    welcome: Callable[[], DemoWelcome] | None = None


@dataclass(frozen=True, slots=True)
class PageUser:
    """The signed-in person and their Procore permissions (company tools; the project Admin
    tool of the projects read so far)."""

    actor: Actor
    permissions: UserPermissions
    allowed: frozenset[Action]

    def may(self, action: Action) -> bool:
        """Whether the person may do a company-wide ``action`` (to decide what to show)."""
        return action in self.allowed

    @property
    def summary(self) -> list[tuple[str, str]]:
        """Their permissions in Procore's words, for the page header and the dashboard."""
        perms = self.permissions
        found = [
            ("ERP Integrations", perms.level(Tool.ERP_INTEGRATIONS).label),
            ("Directory", perms.level(Tool.DIRECTORY).label),
            ("Can Push to Accounting", "Yes" if perms.can_push_to_accounting else "No"),
        ]
        admin = sum(1 for level in perms.project_admin.values() if level >= AccessLevel.ADMIN)
        if admin:
            found.append(("Project Admin tool 'Admin'", f"{admin} project(s)"))
        return found


class PageKit:
    """Templates, the current person and the responses every page needs (no module state:
    one kit per app, made by :func:`procore_qb.web.pages.install_pages`)."""

    def __init__(self, ctx: AppContext, config: PageConfig) -> None:
        self.ctx = ctx
        self.config = config
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("procore_qb.web", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        static = resources.files("procore_qb.web") / "static"
        digest = hashlib.sha256()
        for name in STATIC_FILES:
            digest.update((static / name).read_bytes())
        self.static_version = digest.hexdigest()[:12]
        self.templates.globals["static"] = self.static_url
        self.templates.filters["when"] = lambda value, never="never": when(
            value, self.now(), never=never
        )
        self.templates.filters["relative"] = lambda value: relative(value, self.now())
        self.templates.filters["duration"] = duration

    # ------------------------------------------------------------------ who

    def now(self) -> datetime:
        return self.ctx.now()

    def _actor(self, request: Request) -> Actor | None:
        found = signed_in(
            request.session, now=self.now(), max_age_seconds=self.config.session_max_age_seconds
        )
        if found is None:
            return None
        return actors.actor_for_session(self.ctx, found.user_id, found.procore_user_id)

    def _page_user(self, actor: Actor) -> PageUser:
        perms = actors.permissions(self.ctx, actor)
        return PageUser(actor, perms, allowed_actions(perms))

    def maybe_signed_in(self, request: Request) -> PageUser | None:
        """Dependency: the signed-in person, or None."""
        actor = self._actor(request)
        return None if actor is None else self._page_user(actor)

    def signed_in(self, request: Request) -> PageUser:
        """Dependency: the signed-in person; anyone else is sent to ``/login?next=…``."""
        actor = self._actor(request)
        if actor is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target)
        return self._page_user(actor)

    def need(self, action: Action) -> Callable[[Request], PageUser]:
        """Dependency: the signed-in person, allowed ``action`` (a company-wide one), else a
        403 page naming the permission missing."""

        def dependency(request: Request) -> PageUser:
            user = self.signed_in(request)
            check(user.permissions, action)
            return user

        return dependency

    def require(self, user: PageUser, action: Action, *, project_id: int | None = None) -> None:
        """Refuse (403 page) unless ``user`` may do ``action`` (on ``project_id``), read from
        Procore as the use cases read it."""
        actors.require(self.ctx, user.actor, action, project_id=project_id)

    def quiet_user(self, request: Request) -> PageUser | None:
        """The signed-in person for an error page, or None when that cannot be read."""
        try:
            return self.maybe_signed_in(request)
        except AppError:
            return None

    # ------------------------------------------------------------------ answers

    def static_url(self, name: str) -> str:
        return f"/static/{name}?v={self.static_version}"

    def flash(self, request: Request, kind: FlashKind, text: str) -> None:
        """Show ``text`` on the next page rendered for this session."""
        add_flash(request.session, kind, text)

    def redirect(
        self, request: Request, path: str, *, flash: tuple[FlashKind, str] | None = None
    ) -> RedirectResponse:
        """303 See Other to ``path`` (after a POST: the browser GETs it)."""
        if flash is not None:
            self.flash(request, *flash)
        return RedirectResponse(path, status_code=303)

    def render(
        self,
        request: Request,
        template: str,
        *,
        user: PageUser | None,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        show_flashes: bool = True,
        **context: Any,
    ) -> HTMLResponse:
        """``template`` rendered with the layout's context: ``user``, ``nav`` (the tabs the
        person may use), ``flashes`` (taken from the session unless ``show_flashes`` is
        false), ``csrf_name``/``csrf_token`` and ``current_path``."""
        path = request.url.path
        nav: list[NavItem] = [] if user is None else visible_navigation(user.allowed)
        token = session_token(request.session)
        values: dict[str, Any] = {
            "request": request,
            "user": user,
            "nav": nav,
            "current_path": path,
            "flashes": pop_flashes(request.session) if show_flashes else [],
            "csrf_token": token,
            "csrf_name": CSRF_FIELD,
            "company_name": self.config.company_name,
            "edition": self.ctx.edition.value,
            "demo": self.ctx.demo,
            **context,
        }
        body = self.templates.get_template(template).render(values)
        return HTMLResponse(body, status_code=status, headers=dict(headers or {}))
