"""Job cost lines: the check on ``status`` is a chain of comparisons, the index of the dirty
lines holds only those (``dirty IS true``), and the index by cost code only the lines on one
(``cost_code_id IS NOT NULL``).

SQLite checked ``status IN (four values)`` by building a temporary table of the four values
every time it checked the constraint: for each line written and each status set. Comparisons
need none. SQLite cannot change a check constraint in place, so the table is copied there.

A line Procore took leaves the dirty index instead of moving to its not-dirty part, and a
line placed on a cost code enters the cost code index instead of moving out of its NULL
part: one B-tree change per line and index instead of two, and smaller indexes. Every query
that used them names ``dirty IS true`` or ``cost_code_id = ?``, which the partial indexes
serve on SQLite and on PostgreSQL.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 09:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_TABLE = "job_cost_lines"
_STATUSES = ("pending", "mapped", "not_mapped", "excluded")
_CHECK = " OR ".join(f"status = '{status}'" for status in _STATUSES)
_OLD_CHECK = "status IN ({})".format(", ".join(f"'{status}'" for status in _STATUSES))


def _status_check(check: str) -> None:
    with op.batch_alter_table(_TABLE, recreate="auto") as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_job_cost_lines_status"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_job_cost_lines_status"), sa.text(check))


def upgrade() -> None:
    # First, while the table has only full indexes (a copy keeps those as they are).
    _status_check(_CHECK)
    op.drop_index("ix_job_cost_lines_company_id_procore_project_id_dirty_id", table_name=_TABLE)
    op.drop_index("ix_job_cost_lines_company_id_procore_project_id_cost_code_id", table_name=_TABLE)
    op.create_index(
        "ix_job_cost_lines_dirty",
        _TABLE,
        ["company_id", "procore_project_id", "id"],
        unique=False,
        sqlite_where=sa.text("dirty IS 1"),
        postgresql_where=sa.text("dirty IS true"),
    )
    op.create_index(
        "ix_job_cost_lines_cost_code",
        _TABLE,
        ["company_id", "procore_project_id", "cost_code_id"],
        unique=False,
        sqlite_where=sa.text("cost_code_id IS NOT NULL"),
        postgresql_where=sa.text("cost_code_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_job_cost_lines_cost_code", table_name=_TABLE)
    op.drop_index("ix_job_cost_lines_dirty", table_name=_TABLE)
    op.create_index(
        "ix_job_cost_lines_company_id_procore_project_id_cost_code_id",
        _TABLE,
        ["company_id", "procore_project_id", "cost_code_id"],
        unique=False,
    )
    op.create_index(
        "ix_job_cost_lines_company_id_procore_project_id_dirty_id",
        _TABLE,
        ["company_id", "procore_project_id", "dirty", "id"],
        unique=False,
    )
    _status_check(_OLD_CHECK)
