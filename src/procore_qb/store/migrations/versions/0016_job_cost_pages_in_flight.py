"""Job cost projects keep the ids of the lines whose Procore write may be in flight, so that a
page going out no longer marks each of its lines ``sent`` first.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 13:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_cost_projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_flight_from_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("in_flight_to_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    # The lines a write left in flight are marked sent first: without the ids, that is all
    # the older schema knows of them.
    op.execute(
        "UPDATE job_cost_lines SET sent = true WHERE dirty = true AND EXISTS ("
        "SELECT 1 FROM job_cost_projects p WHERE p.company_id = job_cost_lines.company_id"
        " AND p.procore_project_id = job_cost_lines.procore_project_id"
        " AND job_cost_lines.id BETWEEN p.in_flight_from_id AND p.in_flight_to_id)"
    )
    with op.batch_alter_table("job_cost_projects", schema=None) as batch_op:
        batch_op.drop_column("in_flight_to_id")
        batch_op.drop_column("in_flight_from_id")
