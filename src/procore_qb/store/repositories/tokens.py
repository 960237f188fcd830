"""API tokens, stored as hashes."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.store.models import ApiToken, User

__all__ = ["ApiTokens", "token_hash"]

_TOUCH_EVERY = timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiTokens:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, user: User, token: str, *, label: str, now: datetime) -> ApiToken:
        row = ApiToken(
            user_id=user.id, token_hash=token_hash(token), label=label[:128], created_at=now
        )
        self._session.add(row)
        self._session.flush()
        return row

    def user_for(self, token: str, *, now: datetime) -> User | None:
        """The user a live token belongs to, recording its use; None for unknown or revoked."""
        row = self._session.scalars(
            sa.select(ApiToken).where(ApiToken.token_hash == token_hash(token))
        ).one_or_none()
        if row is None or row.revoked_at is not None:
            return None
        # Recorded at most once a minute, so reading the API does not write on every call.
        if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
            row.last_used_at = now
        return self._session.get(User, row.user_id)

    def revoke_all(self, user: User, *, now: datetime) -> int:
        rows = list(
            self._session.scalars(
                sa.select(ApiToken).where(
                    ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
                )
            )
        )
        for row in rows:
            row.revoked_at = now
        self._session.flush()
        return len(rows)
