"""The :class:`~.oauth.TokenStore` of one QuickBooks Online connection, kept in the
``connections`` table: encrypted with :class:`~procore_qb.store.secrets.SecretBox`, rotated
with a compare-and-set on ``version`` by the store's ``Connections`` repository.

Each method runs in its own short transaction, so a rotated refresh token is durable before the
access token that came with it is used.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from procore_qb.quickbooks.online.oauth import StoredTokens, Tokens
from procore_qb.store.repositories.connections import Connections
from procore_qb.store.secrets import SecretBox

__all__ = ["PROVIDER", "SqlTokenStore"]

PROVIDER = "quickbooks_online"


class SqlTokenStore:
    """Tokens of company ``company_id``'s QuickBooks Online realm ``realm_id``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        box: SecretBox,
        *,
        company_id: int,
        realm_id: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._company_id = company_id
        self._subject = f"realm:{realm_id}"
        self._clock = clock

    def __repr__(self) -> str:
        return f"SqlTokenStore(company_id={self._company_id}, subject={self._subject!r})"

    def load(self) -> StoredTokens | None:
        with self._sessions.begin() as session:
            found = Connections(session, self._box).load(self._company_id, PROVIDER, self._subject)
        if found is None or not found.access_token or not found.refresh_token:
            return None
        return StoredTokens(
            tokens=Tokens(
                access_token=found.access_token,
                refresh_token=found.refresh_token,
                access_expires_at=found.access_expires_at or datetime.min.replace(tzinfo=UTC),
                refresh_expires_at=found.refresh_expires_at,
                scope=found.scope,
            ),
            version=found.version,
        )

    def replace(self, tokens: Tokens) -> StoredTokens:
        with self._sessions.begin() as session:
            saved = Connections(session, self._box).save(
                self._company_id,
                PROVIDER,
                self._subject,
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                access_expires_at=tokens.access_expires_at,
                refresh_expires_at=tokens.refresh_expires_at,
                scope=tokens.scope,
                now=self._clock(),
            )
        return StoredTokens(tokens=tokens, version=saved.version)

    def rotate(self, expected_version: int, tokens: Tokens) -> bool:
        with self._sessions.begin() as session:
            return Connections(session, self._box).rotate(
                self._company_id,
                PROVIDER,
                self._subject,
                expected_version=expected_version,
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                access_expires_at=tokens.access_expires_at,
                refresh_expires_at=tokens.refresh_expires_at,
                now=self._clock(),
            )

    def clear(self) -> None:
        with self._sessions.begin() as session:
            Connections(session, self._box).delete(self._company_id, PROVIDER, self._subject)
