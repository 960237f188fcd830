"""``Authorization: Bearer TOKEN``: the actor of an API request."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from procore_qb.app.actors import Actor, actor_for_token
from procore_qb.app.context import AppContext
from procore_qb.web.api.problems import ApiProblem

__all__ = ["bearer_actor"]


def bearer_actor(ctx: AppContext) -> Callable[[Request], Actor]:
    """A FastAPI dependency that answers 401 unless the request names a live token."""

    def dependency(request: Request) -> Actor:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiProblem(
                401,
                "Unauthorized",
                "Send 'Authorization: Bearer TOKEN'; create a token with "
                "`procore-qb token create --user EMAIL`.",
            )
        actor = actor_for_token(ctx, token.strip())
        if actor is None:
            raise ApiProblem(
                401,
                "Unauthorized",
                "The bearer token is unknown, revoked or not valid here; create a new one "
                "with `procore-qb token create --user EMAIL`.",
            )
        return actor

    return dependency
