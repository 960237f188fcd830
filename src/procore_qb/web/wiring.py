"""Builds the web app's dependencies from the settings: the one place that opens the database
for ``procore-qb serve``."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from procore_qb.settings import Settings
from procore_qb.store import migrate
from procore_qb.store.engine import create_engine, create_session_factory
from procore_qb.store.errors import StoreError
from procore_qb.store.repositories.companies import Companies
from procore_qb.web.app import WebDependencies

__all__ = ["build_web_dependencies"]


def _now() -> datetime:
    return datetime.now(UTC)


def build_web_dependencies(settings: Settings) -> tuple[WebDependencies, Engine]:
    """Open the database, check its schema is current and find (or register) the company.

    Raises :class:`StoreError` or ``ValueError`` with the fix when something is missing.
    """
    company = settings.company
    if company.procore_company_id is None:
        raise ValueError(
            "no company is configured: set PROCORE_QB_COMPANY__PROCORE_COMPANY_ID to the id "
            "Procore shows in your company's URLs"
        )
    engine = create_engine(
        settings.database_url(), busy_timeout_ms=settings.database.sqlite_busy_timeout_ms
    )
    current = migrate.current_revision(engine)
    if current != migrate.head_revision():
        engine.dispose()
        raise StoreError(
            f"the database is at revision {current or 'none'}, not {migrate.head_revision()}: "
            "run `procore-qb db upgrade` first"
        )
    sessions = create_session_factory(engine)
    with sessions.begin() as session:
        companies = Companies(session)
        row = companies.by_procore_id(company.procore_company_id)
        if row is None:
            row = companies.add(
                procore_company_id=company.procore_company_id,
                name=company.name or f"Procore company {company.procore_company_id}",
                qb_edition=company.qb_edition,
                now=_now(),
            )
        company_id, stored_edition = row.id, row.qb_edition
    if stored_edition != company.qb_edition:
        engine.dispose()
        raise StoreError(
            f"this database keeps company {company.procore_company_id} on QuickBooks "
            f"{stored_edition}, but PROCORE_QB_COMPANY__QB_EDITION says "
            f"{company.qb_edition}; switching editions is not supported"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    deps = WebDependencies(
        sessions=sessions,
        company_id=company_id,
        qb_edition=company.qb_edition,
        data_dir=settings.data_dir,
        clock=_now,
        webconnector=settings.webconnector,
    )
    return deps, engine
