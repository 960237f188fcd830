from __future__ import annotations

import pytest

from procore_qb.jobs import errors
from procore_qb.jobs.errors import (
    InvalidJobArguments,
    JobFailure,
    JobsConfigurationError,
    JobsError,
    RetryableJobError,
    TerminalJobError,
    UnknownTask,
    is_terminal,
)


def test_every_error_shares_the_root() -> None:
    for name in errors.__all__:
        value = getattr(errors, name)
        if isinstance(value, type):
            assert issubclass(value, JobsError), name


def test_configuration_errors_and_failures_are_separate_branches() -> None:
    assert issubclass(UnknownTask, JobsConfigurationError)
    assert issubclass(InvalidJobArguments, JobsConfigurationError)
    assert issubclass(RetryableJobError, JobFailure)
    assert issubclass(TerminalJobError, JobFailure)
    assert not issubclass(TerminalJobError, JobsConfigurationError)


class _MarkedTerminal(Exception):
    retryable = False


class _MarkedRetryable(Exception):
    retryable = True


@pytest.mark.parametrize(
    ("error", "terminal"),
    [
        (TerminalJobError("bad data"), True),
        (_MarkedTerminal(), True),
        (RetryableJobError("busy"), False),
        (_MarkedRetryable(), False),
        (ConnectionError(), False),
        (ValueError(), False),
    ],
)
def test_is_terminal(error: Exception, terminal: bool) -> None:
    assert is_terminal(error) is terminal


def test_unknown_task_names_what_is_registered_and_the_fix() -> None:
    message = str(UnknownTask("refesh", ["refresh", "export"]))
    assert "'refesh'" in message
    assert "export, refresh" in message
    assert "queue.register(name, function)" in message


def test_unknown_task_with_nothing_registered() -> None:
    assert "registered: none" in str(UnknownTask("x", []))
