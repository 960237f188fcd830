"""Who is acting: API tokens, Procore sign-in, and the actor's Procore permissions.

Permissions come from Procore: each person's permission manifest is read with their own Procore
token (so it says what Procore says they may do) and cached for ``permission_ttl_seconds``.
Every use case checks the permission of spec §4 (``domain.permissions``) before acting.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from procore_qb.app.context import AppContext, ProcoreIdentity
from procore_qb.app.errors import NotConnected, NotFound, UpstreamError
from procore_qb.domain.permissions import AccessLevel, Action, Tool, UserPermissions, check
from procore_qb.procore.errors import NotFound as ProcoreNotFound
from procore_qb.procore.errors import ProcoreError
from procore_qb.store.models import COMPANY_LEVEL, User
from procore_qb.store.repositories.tokens import ApiTokens
from procore_qb.store.repositories.users import PermissionKey, Users

__all__ = [
    "DEMO_TOKEN_PREFIX",
    "TOKEN_PREFIX",
    "Actor",
    "actor_for_session",
    "actor_for_token",
    "cached_permissions",
    "issue_token",
    "permissions",
    "require",
    "sign_in",
    "sign_in_url",
    "user_by_email",
]

TOKEN_PREFIX = "pqb_"  # noqa: S105 - a prefix, not a secret
"""Every token procore-qb issues starts with this, so a leaked one is easy to recognise."""
DEMO_TOKEN_PREFIX = "demo-"  # noqa: S105 - a prefix, not a secret
"""The seed world's fixed tokens (``demo-ada``, ...), accepted only in demo mode."""
MAX_TOKEN_LENGTH = 256


@dataclass(frozen=True, slots=True)
class Actor:
    """A person using procore-qb: our user row id and who they are in Procore."""

    user_id: int
    procore_user_id: int
    email: str
    name: str = ""

    @property
    def label(self) -> str:
        """How the audit log names them."""
        return self.email


def _status(exc: ProcoreError) -> int | None:
    """The HTTP status Procore answered with, when the error carries one."""
    status = getattr(exc, "status", None)
    return status if isinstance(status, int) else None


def _actor(user: User) -> Actor:
    return Actor(user.id, user.procore_user_id, user.email, user.name)


def sign_in_url(ctx: AppContext, state: str) -> str:
    """Procore's sign-in page for a person, carrying the OAuth ``state``."""
    try:
        return ctx.procore_authorize_url(state)
    except ProcoreError as exc:
        raise NotConnected(
            f"procore-qb cannot send people to Procore's sign-in ({exc}): set "
            "PROCORE_QB_PROCORE__CLIENT_ID and PROCORE_QB_PROCORE__REDIRECT_URI"
        ) from exc


def sign_in(ctx: AppContext, code: str) -> Actor:
    """Finish a Procore sign-in: keep the person's Procore tokens and make them a user here.

    A code Procore refuses (used, expired, from another app) or a Procore that cannot be
    reached raises :class:`UpstreamError` with Procore's own words."""
    try:
        identity: ProcoreIdentity = ctx.procore_sign_in(code)
    except ProcoreError as exc:
        raise UpstreamError(
            f"Procore did not complete the sign-in ({exc}); sign in again", status=_status(exc)
        ) from exc
    with ctx.sessions.begin() as session:
        user = Users(session).upsert(
            ctx.company_id,
            procore_user_id=identity.procore_user_id,
            email=identity.email,
            name=identity.name,
        )
        # What Procore says the person may do is read again with the token just issued (the
        # upsert does not know the "Can Push to Accounting" privilege, so nothing cached stays).
        user.permissions_fetched_at = None
        return _actor(user)


def issue_token(ctx: AppContext, actor: Actor, *, label: str = "", token: str | None = None) -> str:
    """A new API token for ``actor``; only its hash is kept. ``token`` fixes the value (the
    demo's ``demo-…`` tokens); otherwise a random one is made."""
    value = token or TOKEN_PREFIX + secrets.token_urlsafe(32)
    if value.startswith(DEMO_TOKEN_PREFIX) and not ctx.demo:
        raise ValueError("demo tokens exist only in demo mode")
    with ctx.sessions.begin() as session:
        user = Users(session).get(actor.user_id)
        ApiTokens(session).add(user, value, label=label or "api", now=ctx.now())
    return value


