"""Attribute checks and time rendering of the Procore simulator's answers: the quick paths
give exactly what the plain rules give."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.sandbox.procore.errors import Unprocessable
from procore_qb.sandbox.procore.fields import KINDS, TimeText, _check, clean, render_time

OFFSETS = st.sampled_from([UTC, timezone(timedelta(0)), timezone(timedelta(hours=2)), None])
# Hypothesis draws naive datetimes between naive bounds; the zones come after.
DATETIMES = st.builds(
    lambda moment, tz: moment.replace(tzinfo=tz),
    st.datetimes(
        min_value=datetime(2000, 1, 1, tzinfo=UTC).replace(tzinfo=None),
        max_value=datetime(2100, 1, 1, tzinfo=UTC).replace(tzinfo=None),
    ),
    OFFSETS,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.dates(),
    st.times(),
    DATETIMES,
    st.lists(st.integers(), max_size=3),
)
KEYS = st.sampled_from(
    ["id", "amount", "origin_id", "created_at", "updated_at", "_company_id", "_project_id", "x"]
)
RECORDS = st.dictionaries(KEYS, SCALARS, max_size=8)


def plain_public(record: dict[str, Any]) -> dict[str, Any]:
    """What the serializers rendered before :class:`TimeText`."""
    return {k: render_time(v) for k, v in record.items() if not k.startswith("_")}


@settings(max_examples=300)
@given(st.lists(RECORDS, max_size=6), st.lists(DATETIMES, min_size=1, max_size=3), st.data())
def test_public_is_the_plain_rendering(
    records: list[dict[str, Any]], shared: list[datetime], data: st.DataObject
) -> None:
    # Records of one answer share datetime objects, as the records of one request share its
    # now; equal datetimes in other zones render differently and must not be taken for them.
    for record in records:
        for key in ("created_at", "updated_at"):
            if data.draw(st.booleans()):
                record[key] = data.draw(st.sampled_from(shared))
        if data.draw(st.booleans()):
            record["updated_at"] = shared[0].astimezone(timezone(timedelta(hours=-5)))
    times = TimeText()
    for record in records:
        got = times.public(record)
        want = plain_public(record)
        assert got == want
        assert list(got) == list(want)
        assert [type(v) for v in got.values()] == [type(v) for v in want.values()]


@given(st.lists(SCALARS, max_size=10))
def test_time_text_is_render_time(values: list[Any]) -> None:
    times = TimeText()
    for value in [*values, *values]:
        assert times(value) == render_time(value)
        assert type(times(value)) is type(render_time(value))


def test_time_text_keeps_zones_apart() -> None:
    moment = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    elsewhere = moment.astimezone(timezone(timedelta(hours=2)))
    assert moment == elsewhere
    times = TimeText()
    assert times(moment) == "2026-11-02T09:00:00Z"
    assert times(elsewhere) == "2026-11-02T11:00:00+02:00"
    assert times(moment) == "2026-11-02T09:00:00Z"
    # A date has no time zone: render_time leaves it as it is; a time of day it renders.
    assert times(date(2026, 1, 2)) == date(2026, 1, 2)
    assert times(time(1, 2)) == "01:02:00"


def plain_clean(values: dict[str, Any], spec: dict[str, str]) -> dict[str, Any]:
    """:func:`clean` as it was: every attribute through ``_check``."""
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, kind in spec.items():
        if name not in values:
            continue
        converted, problem = _check(kind, values[name])
        if problem:
            errors[name] = [f"{problem}; got {values[name]!r}"]
        else:
            out[name] = converted
    if errors:
        raise Unprocessable(errors)
    return out


SPEC = {f"f_{kind}": kind for kind in KINDS}
BODY_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["2026-01-02", "2026-13-01", "12", "1.5", "true", "false", "x"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=400)
@given(st.dictionaries(st.sampled_from(sorted(SPEC)), BODY_VALUES))
def test_clean_is_the_plain_check(values: dict[str, Any]) -> None:
    refused: dict[str, list[str]] | None = None
    try:
        want = plain_clean(values, SPEC)
    except Unprocessable as exc:
        refused = exc.errors
    if refused is not None:
        with pytest.raises(Unprocessable) as got:
            clean(values, SPEC)
        assert got.value.errors == refused
        assert list(got.value.errors) == list(refused)
        return
    got_values = clean(values, SPEC)
    assert got_values == want
    assert list(got_values) == list(want)
    assert [type(v) for v in got_values.values()] == [type(v) for v in want.values()]
