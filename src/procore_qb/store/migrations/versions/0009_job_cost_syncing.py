"""Job cost syncing: the projects that sync QuickBooks costs, the cost lines read for them,
and the totals written to Procore.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_cost_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("procore_project_id", sa.BigInteger(), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("txn_id", sa.String(length=64), nullable=False),
        sa.Column("line_id", sa.String(length=64), nullable=False),
        sa.Column("txn_date", sa.Date(), nullable=False),
        sa.Column("ref_number", sa.String(length=64), nullable=False),
        sa.Column("vendor_name", sa.String(length=255), nullable=False),
        sa.Column("memo", sa.String(length=4095), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=True),
        sa.Column("account_id", sa.String(length=64), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cost_code_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("procore_direct_cost_id", sa.BigInteger(), nullable=True),
        sa.Column("procore_line_id", sa.BigInteger(), nullable=True),
        sa.Column("push_error", sa.Text(), nullable=True),
        sa.Column("read_key", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'mapped', 'not_mapped', 'excluded')",
            name=op.f("ck_job_cost_lines_status"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_job_cost_lines_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_cost_lines")),
        sa.UniqueConstraint(
            "company_id",
            "procore_project_id",
            "txn_id",
            "line_id",
            name=op.f("uq_job_cost_lines_company_id_procore_project_id_txn_id_line_id"),
        ),
    )
    with op.batch_alter_table("job_cost_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_cost_lines_company_id_procore_project_id_cost_code_id"),
            ["company_id", "procore_project_id", "cost_code_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_job_cost_lines_company_id_procore_project_id_dirty_id"),
            ["company_id", "procore_project_id", "dirty", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_job_cost_lines_company_id_procore_project_id_removed_id"),
            ["company_id", "procore_project_id", "removed", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_job_cost_lines_company_id_read_key"),
            ["company_id", "read_key"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_job_cost_lines_company_id_txn_id"),
            ["company_id", "txn_id"],
            unique=False,
        )

    op.create_table(
        "job_cost_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("procore_project_id", sa.BigInteger(), nullable=False),
        sa.Column("qb_job_id", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=255), nullable=False),
        sa.Column("procore_configured", sa.Boolean(), nullable=True),
        sa.Column("watermark", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pending_command", sa.String(length=36), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pushed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("map_fingerprint", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_job_cost_projects_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_cost_projects")),
        sa.UniqueConstraint(
            "company_id",
            "procore_project_id",
            name=op.f("uq_job_cost_projects_company_id_procore_project_id"),
        ),
    )
    with op.batch_alter_table("job_cost_projects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_cost_projects_company_id_qb_job_id"),
            ["company_id", "qb_job_id"],
            unique=False,
        )

    op.create_table(
        "job_cost_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("procore_project_id", sa.BigInteger(), nullable=False),
        sa.Column("cost_code_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("budget_line_item_id", sa.BigInteger(), nullable=True),
        sa.Column("budget_cents", sa.BigInteger(), nullable=True),
        sa.Column("written_cents", sa.BigInteger(), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_job_cost_totals_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_cost_totals")),
        sa.UniqueConstraint(
            "company_id",
            "procore_project_id",
            "cost_code_id",
            name=op.f("uq_job_cost_totals_company_id_procore_project_id_cost_code_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("job_cost_totals")
    with op.batch_alter_table("job_cost_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_cost_projects_company_id_qb_job_id"))

    op.drop_table("job_cost_projects")
    with op.batch_alter_table("job_cost_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_cost_lines_company_id_txn_id"))
        batch_op.drop_index(batch_op.f("ix_job_cost_lines_company_id_read_key"))
        batch_op.drop_index(
            batch_op.f("ix_job_cost_lines_company_id_procore_project_id_removed_id")
        )
        batch_op.drop_index(batch_op.f("ix_job_cost_lines_company_id_procore_project_id_dirty_id"))
        batch_op.drop_index(
            batch_op.f("ix_job_cost_lines_company_id_procore_project_id_cost_code_id")
        )

    op.drop_table("job_cost_lines")
