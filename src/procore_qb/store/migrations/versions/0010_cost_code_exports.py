"""The Cost Codes tab: standard cost codes waiting for an approver and their exports to
QuickBooks as Service items.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 20:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cost_code_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.BigInteger(), nullable=False),
        sa.Column("standard_cost_code_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state IN ('ready_to_export', 'exporting', 'failed_to_export', 'synced', 'rejected')",
            name=op.f("ck_cost_code_exports_state"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_cost_code_exports_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_code_exports")),
        sa.UniqueConstraint(
            "company_id",
            "standard_cost_code_id",
            name=op.f("uq_cost_code_exports_company_id_standard_cost_code_id"),
        ),
    )
    with op.batch_alter_table("cost_code_exports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cost_code_exports_company_id_state_id"),
            ["company_id", "state", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("cost_code_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cost_code_exports_company_id_state_id"))
    op.drop_table("cost_code_exports")
