"""What the last job cost sync found in Procore on another cost type than 'Other': one check
per project and the budget lines and direct cost lines it found.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cost_type_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("procore_project_id", sa.BigInteger(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("other_cost_type_id", sa.BigInteger(), nullable=True),
        sa.Column("budget_total", sa.Integer(), nullable=False),
        sa.Column("direct_cost_total", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_cost_type_checks_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_type_checks")),
        sa.UniqueConstraint(
            "company_id",
            "procore_project_id",
            name=op.f("uq_cost_type_checks_company_id_procore_project_id"),
        ),
    )
    op.create_table(
        "cost_type_check_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("procore_project_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("procore_id", sa.BigInteger(), nullable=False),
        sa.Column("direct_cost_id", sa.BigInteger(), nullable=True),
        sa.Column("cost_code_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("cost_type_id", sa.BigInteger(), nullable=False),
        sa.Column("cost_type", sa.String(length=255), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.CheckConstraint(
            "kind IN ('budget', 'direct_cost')", name=op.f("ck_cost_type_check_lines_kind")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_cost_type_check_lines_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_type_check_lines")),
        sa.UniqueConstraint(
            "company_id",
            "procore_project_id",
            "kind",
            "procore_id",
            name=op.f("uq_cost_type_check_lines_company_id_procore_project_id_kind_procore_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("cost_type_check_lines")
    op.drop_table("cost_type_checks")
