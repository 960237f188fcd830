"""The time of each QuickBooks command's first attempt, the start of the window a look-up
after a lost answer searches.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("qb_commands", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Commands already handed out were first attempted after they were recorded: the time
    # they were recorded is a safe start for the window.
    op.execute(
        "UPDATE qb_commands SET first_attempt_at = created_at "
        "WHERE attempts > 0 AND first_attempt_at IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("qb_commands", schema=None) as batch_op:
        batch_op.drop_column("first_attempt_at")
