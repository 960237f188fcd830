"""Procore users and their tool permissions, cached from Procore's permission manifest."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base

__all__ = ["COMPANY_LEVEL", "User", "UserPermission"]

# ``UserPermission.project_id`` for a company-level tool. A real value instead of NULL keeps the
# unique constraint effective on both dialects (NULLs never collide in a unique index).
COMPANY_LEVEL = 0


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "procore_user_id"),
        sa.UniqueConstraint("company_id", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    procore_user_id: Mapped[int] = mapped_column(sa.BigInteger)
    email: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(255), default="")
    can_push_to_accounting: Mapped[bool] = mapped_column(default=False)
    permissions_fetched_at: Mapped[datetime | None]
    # Cleared "Subscribe to ERP digest emails": no ERP Integrations Daily Summary for this user.
    digest_opt_out: Mapped[bool] = mapped_column(default=False, server_default=sa.false())


class UserPermission(Base):
    """A user's access level on one tool, company-wide or on one project."""

    __tablename__ = "user_permissions"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "tool", "project_id"),
        sa.CheckConstraint("level IN ('none', 'read_only', 'standard', 'admin')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    tool: Mapped[str] = mapped_column(sa.String(64))
    project_id: Mapped[int] = mapped_column(sa.BigInteger, default=COMPANY_LEVEL)
    level: Mapped[str] = mapped_column(sa.String(16))
