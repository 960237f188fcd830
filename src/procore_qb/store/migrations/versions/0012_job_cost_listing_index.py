"""The index the Job Costs report reads a page of a project's lines by, newest transaction
first, without sorting them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 21:10:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_cost_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_cost_lines_listing",
            [
                "company_id",
                "procore_project_id",
                "status",
                "removed",
                "txn_date",
                "txn_id",
                "line_id",
            ],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("job_cost_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_job_cost_lines_listing")