def actor_for_token(ctx: AppContext, token: str) -> Actor | None:
    """The actor a bearer token belongs to, or None (unknown, revoked, malformed, or a demo
    token outside demo mode)."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    if token.startswith(DEMO_TOKEN_PREFIX) and not ctx.demo:
        return None
    with ctx.sessions.begin() as session:
        user = ApiTokens(session).user_for(token, now=ctx.now())
        if user is None or user.company_id != ctx.company_id:
            return None
        return _actor(user)


def actor_for_session(ctx: AppContext, user_id: int, procore_user_id: int) -> Actor | None:
    """The actor a signed-in page session names, or None when that user is no longer one of
    this company's (the session then counts as signed out)."""
    with ctx.sessions.begin() as session:
        row = Users(session).by_procore_id(ctx.company_id, procore_user_id)
        if row is None or row.id != user_id:
            return None
        return _actor(row)


def cached_permissions(user: User, levels: Mapping[PermissionKey, str]) -> UserPermissions:
    """A user's permissions from the levels cached for them (tools procore-qb does not use,
    and levels it does not know, are left out)."""
    company: dict[Tool, AccessLevel] = {}
    projects: dict[int, AccessLevel] = {}
    for (tool, project_id), level in levels.items():
        try:
            parsed_tool, parsed_level = Tool(tool), AccessLevel.from_code(level)
        except ValueError:
            continue
        if parsed_tool.per_project:
            projects[project_id] = parsed_level
        else:
            company[parsed_tool] = parsed_level
    return UserPermissions(
        user_id=user.procore_user_id,
        company_tools=company,
        project_admin=projects,
        can_push_to_accounting=user.can_push_to_accounting,
    )


def _cached(session: Session, user_id: int) -> UserPermissions:
    users = Users(session)
    return cached_permissions(users.get(user_id), users.permissions(user_id))


def permissions(ctx: AppContext, actor: Actor, *, project_id: int | None = None) -> UserPermissions:
    """``actor``'s Procore permissions (company tools, and the Admin tool of ``project_id``),
    from the cache when it is fresh, else read from Procore with the actor's own token."""
    now = ctx.now()
    ttl = timedelta(seconds=ctx.permission_ttl_seconds)
    with ctx.sessions.begin() as session:
        row = Users(session).get(actor.user_id)
        fresh = row.permissions_fetched_at is not None and now - row.permissions_fetched_at < ttl
        cached = _cached(session, actor.user_id)
        if fresh and (project_id is None or project_id in cached.project_admin):
            return cached
        keep = dict(cached.project_admin) if fresh else {}
    try:
        gateway = ctx.procore_as_user(actor.procore_user_id)
        company_tools = gateway.tool_permissions(project_id)
    except NotConnected:
        raise
    except ProcoreNotFound as exc:
        if project_id is None:
            raise NotConnected(
                f"procore-qb could not read {actor.email}'s permissions from Procore ({exc}). "
                "Check the Procore company id in the settings."
            ) from exc
        raise NotFound(
            f"Procore has no project {project_id} in this company ({exc}). "
            "Check the project id; a deleted project cannot be sent or changed."
        ) from exc
    except ProcoreError as exc:
        raise NotConnected(
            f"procore-qb could not read {actor.email}'s permissions from Procore ({exc}). "
            "Sign in to Procore again through procore-qb."
        ) from exc
    levels: dict[tuple[str, int], str] = {
        (Tool.ERP_INTEGRATIONS.value, COMPANY_LEVEL): company_tools.erp_integrations,
        (Tool.DIRECTORY.value, COMPANY_LEVEL): company_tools.directory,
    }
    for pid, level in keep.items():
        levels[(Tool.PROJECT_ADMIN.value, pid)] = level.code
    if project_id is not None:
        levels[(Tool.PROJECT_ADMIN.value, project_id)] = company_tools.project_admin or "none"
    with ctx.sessions.begin() as session:
        users = Users(session)
        row = users.get(actor.user_id)
        row.can_push_to_accounting = company_tools.can_push_to_accounting
        users.replace_permissions(row, levels, now=now)
        return _cached(session, actor.user_id)


def require(
    ctx: AppContext, actor: Actor, action: Action, *, project_id: int | None = None
) -> UserPermissions:
    """Raise :class:`~procore_qb.domain.errors.PermissionDenied` unless ``actor`` may do
    ``action``; returns the permissions read."""
    found = permissions(ctx, actor, project_id=project_id)
    check(found, action, project_id=project_id)
    return found


def user_by_email(ctx: AppContext, email: str) -> Actor:
    with ctx.sessions.begin() as session:
        row = Users(session).by_email(ctx.company_id, email)
        if row is None:
            raise NotFound(
                f"no procore-qb user {email!r}: the person signs in to Procore through "
                "procore-qb once (`procore-qb token create --user EMAIL` shows how)"
            )
        return _actor(row)
