"""Outbox idempotency keys are unique per company instead of across the installation.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 14:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("qb_commands", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_qb_commands_idempotency_key"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_qb_commands_company_id_idempotency_key"),
            ["company_id", "idempotency_key"],
        )


def downgrade() -> None:
    # Going down needs keys unique across companies again: it fails, naming the constraint,
    # when two companies share a key.
    with op.batch_alter_table("qb_commands", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_qb_commands_company_id_idempotency_key"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_qb_commands_idempotency_key"), ["idempotency_key"]
        )
