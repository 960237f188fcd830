"""Procrastinate's job queue schema, on PostgreSQL only.

On PostgreSQL the worker machines run Procrastinate, whose tables, types, functions and
triggers (all named ``procrastinate_*``) are created here from the schema that the installed
Procrastinate ships, so ``procore-qb db upgrade`` sets up everything. On SQLite the embedded
queue uses ``queued_jobs`` (revision 0001) and this revision does nothing.

Upgrading Procrastinate to a release that changes its schema needs a new revision that applies
that release's migration files (``procrastinate/sql/migrations/``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 04:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # The schema is many statements with dollar-quoted function bodies: run it as one simple
    # query on the driver connection (no parameters, so no placeholder parsing), inside the
    # migration's transaction.
    bind.connection.driver_connection.execute(SchemaManager.get_schema())  # type: ignore[union-attr]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        """
        DO $$
        DECLARE
            item record;
        BEGIN
            FOR item IN
                SELECT tablename FROM pg_tables
                WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%'
            LOOP
                EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.tablename);
            END LOOP;
            FOR item IN
                SELECT p.oid::regprocedure AS signature FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
            LOOP
                EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
            END LOOP;
            FOR item IN
                SELECT t.typname FROM pg_type t
                JOIN pg_namespace n ON n.oid = t.typnamespace
                WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
                  AND t.typtype IN ('e', 'c')
            LOOP
                EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', item.typname);
            END LOOP;
        END;
        $$;
        """
    )
