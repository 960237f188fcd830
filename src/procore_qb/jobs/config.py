"""Configuration of the job queue: the ``jobs`` section of
:class:`procore_qb.settings.Settings`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["JobQueueSettings"]


class JobQueueSettings(BaseModel):
    # A misspelt key is refused, not silently ignored.
    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "embedded", "procrastinate"] = Field(
        default="auto",
        description="auto: Procrastinate on PostgreSQL, the embedded queue on SQLite.",
    )
