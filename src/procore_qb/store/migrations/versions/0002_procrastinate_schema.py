"""Kept empty: Procrastinate's schema is not part of our Alembic history.

This revision once created Procrastinate's tables from the schema of whatever Procrastinate was
installed, so the same revision could mean different schemas. Procrastinate's schema is now
applied and upgraded by ``procore-qb db upgrade`` with Procrastinate's own files and tracked
apart (:mod:`procore_qb.jobs.procrastinate_schema`); databases that went through the old
revision keep their tables, which the first ``db upgrade`` adopts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 04:10:00
"""

from __future__ import annotations

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
