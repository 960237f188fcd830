"""Procore users and the tool permissions cached from Procore's permission manifest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.store.errors import NotFound
from procore_qb.store.models import COMPANY_LEVEL, User, UserPermission

__all__ = ["PermissionKey", "Users"]

PermissionKey = tuple[str, int]
"""(tool, Procore project id), with ``COMPANY_LEVEL`` for a company tool."""


class Users:
    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(
        self,
        company_id: int,
        *,
        procore_user_id: int,
        email: str,
        name: str = "",
        can_push_to_accounting: bool = False,
    ) -> User:
        row = self.by_procore_id(company_id, procore_user_id)
        if row is None:
            row = User(company_id=company_id, procore_user_id=procore_user_id)
            self._session.add(row)
        row.email = email.lower()
        row.name = name
        row.can_push_to_accounting = can_push_to_accounting
        self._session.flush()
        return row

    def get(self, user_id: int) -> User:
        row = self._session.get(User, user_id)
        if row is None:
            raise NotFound(f"no user with id {user_id}")
        return row

    def by_procore_id(self, company_id: int, procore_user_id: int) -> User | None:
        return self._session.scalars(
            sa.select(User).where(
                User.company_id == company_id, User.procore_user_id == procore_user_id
            )
        ).one_or_none()

    def by_email(self, company_id: int, email: str) -> User | None:
        return self._session.scalars(
            sa.select(User).where(User.company_id == company_id, User.email == email.lower())
        ).one_or_none()

    def in_company(self, company_id: int) -> list[User]:
        """Every cached user of the company, by Procore user id."""
        return list(
            self._session.scalars(
                sa.select(User).where(User.company_id == company_id).order_by(User.procore_user_id)
            )
        )

    def company_permissions(self, company_id: int) -> dict[int, dict[PermissionKey, str]]:
        """The cached permissions of every user of the company, by ``users.id``, in one query."""
        rows = self._session.execute(
            sa.select(
                UserPermission.user_id,
                UserPermission.tool,
                UserPermission.project_id,
                UserPermission.level,
            )
            .join(User, User.id == UserPermission.user_id)
            .where(User.company_id == company_id)
        )
        found: dict[int, dict[PermissionKey, str]] = {}
        for user_id, tool, project_id, level in rows:
            found.setdefault(user_id, {})[(tool, project_id)] = level
        return found

    def set_digest_opt_out(self, company_id: int, procore_user_id: int, opt_out: bool) -> User:
        """Turn the ERP Integrations Daily Summary off (``opt_out``) or on for one user."""
        row = self.by_procore_id(company_id, procore_user_id)
        if row is None:
            raise NotFound(f"no user with Procore id {procore_user_id} in company {company_id}")
        row.digest_opt_out = opt_out
        self._session.flush()
        return row

    def replace_permissions(
        self, user: User, levels: Mapping[PermissionKey, str], *, now: datetime
    ) -> None:
        """Replace the cached permissions of ``user`` with a fresh read from Procore."""
        self._session.execute(sa.delete(UserPermission).where(UserPermission.user_id == user.id))
        for (tool, project_id), level in sorted(levels.items()):
            self._session.add(
                UserPermission(user_id=user.id, tool=tool, project_id=project_id, level=level)
            )
        user.permissions_fetched_at = now
        self._session.flush()

    def permissions(self, user_id: int) -> dict[PermissionKey, str]:
        rows = self._session.scalars(
            sa.select(UserPermission).where(UserPermission.user_id == user_id)
        )
        return {(row.tool, row.project_id): row.level for row in rows}

    def company_level(self, user_id: int, tool: str) -> str:
        """The user's level on a company tool; ``none`` when nothing is cached."""
        return self.permissions(user_id).get((tool, COMPANY_LEVEL), "none")
