"""The :class:`~procore_qb.procore.oauth.TokenStore` of a company's Procore connections, kept in
the ``connections`` table: encrypted with :class:`~procore_qb.store.secrets.SecretBox`, rotated
with a compare-and-set on ``version`` by the store's ``Connections`` repository.

Keys are connection subjects such as ``"service-account"`` or ``"user:<procore user id>"``.
Each method runs in its own short transaction, so a rotated refresh token is durable before the
access token that came with it is used.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from procore_qb.procore.oauth import StoredTokens, TokenConflict, TokenSet
from procore_qb.store.repositories.connections import Connections
from procore_qb.store.secrets import SecretBox

__all__ = ["PROVIDER", "SqlTokenStore"]

PROVIDER = "procore"


class SqlTokenStore:
    """Procore tokens of company ``company_id`` (our ``companies.id``)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        box: SecretBox,
        *,
        company_id: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._company_id = company_id
        self._clock = clock

    def __repr__(self) -> str:
        return f"SqlTokenStore(company_id={self._company_id})"

    def load(self, key: str) -> StoredTokens | None:
        with self._sessions.begin() as session:
            found = Connections(session, self._box).load(self._company_id, PROVIDER, key)
        if found is None or found.access_token is None or found.access_expires_at is None:
            return None
        tokens = TokenSet(found.access_token, found.access_expires_at, found.refresh_token)
        return StoredTokens(tokens, found.version)

    def save(self, key: str, tokens: TokenSet, *, expected_version: int | None) -> StoredTokens:
        now = self._clock()
        with self._sessions.begin() as session:
            connections = Connections(session, self._box)
            if expected_version is None:
                saved = connections.save(
                    self._company_id,
                    PROVIDER,
                    key,
                    access_token=tokens.access_token,
                    refresh_token=tokens.refresh_token,
                    access_expires_at=tokens.expires_at,
                    now=now,
                )
                return StoredTokens(tokens, saved.version)
            won = connections.rotate(
                self._company_id,
                PROVIDER,
                key,
                expected_version=expected_version,
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                access_expires_at=tokens.expires_at,
                now=now,
            )
        if not won:
            raise TokenConflict(
                f"Procore tokens for {key!r} were rotated by another worker since version "
                f"{expected_version}; reload them"
            )
        return StoredTokens(tokens, expected_version + 1)
