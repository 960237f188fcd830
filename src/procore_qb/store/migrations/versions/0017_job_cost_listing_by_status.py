"""The Job Costs report's pages of lines come from a partial index per status listed (mapped,
not mapped) instead of one index of every line on (company, project, status, removed, date,
transaction, line): a line read is in neither until it is placed, so writing a line to
Procore no longer moves it in a listing index, it only enters one.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 14:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_LISTED = ("mapped", "not_mapped")
_COLUMNS = [
    "company_id",
    "procore_project_id",
    "status",
    "removed",
    "txn_date",
    "txn_id",
    "line_id",
]


def upgrade() -> None:
    op.drop_index("ix_job_cost_lines_listing", table_name="job_cost_lines")
    for status in _LISTED:
        op.create_index(
            f"ix_job_cost_lines_{status}",
            "job_cost_lines",
            _COLUMNS,
            unique=False,
            sqlite_where=sa.text(f"status = '{status}'"),
            postgresql_where=sa.text(f"status = '{status}'"),
        )


def downgrade() -> None:
    for status in _LISTED:
        op.drop_index(f"ix_job_cost_lines_{status}", table_name="job_cost_lines")
    op.create_index("ix_job_cost_lines_listing", "job_cost_lines", _COLUMNS, unique=False)
