"""Configuration of the job queue: the ``jobs`` section of
:class:`procore_qb.settings.Settings`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["JobQueueSettings"]


class JobQueueSettings(BaseModel):
    backend: Literal["auto", "embedded", "procrastinate"] = Field(
        default="auto",
        description="auto: Procrastinate on PostgreSQL, the embedded queue on SQLite.",
    )
