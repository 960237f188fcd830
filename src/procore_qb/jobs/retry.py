"""When a failed job is tried again: capped exponential backoff with jitter.

The delay before attempt ``n + 1`` (after ``n`` failed attempts) is
``min(cap, base * factor ** (n - 1))``, then passed through ``jitter``; both come from the
project's one retry policy (:mod:`procore_qb.retrying`), so jobs and HTTP calls back off alike
(equal jitter). Jitter spreads retries of many jobs that failed together (one QuickBooks outage
fails every company's jobs at once); it is a plain function so tests pass :func:`no_jitter` and
get exact delays.

A task that raises :class:`~procore_qb.retrying.RetryLater` (a service asked for a wait longer
than is slept in-process) runs again after exactly the wait the service asked for.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from procore_qb.jobs.errors import RetryableJobError, is_terminal
from procore_qb.retrying import RetryLater, capped_exponential
from procore_qb.retrying import equal_jitter as _equal_jitter

__all__ = ["DEFAULT_MAX_ATTEMPTS", "Backoff", "Jitter", "equal_jitter", "no_jitter", "retry_delay"]

DEFAULT_MAX_ATTEMPTS = 5

Jitter = Callable[[float], float]
"""Takes the computed delay in seconds and returns the delay to use."""


def no_jitter(seconds: float) -> float:
    return seconds


def equal_jitter(rng: random.Random | None = None) -> Jitter:
    """Half the delay fixed, half random: never shorter than half, never longer than the delay."""
    source = rng or random.Random()  # noqa: S311 - spreading retries, not cryptography

    def jitter(seconds: float) -> float:
        return _equal_jitter(seconds, source.random)

    return jitter


@dataclass(frozen=True, slots=True)
class Backoff:
    base: timedelta = timedelta(seconds=10)
    factor: float = 2.0
    cap: timedelta = timedelta(minutes=15)
    jitter: Jitter = field(default_factory=equal_jitter)

    def __post_init__(self) -> None:
        if self.base <= timedelta(0):
            raise ValueError("Backoff.base must be positive")
        if self.factor < 1:
            raise ValueError("Backoff.factor must be at least 1 (1 gives a constant delay)")
        if self.cap < self.base:
            raise ValueError("Backoff.cap must be at least Backoff.base")

    def delay(self, failed_attempts: int) -> timedelta:
        """The wait after ``failed_attempts`` (1 or more) failed attempts."""
        if failed_attempts < 1:
            raise ValueError("failed_attempts counts from 1")
        base = self.base.total_seconds()
        cap = self.cap.total_seconds()
        # Compare exponents rather than computing huge powers for long-failing jobs.
        raw = (
            cap
            if failed_attempts > 64
            else capped_exponential(failed_attempts, base=base, cap=cap, factor=self.factor)
        )
        return timedelta(seconds=max(0.0, min(cap, self.jitter(raw))))


def retry_delay(
    error: BaseException, *, attempt: int, max_attempts: int, backoff: Backoff
) -> timedelta | None:
    """How long to wait before retrying after ``attempt`` (1-based) failed with ``error``;
    ``None`` when the job has failed for good."""
    if is_terminal(error) or attempt >= max_attempts:
        return None
    if isinstance(error, RetryLater):
        return error.retry_after
    delay = backoff.delay(attempt)
    if isinstance(error, RetryableJobError) and error.retry_after is not None:
        delay = max(delay, error.retry_after)
    return delay
