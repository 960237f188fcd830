"""Alembic environment. Run through :mod:`procore_qb.store.migrate`, which passes the engine's
connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from procore_qb.store.models import Base
from procore_qb.store.models.base import UTCDateTime


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Migrations use plain SQLAlchemy types, never our own classes, so they stay runnable
    after the models change."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Procrastinate's own tables and the table recording their version (PostgreSQL only,
    applied by ``procore-qb db upgrade`` apart from this history) are not our models."""
    if type_ != "table" or name is None:
        return True
    return not (name.startswith("procrastinate_") or name == "procore_qb_queue_schema")


config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable from the alembic CLI
    raise RuntimeError("run migrations with `procore-qb db upgrade`, not the alembic command")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=_render_item,
    include_name=_include_name,
)
with context.begin_transaction():
    context.run_migrations()
