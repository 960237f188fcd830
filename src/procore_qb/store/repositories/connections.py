"""OAuth tokens per company, provider and subject, encrypted at rest and rotated atomically.

Refresh tokens of Procore and QuickBooks Online rotate: the newest one must never be lost, and two
workers refreshing at the same moment must not overwrite a newer token with an older one.
:meth:`Connections.rotate` is a compare-and-set on ``version``: it only writes when the row is still
at the version the caller read, and reports whether it won.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.store.models import Connection
from procore_qb.store.secrets import SecretBox

__all__ = ["Connections", "TokenSet"]


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
