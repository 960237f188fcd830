"""A :class:`~procore_qb.procore.oauth.TokenStore` over the store's connections repository.

The store keeps each connection's tokens encrypted at rest and rotates them with compare-and-set
on a version column (``procore_qb.store.repositories.connections``). This package may not import
the store (they are sibling adapters), so the repository is described here by the methods used,
and the composition root hands in a factory that opens one transaction per call::

    @contextmanager
    def connections() -> Iterator[Connections]:
        with sessions.begin() as session:
            yield Connections(session, SecretBox(key))

    store = ConnectionTokenStore(connections, company_id=company.id)

Each :meth:`ConnectionTokenStore.save` commits on its own, so a rotated refresh token is durable
before it is used.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Protocol

from procore_qb.procore.oauth import StoredTokens, TokenConflict, TokenSet

__all__ = ["ConnectionRepository", "ConnectionTokenStore", "ConnectionTokens"]

PROVIDER = "procore"


class ConnectionTokens(Protocol):
    """What the repository returns: decrypted tokens and the row version."""

    @property
    def access_token(self) -> str | None: ...

    @property
    def refresh_token(self) -> str | None: ...

    @property
    def access_expires_at(self) -> datetime | None: ...

    @property
    def version(self) -> int: ...


class ConnectionRepository(Protocol):
    """The methods of the store's ``Connections`` repository this adapter calls."""

    def load(self, company_id: int, provider: str, subject: str) -> ConnectionTokens | None: ...

    def save(
        self,
        company_id: int,
        provider: str,
        subject: str,
        *,
        access_token: str | None,
        refresh_token: str | None,
        access_expires_at: datetime | None,
        refresh_expires_at: datetime | None = None,
        scope: str = "",
        now: datetime,
    ) -> ConnectionTokens: ...

    def rotate(
        self,
        company_id: int,
        provider: str,
        subject: str,
        *,
        expected_version: int,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
        refresh_expires_at: datetime | None = None,
        now: datetime,
    ) -> bool: ...


class ConnectionTokenStore:
    """Procore tokens of one company's connections; the token store key is the subject.

    Use subjects like ``"service-account"`` or ``"user:<procore user id>"``.
    """

    def __init__(
        self,
        connections: Callable[[], AbstractContextManager[ConnectionRepository]],
        *,
        company_id: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.connections = connections
        self.company_id = company_id
        self.clock = clock

    def load(self, key: str) -> StoredTokens | None:
        with self.connections() as repo:
            row = repo.load(self.company_id, PROVIDER, key)
        if row is None or row.access_token is None or row.access_expires_at is None:
            return None
        tokens = TokenSet(row.access_token, row.access_expires_at, row.refresh_token)
        return StoredTokens(tokens, row.version)

    def save(self, key: str, tokens: TokenSet, *, expected_version: int | None) -> StoredTokens:
        now = self.clock()
        with self.connections() as repo:
            if expected_version is None:
                row = repo.save(
                    self.company_id,
                    PROVIDER,
                    key,
                    access_token=tokens.access_token,
                    refresh_token=tokens.refresh_token,
                    access_expires_at=tokens.expires_at,
                    now=now,
                )
                return StoredTokens(tokens, row.version)
            won = repo.rotate(
                self.company_id,
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
