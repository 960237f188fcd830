"""QuickBooks Web Connector sessions and the Desktop driver's per-command progress.

Kept in the database so that the queue and the sessions survive a restart of procore-qb: a
Web Connector that posts ``receiveResponseXML`` after a restart still finds its ticket, the
commands it holds and the iterator pages already received.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base, JSONType

__all__ = ["QbdCommandProgress", "QbdResultPage", "QbwcConnectionError", "QbwcSession"]


class QbwcSession(Base):
    """One Web Connector session (``authenticate`` to ``closeConnection``), by ticket.

    ``state``: ``open``, ``closed`` (closeConnection or connectionError) or ``expired`` (the
    ticket timed out, or a newer session of the same company replaced it).
    """

    __tablename__ = "qbwc_sessions"
    __table_args__ = (
        sa.CheckConstraint("state IN ('open', 'closed', 'expired')", name="state"),
        sa.Index(None, "company_id", "state"),
    )

    ticket: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(sa.String(128))
    state: Mapped[str] = mapped_column(sa.String(16), default="open")
    company_file: Mapped[str] = mapped_column(sa.Text, default="")
    client_version: Mapped[str | None] = mapped_column(sa.String(32))
    qbxml_version: Mapped[str | None] = mapped_column(sa.String(16))
    completed: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class QbwcConnectionError(Base):
    """A ``connectionError`` call (QuickBooks not running, company file not open), or a
    transport error reported through ``receiveResponseXML``; shown to the user."""

    __tablename__ = "qbwc_connection_errors"
    __table_args__ = (sa.Index(None, "company_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id", ondelete="CASCADE"))
    ticket: Mapped[str | None] = mapped_column(sa.String(36))
    hresult: Mapped[str] = mapped_column(sa.String(32), default="")
    message: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime]


class QbdCommandProgress(Base):
    """Where a handed-out command stands in its Web Connector session.

    ``parts`` is one entry per qbXML request of the command: ``{"page": n, "iterator_id":
    str | None, "sent": bool, "done": bool}``. ``lookup``: the first part is a look-up
    (the command's earlier outcome is unknown). ``as_of``: when it was handed out.
    """

    __tablename__ = "qbd_command_progress"

    command_id: Mapped[int] = mapped_column(
        sa.ForeignKey("qb_commands.id", ondelete="CASCADE"), primary_key=True
    )
    ticket: Mapped[str] = mapped_column(sa.String(36), index=True)
    lookup: Mapped[bool] = mapped_column(default=False)
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType)
    as_of: Mapped[datetime]


class QbdResultPage(Base):
    """One response page of one part of a command, as a ``CommandResult`` JSON, kept until
    every part is done and the pages are joined into the command's result."""

    __tablename__ = "qbd_result_pages"
    __table_args__ = (sa.UniqueConstraint("command_id", "part", "page"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    command_id: Mapped[int] = mapped_column(sa.ForeignKey("qb_commands.id", ondelete="CASCADE"))
    part: Mapped[int]
    page: Mapped[int]
    result: Mapped[dict[str, Any]] = mapped_column(JSONType)
