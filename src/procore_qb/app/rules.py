"""What the eligibility rules need to know, read from our store in one go."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procore_qb.app.company import CompanySettings
from procore_qb.domain.eligibility import EligibilityContext
from procore_qb.domain.export_workflow import ExportState
from procore_qb.domain.limits import EditionLimits
from procore_qb.store.models import ExportItem, RecordLink
from procore_qb.store.repositories.mirror import QbJobs

__all__ = ["PROJECT_JOB", "eligibility_context"]

PROJECT_JOB = "project_job"
"""``record_links.kind`` of a Procore project paired with a QuickBooks job."""


def eligibility_context(
    session: Session, company_id: int, settings: CompanySettings, limits: EditionLimits
) -> EligibilityContext:
    links = session.execute(
        sa.select(RecordLink.procore_id, RecordLink.qb_id).where(
            RecordLink.company_id == company_id, RecordLink.kind == PROJECT_JOB
        )
    ).all()
    states = session.execute(
        sa.select(ExportItem.procore_project_id, ExportItem.state).where(
            ExportItem.company_id == company_id
        )
    ).all()
    return EligibilityContext(
        limits=limits,
        quickbooks_cost_code_list_id=settings.quickbooks_cost_code_list_id,
        quickbooks_jobs=tuple(QbJobs(session).all(company_id)),
        linked_project_ids=frozenset(int(p) for p, _ in links),
        linked_job_ids=frozenset(str(q) for _, q in links),
        export_states={int(p): ExportState(s) for p, s in states},
    )
