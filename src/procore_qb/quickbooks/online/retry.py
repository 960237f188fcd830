"""Whether and when to try a request again: decided here and nowhere else.

Retriable: 429 (code 3001), 5xx, and transport failures. The wait honours ``Retry-After`` when the
server sends it and otherwise grows exponentially (``base * 2**n``) up to ``cap``, with full jitter
so that workers throttled together do not come back together. Intuit's own SDK retries a fixed
three times (spec §A.12); we default to five attempts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from procore_qb.quickbooks.online.errors import QboError, QboServerError, QboThrottled

__all__ = ["RetryPolicy", "no_sleep"]


def no_sleep(_seconds: float) -> None:
    """A sleep that returns at once (tests)."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` counts the first try. ``sleep`` is injectable; pass :func:`no_sleep`
    in tests (never assert on wall-clock time)."""

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def should_retry(self, error: QboError, attempt: int) -> bool:
        """``attempt`` is 1 for the first try."""
        return error.retriable and attempt < self.max_attempts

    def delay(self, error: QboError | None, attempt: int) -> float:
        """Seconds to wait before attempt ``attempt + 1``."""
        retry_after = (
            error.retry_after if isinstance(error, QboThrottled | QboServerError) else None
        )
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0, ceiling)

    def wait(self, error: QboError | None, attempt: int) -> None:
        seconds = self.delay(error, attempt)
        if seconds > 0:
            self.sleep(seconds)
