"""QuickBooks Online webhook events as received, one row per entity change, deduplicated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from procore_qb.store.models.base import Base, JSONType

__all__ = ["QboWebhookEvent"]


class QboWebhookEvent(Base):
    """One entity change notified by QuickBooks Online.

    ``dedupe_key`` is the CloudEvents ``id`` (``ce:…``), or for the legacy payload a digest of
    realm, entity, id, operation and ``lastUpdated`` (``legacy:…``): Intuit redelivers a
    payload until it is acknowledged, and a redelivered event must not be recorded twice.
    """

    __tablename__ = "qbo_webhook_events"
    __table_args__ = (sa.Index(None, "realm_id", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(sa.String(160), unique=True)
    realm_id: Mapped[str] = mapped_column(sa.String(64))
    entity: Mapped[str] = mapped_column(sa.String(64))
    entity_id: Mapped[str] = mapped_column(sa.String(64))
    operation: Mapped[str] = mapped_column(sa.String(32))
    occurred_at: Mapped[datetime | None]
    payload_format: Mapped[str] = mapped_column(sa.String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    received_at: Mapped[datetime]
