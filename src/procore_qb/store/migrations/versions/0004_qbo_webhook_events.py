"""QuickBooks Online webhook events, deduplicated by event key.

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qbo_webhook_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=False),
        sa.Column("realm_id", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payload_format", sa.String(length=16), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qbo_webhook_events")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_qbo_webhook_events_dedupe_key")),
    )
    with op.batch_alter_table("qbo_webhook_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_qbo_webhook_events_realm_id_entity_entity_id"),
            ["realm_id", "entity", "entity_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("qbo_webhook_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qbo_webhook_events_realm_id_entity_entity_id"))
    op.drop_table("qbo_webhook_events")
