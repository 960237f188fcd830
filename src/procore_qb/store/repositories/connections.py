"""OAuth tokens per company, provider and subject, encrypted at rest and rotated atomically.

Refresh tokens of Procore and QuickBooks Online rotate: the newest one must never be lost, and two
workers refreshing at the same moment must not overwrite a newer token with an older one.
:meth:`Connections.rotate` is a compare-and-set on ``version``: it only writes when the row is still
at the version the caller read, and reports whether it won.

:class:`SqlTokenStore` is the one token store of both OAuth services: bound to a company and a
provider (``"procore"``, ``"quickbooks_online"``), keyed by connection subject, each method in
its own short transaction so a rotated refresh token is durable before the access token that
came with it is used. It implements the token store protocols that ``procore_qb.procore.oauth``
and ``procore_qb.quickbooks.online.oauth`` declare, structurally.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from procore_qb.store.models import Connection
from procore_qb.store.secrets import SecretBox

__all__ = ["PROCORE", "QUICKBOOKS_ONLINE", "Connections", "SqlTokenStore", "TokenSet"]

PROCORE = "procore"
QUICKBOOKS_ONLINE = "quickbooks_online"


@dataclass(frozen=True, slots=True)
class TokenSet:
    """Decrypted tokens of one connection, with the row version they were read at."""

    access_token: str | None
    refresh_token: str | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    scope: str
    version: int

    def __repr__(self) -> str:
        return (
            f"TokenSet(access_token=<hidden>, refresh_token=<hidden>, "
            f"access_expires_at={self.access_expires_at!r}, version={self.version})"
        )


class Connections:
    def __init__(self, session: Session, box: SecretBox) -> None:
        self._session = session
        self._box = box

    def _row(self, company_id: int, provider: str, subject: str) -> Connection | None:
        return self._session.scalars(
            sa.select(Connection).where(
                Connection.company_id == company_id,
                Connection.provider == provider,
                Connection.subject == subject,
            )
        ).one_or_none()

    def load(self, company_id: int, provider: str, subject: str) -> TokenSet | None:
        row = self._row(company_id, provider, subject)
        if row is None:
            return None
        return TokenSet(
            access_token=self._open(row.access_token_enc),
            refresh_token=self._open(row.refresh_token_enc),
            access_expires_at=row.access_expires_at,
            refresh_expires_at=row.refresh_expires_at,
            scope=row.scope,
            version=row.version,
        )

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
    ) -> TokenSet:
        """Store a fresh connection (after the OAuth connect flow), replacing any old one."""
        row = self._row(company_id, provider, subject)
        if row is None:
            row = Connection(company_id=company_id, provider=provider, subject=subject, version=0)
            self._session.add(row)
        row.access_token_enc = self._seal(access_token)
        row.refresh_token_enc = self._seal(refresh_token)
        row.access_expires_at = access_expires_at
        row.refresh_expires_at = refresh_expires_at
        row.scope = scope
        row.version = (row.version or 0) + 1
        row.updated_at = now
        self._session.flush()
        return TokenSet(
            access_token=access_token,
            refresh_token=refresh_token,
            access_expires_at=access_expires_at,
            refresh_expires_at=refresh_expires_at,
            scope=scope,
            version=row.version,
        )

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
    ) -> bool:
        """Write refreshed tokens only if the row is still at ``expected_version``.

        Returns False when another worker rotated first; the caller then reloads and uses the
        newer tokens instead of its own (whose refresh token the provider has already retired).
        """
        values: dict[str, object] = {
            "access_token_enc": self._seal(access_token),
            "access_expires_at": access_expires_at,
            "version": expected_version + 1,
            "updated_at": now,
        }
        if refresh_token is not None:
            values["refresh_token_enc"] = self._seal(refresh_token)
            values["refresh_expires_at"] = refresh_expires_at
        result = self._session.execute(
            sa.update(Connection)
            .where(
                Connection.company_id == company_id,
                Connection.provider == provider,
                Connection.subject == subject,
                Connection.version == expected_version,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        self._session.expire_all()
        return bool(getattr(result, "rowcount", 0) == 1)

    def delete(self, company_id: int, provider: str, subject: str) -> None:
        row = self._row(company_id, provider, subject)
        if row is not None:
            self._session.delete(row)
            self._session.flush()

    def _seal(self, value: str | None) -> str | None:
        return None if value is None else self._box.seal(value)

    def _open(self, value: str | None) -> str | None:
        return None if value is None else self._box.open(value)


class SqlTokenStore:
    """OAuth tokens of company ``company_id`` (our ``companies.id``) with ``provider``, one
    connection per subject (``"service-account"``, ``"user:<id>"``, ``"realm:<id>"``)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        box: SecretBox,
        *,
        company_id: int,
        provider: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._company_id = company_id
        self._provider = provider
        self._clock = clock
        self._held = threading.local()

    def __repr__(self) -> str:
        return f"SqlTokenStore(company_id={self._company_id}, provider={self._provider!r})"

    def lock_key(self, subject: str) -> int:
        """The PostgreSQL advisory lock of one connection (a signed 64-bit number)."""
        name = f"connection:{self._company_id}:{self._provider}:{subject}"
        return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)

    @contextmanager
    def refresh_lock(self, subject: str) -> Iterator[None]:
        """Hold the refresh lock of ``subject``'s connection across processes and machines:
        a transaction-level advisory lock on PostgreSQL, the database's write lock on SQLite
        (whose transactions begin with ``BEGIN IMMEDIATE``, see :mod:`procore_qb.store.engine`).
        This thread's calls of this store join the lock's transaction, which commits when the
        block ends."""
        if getattr(self._held, "session", None) is not None:
            yield  # already held by this thread
            return
        with self._sessions.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(sa.select(sa.func.pg_advisory_xact_lock(self.lock_key(subject))))
            else:
                session.connection()  # BEGIN IMMEDIATE: the write lock, until the block ends
            self._held.session = session
            try:
                yield
            finally:
                self._held.session = None

    @contextmanager
    def _session(self) -> Iterator[Session]:
        held: Session | None = getattr(self._held, "session", None)
        if held is not None:
            yield held
            return
        with self._sessions.begin() as session:
            yield session

    def load(self, subject: str) -> TokenSet | None:
        with self._session() as session:
            return Connections(session, self._box).load(self._company_id, self._provider, subject)

    def replace(
        self,
        subject: str,
        *,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
        refresh_expires_at: datetime | None = None,
        scope: str = "",
    ) -> int:
        """Store tokens from a new connection, whatever was there; returns their version."""
        with self._session() as session:
            saved = Connections(session, self._box).save(
                self._company_id,
                self._provider,
                subject,
                access_token=access_token,
                refresh_token=refresh_token,
                access_expires_at=access_expires_at,
                refresh_expires_at=refresh_expires_at,
                scope=scope,
                now=self._clock(),
            )
        return saved.version

    def rotate(
        self,
        subject: str,
        *,
        expected_version: int,
        access_token: str,
        refresh_token: str | None,
        access_expires_at: datetime | None,
        refresh_expires_at: datetime | None = None,
    ) -> bool:
        """Store refreshed tokens only if the stored version is still ``expected_version``
        (the new version is then ``expected_version + 1``); False when another worker won."""
        with self._session() as session:
            return Connections(session, self._box).rotate(
                self._company_id,
                self._provider,
                subject,
                expected_version=expected_version,
                access_token=access_token,
                refresh_token=refresh_token,
                access_expires_at=access_expires_at,
                refresh_expires_at=refresh_expires_at,
                now=self._clock(),
            )

    def clear(self, subject: str) -> None:
        with self._session() as session:
            Connections(session, self._box).delete(self._company_id, self._provider, subject)
