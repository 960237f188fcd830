"""The retry policy: which failures are repeated, and after how long.

Rules (spec procore-api §1.5 and quickbooks-api §A.12):

* 429 Too Many Requests, and 503 with ``Retry-After`` (heavy-load throttling): the call was not
  processed, so any call may be repeated.
* 500, 502, 503, 504 and a call that got no answer at all: repeated only when the call is safe
  to repeat (GET, HEAD, OPTIONS, PUT, DELETE, or a write carrying an idempotency key such as
  QuickBooks Online's ``requestid``), since it may have gone through.
* Everything else is final.

The wait is what the service asked for (``Retry-After`` in seconds or as an HTTP date, else
``X-Rate-Limit-Reset``), else capped exponential backoff with equal jitter: half the delay
fixed, half random, so workers throttled together do not come back together yet never retry at
once. A requested wait longer than ``max_inline_wait`` is not slept: :class:`RetryLater` is
raised and the job queue retries the job then.

The loop is tenacity's (``stop_after_attempt``, an injected ``sleep``); tests pass
:func:`no_sleep` or a recorder and never wait.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from email.utils import parsedate_to_datetime
from typing import TypeVar

import tenacity

from procore_qb.retrying.errors import RetryLater

__all__ = [
    "RETRIABLE_SERVER_STATUSES",
    "SAFE_METHODS",
    "RetryPolicy",
    "capped_exponential",
    "equal_jitter",
    "no_sleep",
    "wait_hint",
]

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""Methods that may be repeated when the first call may have gone through (RFC 9110 §9.2.2)."""

RETRIABLE_SERVER_STATUSES = frozenset({500, 502, 503, 504})


def no_sleep(_seconds: float) -> None:
    """A sleep that returns at once (tests)."""


def capped_exponential(attempt: int, *, base: float, cap: float, factor: float = 2.0) -> float:
    """``min(cap, base * factor ** (attempt - 1))`` for retry number ``attempt`` (1-based),
    as tenacity's ``wait_exponential`` computes it."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    state = tenacity.RetryCallState(tenacity.Retrying(), None, (), {})
    state.attempt_number = attempt
    return float(tenacity.wait_exponential(multiplier=base, max=cap, exp_base=factor)(state))


def equal_jitter(seconds: float, rand: Callable[[], float] = random.random) -> float:
    """Half of ``seconds`` fixed, half random (``rand`` returns a number in [0, 1])."""
    return seconds / 2 + seconds / 2 * rand()


def wait_hint(headers: Mapping[str, str], *, now: float) -> float | None:
    """Seconds the service asked us to wait: ``Retry-After`` (seconds or an HTTP date), else
    ``X-Rate-Limit-Reset`` (epoch seconds when the window resets); None when neither is
    readable. ``now`` is the current epoch time."""
    value = headers.get("Retry-After")
    if value is not None:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, when.timestamp() - now)
    reset = headers.get("X-Rate-Limit-Reset")
    if reset is not None:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            return None
    return None


class _Wait(tenacity.wait.wait_base):
    """Tenacity wait: the service's hint for the failure, else the policy's backoff; a hint
    longer than the inline limit raises :class:`RetryLater`."""

    def __init__(self, policy: RetryPolicy, hint: Callable[[BaseException], float | None]) -> None:
        self._policy = policy
        self._hint = hint

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        outcome = retry_state.outcome
        error = None if outcome is None else outcome.exception()
        hinted = None if error is None else self._hint(error)
        return self._policy.delay(retry_state.attempt_number, hinted=hinted, cause=error)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` counts the first call. Backoff delays are capped at ``max_delay``
    seconds; a wait the service asks for is slept when at most ``max_inline_wait`` seconds,
    otherwise :class:`RetryLater` is raised. ``random`` feeds the jitter and ``sleep`` does the
    waiting; both are injectable."""

    max_attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_inline_wait: float = 60.0
    random: Callable[[], float] = field(default=random.random)
    sleep: Callable[[float], None] = field(default=time.sleep)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.max_inline_wait < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    # ---------------------------------------------------------------- decisions

    @staticmethod
    def is_retriable(
        status: int | None, *, idempotent: bool, headers: Mapping[str, str] | None = None
    ) -> bool:
        """Whether a call that got ``status`` (None: no answer at all) may be repeated;
        ``idempotent``: repeating it cannot do the work twice."""
        if status == 429:
            return True
        if status == 503 and headers is not None and headers.get("Retry-After") is not None:
            return True
        if status is None or status in RETRIABLE_SERVER_STATUSES:
            return idempotent
        return False

    def backoff(self, attempt: int) -> float:
        """Capped exponential delay with equal jitter for retry number ``attempt`` (1-based)."""
        ceiling = capped_exponential(attempt, base=self.base_delay, cap=self.max_delay)
        return equal_jitter(ceiling, self.random)

    def delay(
        self, attempt: int, *, hinted: float | None = None, cause: BaseException | None = None
    ) -> float:
        """Seconds to wait before the next call after attempt ``attempt`` failed; ``hinted`` is
        what the service asked for. Raises :class:`RetryLater` (from ``cause``) when that is
        longer than ``max_inline_wait``."""
        if hinted is None:
            return self.backoff(attempt)
        if hinted > self.max_inline_wait:
            raise RetryLater(
                f"the service asked to wait {hinted:.0f}s before the next call, longer than the "
                f"{self.max_inline_wait:.0f}s waited in-process; try again then",
                retry_after=timedelta(seconds=hinted),
            ) from cause
        return hinted

    # ---------------------------------------------------------------- the loop

    def run(
        self,
        call: Callable[[], T],
        *,
        retriable: Callable[[BaseException], bool],
        hint: Callable[[BaseException], float | None] = lambda _error: None,
        sleep: Callable[[float], None] | None = None,
    ) -> T:
        """``call()`` until it returns, raises something not ``retriable``, or
        ``max_attempts`` are used up (the last error is raised); between attempts wait
        :meth:`delay` with the failure's ``hint``, through ``sleep`` (default: the policy's)."""
        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_attempts),
            wait=_Wait(self, hint),
            retry=tenacity.retry_if_exception(retriable),
            sleep=sleep or self.sleep,
            reraise=True,
        )
        return retrying(call)
