"""Property tests of the admin pages' boundaries: the audit filters (text, numbers, days),
the CSV cells, the settings forms and the QuickBooks Online callback's parameters."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import QueryParams

from procore_qb.app import company
from procore_qb.app.audit import (
    FIRST_DAY,
    LAST_DAY,
    MAX_PROJECT_ID,
    AuditFilter,
    InvalidFilter,
    parse_audit_filter,
)
from procore_qb.web.pages.audit import MAX_BEFORE, read_filter, shown
from procore_qb.web.pages.csv_cells import BOM, FORMULA_STARTS, csv_lines, safe_cell
from procore_qb.web.pages.quickbooks_online import MAX_CALLBACK, read_callback
from procore_qb.web.pages.settings_forms import FORMS, parse_form, schedule_fields

texts = st.text(max_size=80)
days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)

# ------------------------------------------------------------------ audit filters


@given(texts, texts, texts, texts, texts)
def test_any_text_is_a_filter_or_a_refusal_naming_fields(
    user: str, action: str, project: str, first: str, last: str
) -> None:
    try:
        found = parse_audit_filter(
            user=user, action=action, project=project, date_from=first, date_to=last
        )
    except InvalidFilter as exc:
        problems = exc.problems
    else:
        problems = ()
    if problems:
        assert {p.field for p in problems} <= {"user", "action", "project", "from", "to"}
        assert all(p.message for p in problems)
        return
    if found.project_id is not None:
        assert 1 <= found.project_id <= MAX_PROJECT_ID
    for day in (found.date_from, found.date_to):
        assert day is None or FIRST_DAY <= day <= LAST_DAY
    if found.date_from and found.date_to:
        assert found.date_from <= found.date_to
    assert found.user is None or (found.user == found.user.lower() and found.user.isprintable())


@given(
    st.one_of(st.none(), st.emails().map(str.lower), st.just("system")),
    st.one_of(st.none(), st.from_regex(r"[a-z][a-z0-9_]{0,40}", fullmatch=True)),
    st.one_of(st.none(), st.integers(1, MAX_PROJECT_ID)),
    st.one_of(st.none(), days),
    st.one_of(st.none(), days),
)
def test_a_filter_survives_its_own_link(
    user: str | None,
    action: str | None,
    project: int | None,
    first: date | None,
    last: date | None,
) -> None:
    if first and last and first > last:
        first, last = last, first
    original = AuditFilter(user, action, project, first, last)
    query = original.query()
    again = parse_audit_filter(
        user=query.get("user", ""),
        action=query.get("action", ""),
        project=query.get("project", ""),
        date_from=query.get("from", ""),
        date_to=query.get("to", ""),
    )
    assert again == original


@given(days, days)
def test_days_are_whole_utc_days_both_included(first: date, last: date) -> None:
    if first > last:
        first, last = last, first
    found = AuditFilter(date_from=first, date_to=last)
    assert found.since is not None
    assert found.until is not None
    assert found.since.date() == first
    assert found.until.date() == last + timedelta(days=1)
    assert found.until - found.since == timedelta(days=(last - first).days + 1)
    assert found.since.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        "2026-2-01",
        "2026-02-30",
        "26-02-01",
        "1969-12-31",
        "3000-01-01",
        "\uff12\uff10\uff12\uff16-01-01",
    ],
)
def test_days_outside_the_rule_are_refused(value: str) -> None:
    with pytest.raises(InvalidFilter, match="YYYY-MM-DD"):
        parse_audit_filter(date_from=value)


@pytest.mark.parametrize("value", ["0", "-1", "1.5", "١٢", str(MAX_PROJECT_ID + 1), "9" * 30])
def test_project_ids_outside_the_rule_are_refused(value: str) -> None:
    with pytest.raises(InvalidFilter, match="whole number"):
        parse_audit_filter(project=value)


@given(
    st.dictionaries(
        st.sampled_from(["user", "action", "project", "from", "to", "before"]),
        st.text(max_size=3000),
    )
)
def test_the_pages_query_reader_bounds_everything(values: dict[str, str]) -> None:
    query = QueryParams(values)
    text = shown(query)
    assert all(len(v) <= 200 and v.isprintable() for v in text.values())
    try:
        found, before, _ = read_filter(query)
    except InvalidFilter as exc:
        problems = exc.problems
    else:
        problems = ()
    if problems:
        return
    assert before is None or 1 <= before <= MAX_BEFORE
    assert isinstance(found, AuditFilter)


# ------------------------------------------------------------------ CSV


@given(st.one_of(st.text(max_size=50), st.none()))
def test_a_cell_never_starts_like_a_formula_and_keeps_its_text(value: object) -> None:
    cell = safe_cell(value)
    assert not cell.startswith(FORMULA_STARTS)
    original = "" if value is None else str(value)
    if original.startswith(FORMULA_STARTS):
        assert cell == "'" + original
    else:
        assert cell == original


@given(st.integers())
def test_a_whole_number_is_written_as_a_number(value: int) -> None:
    assert safe_cell(value) == str(value)  # "-5" is a number to a spreadsheet, no formula


@given(st.lists(st.lists(st.text(max_size=20), min_size=3, max_size=3), max_size=10))
def test_csv_lines_read_back_as_the_safe_cells(rows: list[list[str]]) -> None:
    text = "".join(csv_lines(("a", "b", "c"), rows))
    assert text.startswith(BOM)
    assert text.count(BOM) == 1
    read = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert read[0] == ["a", "b", "c"]
    assert read[1:] == [[safe_cell(c) for c in row] for row in rows]


# ------------------------------------------------------------------ settings forms


@given(
    st.sampled_from(sorted(FORMS)),
    st.dictionaries(
        st.sampled_from(
            [
                "customer_job_mode",
                "default_template_id",
                "quickbooks_changes",
                "item_income_account_id",
                "item_expense_account_id",
                "unknown",
                *schedule_fields(),
            ]
        ),
        st.one_of(
            st.text(max_size=80),
            st.sampled_from(
                ["customer_job", "customers_are_jobs", "apply", "hold", "daily", "never", "7"]
            ),
        ),
    ),
)
def test_a_settings_form_gives_valid_changes_or_names_each_bad_field(
    form: str, posted: dict[str, str]
) -> None:
    result = parse_form(form, posted)
    fields = set(FORMS[form]())
    assert set(result.changes) | {e.field for e in result.errors} == fields
    assert not set(result.changes) & {e.field for e in result.errors}
    assert all(e.rule == f"invalid_{e.field}" and e.message for e in result.errors)
    # What the form accepts, the settings accept.
    company.parse_changes(result.changes)
    assert set(result.values) == fields
    assert all(len(v) <= 1000 for v in result.values.values())


def test_an_unknown_settings_form_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown settings form"):
        parse_form("mail", {})


# ------------------------------------------------------------------ the OAuth callback


@given(st.dictionaries(st.sampled_from([*MAX_CALLBACK, "other"]), st.text(max_size=700)))
def test_the_callback_takes_bounded_printable_parameters_or_refuses(
    values: dict[str, str],
) -> None:
    found, refused = read_callback(QueryParams(values))
    if refused is not None:
        assert found == {}
        return
    assert "other" not in found
    for name, value in found.items():
        assert len(value) <= MAX_CALLBACK[name]
        assert value.isprintable()
        assert values[name] == value


def test_a_repeated_callback_parameter_is_refused() -> None:
    found, refused = read_callback(QueryParams([("code", "a"), ("code", "b")]))
    assert found == {}
    assert refused == "QuickBooks sent code more than once"
