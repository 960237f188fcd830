"""Property tests of what only the Jobs tab's forms send (item ids, the customer chosen at
Accept, the rejection comment): anything is either read into bounded values or refused with a
422 naming the field. Where a form returns to is the shared tab address (``test_tab_forms``);
here only that the Jobs tab's addresses are its own."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procore_qb.app.queries import JobFilter
from procore_qb.domain.export_workflow import CustomerChoice
from procore_qb.web.api.problems import ApiProblem
from procore_qb.web.pages.job_forms import (
    JOBS_PATH,
    MAX_COMMENT,
    MAX_IDS,
    back_to,
    comment,
    customer_choice,
    item_ids,
    jobs_url,
)

ids = st.one_of(
    st.text(max_size=30),
    st.builds(lambda k, n: f"{k}-{n}", st.sampled_from(["export", "import", "x"]), st.integers()),
)


def _refused(error: ApiProblem, field: str) -> None:
    assert error.status == 422
    assert error.extra["rule"] == "invalid_request"
    assert error.detail.startswith(f"{field}: ")


@given(st.lists(ids, max_size=8), st.sampled_from(["export", "import"]))
def test_item_ids_are_read_or_refused(values: list[str], kind: str) -> None:
    try:
        found = item_ids(values, kind)
    except ApiProblem as error:
        _refused(error, "ids")
        return
    assert found
    assert len(found) == len(set(found))
    assert all(v.startswith(f"{kind}-") for v in values)
    assert found == list(dict.fromkeys(int(v.split("-", 1)[1]) for v in values))


def test_too_many_ids_are_refused() -> None:
    with pytest.raises(ApiProblem) as refused:
        item_ids([f"export-{n}" for n in range(MAX_IDS + 1)], "export")
    _refused(refused.value, "ids")
    assert len(item_ids([f"export-{n}" for n in range(MAX_IDS)], "export")) == MAX_IDS


@given(st.text(max_size=80), st.text(max_size=400))
def test_the_customer_choice_is_read_or_refused(choice: str, new_customer: str) -> None:
    try:
        found = customer_choice(choice, new_customer)
    except ApiProblem as error:
        field = error.detail.split(":")[0]
        _refused(error, field if field in ("choice", "new_customer") else "choice")
        return
    if not choice:
        assert found is None
        return
    assert isinstance(found, CustomerChoice)
    if choice == "new":
        assert found.new_customer_name == new_customer.strip()
        assert 0 < len(new_customer.strip()) <= 255
    else:
        assert choice == f"customer:{found.customer_id}"


@given(st.text(max_size=MAX_COMMENT + 50))
def test_a_comment_is_bounded(value: str) -> None:
    try:
        assert comment(value) == value.strip()
    except ApiProblem as error:
        _refused(error, "comment")
        assert len(value.strip()) > MAX_COMMENT


def test_jobs_url_round_trips() -> None:
    url = jobs_url(JobFilter.SYNCED, page=3, per_page=25, search="Elm & Co")
    assert url == "/erp/jobs?filter=synced&page=3&per_page=25&search=Elm+%26+Co"
    assert back_to(url, JobFilter.READY_TO_EXPORT) == url
    assert back_to("https://evil.example/erp/jobs", JobFilter.ARCHIVED) == jobs_url(
        JobFilter.ARCHIVED
    )
    assert back_to(f"{JOBS_PATH}?filter=nothing&page=2", JobFilter.SYNCED) == jobs_url(
        JobFilter.SYNCED
    )
