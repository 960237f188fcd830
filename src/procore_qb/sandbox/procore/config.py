"""Knobs of the Procore simulator, with Procore's documented values as defaults."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SandboxConfig"]


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Limits and lifetimes. Tests lower the rate limits to reach 429 in a few calls.

    Sources (spec procore-api.md): token and code lifetimes §1.2; rate-limit windows §1.5;
    paging §1.3 (Procore recommends ``per_page`` <= 2,000 and does not document a default, so
    100 is our choice, §6.5); sync batch cap §1.7; webhook delivery timeout, backoff and discard
    §1.8.
    """

    hourly_limit: int = 3600
    spike_limit: int = 100
    access_token_seconds: int = 5400
    authorization_code_seconds: int = 600
    accept_demo_tokens: bool = True
    default_per_page: int = 100
    max_per_page: int = 2000
    sync_batch_limit: int = 1000
    webhook_timeout_seconds: float = 5.0
    webhook_first_retry_seconds: float = 1.0
    webhook_max_retry_seconds: float = 3600.0
    webhook_discard_after_seconds: float = 12 * 3600.0

    def __post_init__(self) -> None:
        for name in ("hourly_limit", "spike_limit", "max_per_page", "sync_batch_limit"):
            if getattr(self, name) < 1:
                raise ValueError(f"SandboxConfig.{name} must be at least 1")
        if not 1 <= self.default_per_page <= self.max_per_page:
            raise ValueError("SandboxConfig.default_per_page must be between 1 and max_per_page")
