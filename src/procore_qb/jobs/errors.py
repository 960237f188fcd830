"""Errors of the job queue.

Hierarchy::

    JobsError                       root of everything raised by procore_qb.jobs
    ├── JobsConfigurationError      set up or called wrongly (fix the code or settings)
    │   ├── UnknownTask             a task name was enqueued or scheduled before it was registered
    │   ├── InvalidJobArguments     job arguments that cannot be stored as JSON
    │   └── InvalidSchedule         a schedule whose period the queue cannot honour
    └── JobFailure                  raised by a task to say how its failure should be handled
        ├── RetryableJobError       try again later (after ``retry_after`` if given)
        └── TerminalJobError        do not try again: the job fails at once

A task may raise anything. What happens next is decided by :func:`is_terminal`: a
:class:`TerminalJobError`, or any exception carrying ``retryable = False`` (other packages mark
their own errors that way without importing this one), fails the job at once; everything else is
retried with backoff until the job's ``max_attempts`` are used up.
"""

from __future__ import annotations

from datetime import timedelta

__all__ = [
    "InvalidJobArguments",
    "InvalidSchedule",
    "JobFailure",
    "JobsConfigurationError",
    "JobsError",
    "RetryableJobError",
    "TerminalJobError",
    "UnknownTask",
    "is_terminal",
]


class JobsError(Exception):
    """Root of the job queue's errors."""


class JobsConfigurationError(JobsError):
    """The queue was set up or called in a way it cannot work with."""


class UnknownTask(JobsConfigurationError):
    def __init__(self, task: str, known: list[str]) -> None:
        self.task = task
        shown = ", ".join(sorted(known)) or "none"
        super().__init__(
            f"no task named {task!r} is registered (registered: {shown}); "
            "call queue.register(name, function) before enqueueing or scheduling it"
        )


class InvalidJobArguments(JobsConfigurationError):
    def __init__(self, task: str, problem: str) -> None:
        self.task = task
        super().__init__(
            f"arguments of a {task!r} job cannot be stored: {problem}; job arguments must be a "
            "JSON object with string keys holding ids and plain values (load records inside the "
            "task instead of passing them)"
        )


class InvalidSchedule(JobsConfigurationError):
    """A schedule's period or name is not usable."""


class JobFailure(JobsError):
    """Raised by a task to choose between retrying and failing for good."""


class RetryableJobError(JobFailure):
    """A passing failure (a service down, a rate limit): the job is tried again.

    ``retry_after`` (for example from a ``Retry-After`` header) is the least time to wait; the
    backoff delay is used when it is longer.
    """

    def __init__(self, message: str, *, retry_after: timedelta | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TerminalJobError(JobFailure):
    """A failure that retrying cannot fix (bad data, a refused permission): fail now."""

    retryable = False


def is_terminal(error: BaseException) -> bool:
    """True when ``error`` must not be retried."""
    return isinstance(error, TerminalJobError) or getattr(error, "retryable", True) is False
