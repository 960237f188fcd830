"""Whether and when to try a call to an outside service again: one policy for the project.

Procore, QuickBooks Online and the job queue all decide here (:mod:`.policy`): a call is
repeated after a rate limit (429, or 503 with ``Retry-After``), after a server error or a lost
answer only when it is safe to repeat, waiting what the service asked for (``Retry-After``,
``X-Rate-Limit-Reset``) or a capped exponential backoff with equal jitter. A wait longer than
the policy sleeps in-process raises :class:`~.errors.RetryLater` instead, which the job queue
turns into a job retry at that time.

This package sits below the adapters and above the domain: it imports nothing of ours.
"""

from __future__ import annotations

from procore_qb.retrying.errors import RetryingError, RetryLater
from procore_qb.retrying.policy import (
    RETRIABLE_SERVER_STATUSES,
    SAFE_METHODS,
    RetryPolicy,
    capped_exponential,
    equal_jitter,
    no_sleep,
    wait_hint,
)

__all__ = [
    "RETRIABLE_SERVER_STATUSES",
    "SAFE_METHODS",
    "RetryLater",
    "RetryPolicy",
    "RetryingError",
    "capped_exponential",
    "equal_jitter",
    "no_sleep",
    "wait_hint",
]
