"""Job cost lines lose their index on (company_id, txn_id): every query that looks lines up by
transaction also names the project, and the unique constraint on (company_id,
procore_project_id, txn_id, line_id) serves those, so the index only cost every line written.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 04:05:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_cost_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_cost_lines_company_id_txn_id"))


def downgrade() -> None:
    with op.batch_alter_table("job_cost_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_cost_lines_company_id_txn_id"),
            ["company_id", "txn_id"],
            unique=False,
        )
