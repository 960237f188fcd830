"""Companies and their settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.store.errors import Conflict, NotFound
from procore_qb.store.models import Company, CompanySetting

__all__ = ["Companies"]


class Companies:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        procore_company_id: int,
        name: str,
        qb_edition: str,
        now: datetime,
        qb_realm_id: str | None = None,
    ) -> Company:
        if self.by_procore_id(procore_company_id) is not None:
            raise Conflict(f"Procore company {procore_company_id} is already set up")
        row = Company(
            procore_company_id=procore_company_id,
            name=name,
            qb_edition=qb_edition,
            qb_realm_id=qb_realm_id,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return row

    def get(self, company_id: int) -> Company:
        row = self._session.get(Company, company_id)
        if row is None:
            raise NotFound(f"no company with id {company_id}")
        return row

    def by_procore_id(self, procore_company_id: int) -> Company | None:
        return self._session.scalars(
            sa.select(Company).where(Company.procore_company_id == procore_company_id)
        ).one_or_none()

    def all(self) -> list[Company]:
        return list(self._session.scalars(sa.select(Company).order_by(Company.id)))

    def setting(self, company_id: int, key: str, default: Any = None) -> Any:
        row = self._session.get(CompanySetting, (company_id, key))
        return default if row is None else row.value

    def set_setting(self, company_id: int, key: str, value: Any, *, now: datetime) -> None:
        row = self._session.get(CompanySetting, (company_id, key))
        if row is None:
            self._session.add(
                CompanySetting(company_id=company_id, key=key, value=value, updated_at=now)
            )
        else:
            row.value = value
            row.updated_at = now
        self._session.flush()
