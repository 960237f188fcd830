from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from procore_qb.jobs.arguments import check_args, check_lock, check_name, check_when
from procore_qb.jobs.errors import InvalidJobArguments, JobsConfigurationError


def test_plain_values_are_copied() -> None:
    args = {"company_id": 7, "names": ["a", "b"], "nested": {"ok": True, "x": None}, "f": 1.5}
    copy = check_args("t", args)
    assert copy == args
    assert copy is not args


def test_no_args_is_an_empty_object() -> None:
    assert check_args("t", None) == {}


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ({"amount": Decimal("1.10")}, "a Decimal value"),
        ({"when": datetime(2026, 1, 1, tzinfo=UTC)}, "a datetime value"),
        ({"x": float("nan")}, "NaN"),
        ({1: "a"}, "key 1 is not a string"),
        ({"ctx": 1}, "reserved"),
        ({"timestamp": 1}, "reserved"),
        ({"__procore_qb__": 1}, "reserved"),
    ],
)
def test_unstorable_args_are_refused_with_the_fix(args: dict[object, object], problem: str) -> None:
    with pytest.raises(InvalidJobArguments, match="JSON object") as info:
        check_args("export_project", args)  # type: ignore[arg-type]
    assert problem in str(info.value)
    assert "'export_project'" in str(info.value)


def test_a_non_mapping_is_refused() -> None:
    with pytest.raises(InvalidJobArguments, match="expected a mapping"):
        check_args("t", [1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["refresh_jobs", "export.project", "a:b-c", "X1"])
def test_good_names(name: str) -> None:
    assert check_name("task", name) == name


@pytest.mark.parametrize("name", ["", "_private", "has space", "x" * 129, "é"])
def test_bad_names(name: str) -> None:
    with pytest.raises(JobsConfigurationError, match="task name"):
        check_name("task", name)


def test_locks() -> None:
    assert check_lock(None) is None
    assert check_lock("company:7") == "company:7"
    with pytest.raises(JobsConfigurationError, match="company:7"):
        check_lock("")
    with pytest.raises(JobsConfigurationError):
        check_lock("x" * 129)


def test_times_must_be_aware_and_come_back_in_utc() -> None:
    assert check_when("run_at", None) is None
    plus_two = timezone(timedelta(hours=2))
    when = check_when("run_at", datetime(2026, 1, 1, 12, tzinfo=plus_two))
    assert when == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert when is not None
    assert when.tzinfo is UTC
    with pytest.raises(JobsConfigurationError, match="run_at must be timezone-aware"):
        check_when("run_at", datetime(2026, 1, 1))  # noqa: DTZ001
