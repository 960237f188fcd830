"""Companies, their connections to Procore and QuickBooks, and per-company settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base, JSONType

__all__ = ["Company", "CompanySetting", "Connection"]


class Company(Base):
    """A Procore company and the QuickBooks company file or realm it is paired with."""

    __tablename__ = "companies"
    __table_args__ = (sa.CheckConstraint("qb_edition IN ('desktop', 'online')", name="qb_edition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procore_company_id: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    qb_edition: Mapped[str] = mapped_column(sa.String(16))
    qb_realm_id: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime]


class Connection(Base):
    """OAuth tokens for one provider and subject (a service account, or one user).

    Tokens are stored encrypted (``*_enc``, see :mod:`procore_qb.store.secrets`). ``version``
    increases on every rotation so that two workers refreshing at once cannot overwrite the
    newer refresh token with an older one (compare-and-set in the repository).
    """

    __tablename__ = "connections"
    __table_args__ = (sa.UniqueConstraint("company_id", "provider", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(sa.String(32))
    subject: Mapped[str] = mapped_column(sa.String(128))
    access_token_enc: Mapped[str | None] = mapped_column(sa.Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(sa.Text)
    access_expires_at: Mapped[datetime | None]
    refresh_expires_at: Mapped[datetime | None]
    scope: Mapped[str] = mapped_column(sa.String(512), default="")
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime]


class CompanySetting(Base):
    """One setting of a company (for example the default project template)."""

    __tablename__ = "company_settings"

    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSONType)
    updated_at: Mapped[datetime]
