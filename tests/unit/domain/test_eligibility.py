from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest

from procore_qb.domain.eligibility import (
    ADDRESS_FIELD_LABELS,
    accept_problems,
    ensure_no_problems,
    link_problems,
    send_problems,
)
from procore_qb.domain.errors import RuleViolation
from procore_qb.domain.export_workflow import CustomerChoice, ExportState
from procore_qb.domain.problems import Problem, RuleCode
from procore_qb.domain.project import Address
from procore_qb.domain.quickbooks_job import QuickBooksEdition, QuickBooksJob

from .factories import JOB_ID, PROJECT_ID, context, eligible_project, qb_customer, qb_job

R = RuleCode
DESKTOP = QuickBooksEdition.DESKTOP
ONLINE = QuickBooksEdition.ONLINE


def codes(problems: list[Problem]) -> list[RuleCode]:
    return [p.rule for p in problems]


def test_an_eligible_project_has_no_problems() -> None:
    assert send_problems(eligible_project(), context()) == []
    assert send_problems(eligible_project(), context(ONLINE)) == []


@pytest.mark.parametrize(
    ("changes", "rule", "fix"),
    [
        ({"active": False}, R.PROJECT_INACTIVE, "check 'Active Project'"),
        ({"erp_sync": False}, R.ERP_SYNC_OFF, "select 'ERP-sync this Project'"),
        ({"standard_cost_code_list_id": 3}, R.NOT_ON_QUICKBOOKS_COST_CODES, "Cost Codes"),
        ({"standard_cost_code_list_id": None}, R.NOT_ON_QUICKBOOKS_COST_CODES, "new projects"),
        ({"cost_codes": ()}, R.NO_COST_CODES, "Work Breakdown Structure → Cost Codes"),
        ({"name": "   "}, R.NAME_BLANK, "change 'Project Name'"),
        ({"name": "x" * 42}, R.NAME_TOO_LONG, "(41 characters at most)"),
        ({"name": "Acme:Riverside"}, R.NAME_FORBIDDEN_CHARACTER, "so that it has no ':'"),
        ({"address": Address(line1="12 River Rd, Unit 4")}, R.ADDRESS_HAS_COMMA, "remove the"),
        ({"origin_id": "8000001-1"}, R.ALREADY_LINKED, "Re-send to ERP"),
    ],
)
def test_each_send_rule_refuses_with_a_fix(
    changes: dict[str, Any], rule: RuleCode, fix: str
) -> None:
    problems = send_problems(eligible_project(**changes), context())
    assert codes(problems) == [rule]
    assert fix in problems[0].message


def test_messages_point_to_the_projects_admin_tool() -> None:
    problems = send_problems(eligible_project(active=False, erp_sync=False, name="a:b"), context())
    assert all("Open the project's Admin tool → General" in p.message for p in problems)


def test_the_name_limit_is_inclusive() -> None:
    assert send_problems(eligible_project(name="x" * 41), context()) == []
    problem = send_problems(eligible_project(name="x" * 42), context())[0]
    assert (
        "42 characters; QuickBooks Desktop allows at most 41 in a customer or job Name"
        in problem.message
    )


def test_online_uses_its_own_name_limit() -> None:
    assert send_problems(eligible_project(name="x" * 42), context(ONLINE)) == []
    problem = send_problems(eligible_project(name="x" * 501), context(ONLINE))[0]
    assert problem.rule is R.NAME_TOO_LONG
    assert (
        "QuickBooks Online allows at most 500 in a customer or job DisplayName" in problem.message
    )


def test_online_also_refuses_tabs_in_names() -> None:
    problems = send_problems(eligible_project(name="a\tb"), context(ONLINE))
    assert codes(problems) == [R.NAME_FORBIDDEN_CHARACTER]
    assert send_problems(eligible_project(name="a\tb"), context()) == []


@pytest.mark.parametrize("attr", sorted(ADDRESS_FIELD_LABELS))
def test_a_comma_in_any_address_field_is_refused(attr: str) -> None:
    project = eligible_project(address=Address(**{attr: "a,b"}))
    problems = send_problems(project, context())
    assert codes(problems) == [R.ADDRESS_HAS_COMMA]
    assert repr(ADDRESS_FIELD_LABELS[attr]) in problems[0].message


def test_every_address_field_is_checked() -> None:
    assert set(ADDRESS_FIELD_LABELS) == {f.name for f in fields(Address)}


def test_a_link_known_only_to_us_counts_as_linked() -> None:
    problems = send_problems(
        eligible_project(), context(linked_project_ids=frozenset({PROJECT_ID}))
    )
    assert codes(problems) == [R.ALREADY_LINKED]


def test_every_problem_is_reported_at_once() -> None:
    project = eligible_project(
        active=False,
        erp_sync=False,
        standard_cost_code_list_id=1,
        cost_codes=(),
        name="Acme: a very long project name that will not fit",
        address=Address(city="Springfield, IL"),
        origin_id="8000001-1",
    )
    assert codes(send_problems(project, context())) == [
        R.PROJECT_INACTIVE,
        R.ERP_SYNC_OFF,
        R.NOT_ON_QUICKBOOKS_COST_CODES,
        R.NO_COST_CODES,
        R.NAME_TOO_LONG,
        R.NAME_FORBIDDEN_CHARACTER,
        R.ADDRESS_HAS_COMMA,
        R.ALREADY_LINKED,
    ]


class TestExistingJob:
    def test_a_job_with_the_same_name_is_named_in_the_message(self) -> None:
        ctx = context(quickbooks_jobs=(qb_customer(), qb_job("RIVERSIDE clinic")))
        problems = send_problems(eligible_project(), ctx)
        assert codes(problems) == [R.JOB_ALREADY_EXISTS]
        assert problems[0].message.startswith(
            "Existing jobs/projects cannot be integrated: QuickBooks already has the job "
            f"'Acme:RIVERSIDE clinic' (ListID {JOB_ID})."
        )
        assert "Link to Existing Project" in problems[0].message

    def test_a_customer_with_the_same_name_counts_too(self) -> None:
        ctx = context(ONLINE, quickbooks_jobs=(qb_customer("Riverside Clinic", "58"),))
        message = send_problems(eligible_project(), ctx)[0].message
        assert "QuickBooks already has the customer 'Riverside Clinic' (Id 58)" in message

    def test_other_names_do_not_clash(self) -> None:
        ctx = context(quickbooks_jobs=(qb_customer(), qb_job("Riverside Clinic Annex")))
        assert send_problems(eligible_project(), ctx) == []

    def test_an_update_does_not_clash_with_its_own_job(self) -> None:
        project = eligible_project(origin_id=JOB_ID)
        ctx = context(quickbooks_jobs=(qb_job("Riverside Clinic"),))
        assert send_problems(project, ctx, updating_job_id=JOB_ID) == []
        other = context(quickbooks_jobs=(qb_job("Riverside Clinic", job_id="OTHER"),))
        assert codes(send_problems(project, other, updating_job_id=JOB_ID)) == [
            R.JOB_ALREADY_EXISTS
        ]


class TestLink:
    JOB = qb_job("Hillside Depot")

    def test_an_unsynced_eligible_project_can_be_linked(self) -> None:
        assert link_problems(eligible_project(), self.JOB, context()) == []

    def test_link_ignores_name_length_and_cost_code_count(self) -> None:
        project = eligible_project(name="x" * 60, cost_codes=())
        assert link_problems(project, self.JOB, context()) == []

    @pytest.mark.parametrize(
        ("changes", "rule"),
        [
            ({"active": False}, R.PROJECT_INACTIVE),
            ({"erp_sync": False}, R.ERP_SYNC_OFF),
            ({"standard_cost_code_list_id": 3}, R.NOT_ON_QUICKBOOKS_COST_CODES),
            ({"origin_id": "8000001-1"}, R.PROJECT_NOT_UNSYNCED),
        ],
    )
    def test_each_link_rule_refuses(self, changes: dict[str, Any], rule: RuleCode) -> None:
        assert codes(link_problems(eligible_project(**changes), self.JOB, context())) == [rule]

    @pytest.mark.parametrize("state", [s for s in ExportState if s is not ExportState.UNSYNCED])
    def test_only_an_unsynced_project_can_be_linked(self, state: ExportState) -> None:
        ctx = context(export_states={PROJECT_ID: state})
        problems = link_problems(eligible_project(), self.JOB, ctx)
        assert codes(problems) == [R.PROJECT_NOT_UNSYNCED]
        assert state.label in problems[0].message

    def test_a_job_already_linked_elsewhere_is_refused(self) -> None:
        ctx = context(linked_job_ids=frozenset({JOB_ID}))
        problems = link_problems(eligible_project(), self.JOB, ctx)
        assert codes(problems) == [R.JOB_ALREADY_LINKED]
        assert "'Acme:Hillside Depot'" in problems[0].message


class TestAccept:
    ACME = qb_customer()

    def ctx(self, *jobs: QuickBooksJob, edition: QuickBooksEdition = DESKTOP) -> Any:
        return context(edition, quickbooks_jobs=(self.ACME, *jobs))

    def test_an_existing_customer_is_fine(self) -> None:
        choice = CustomerChoice.existing(self.ACME.id or "")
        assert accept_problems(eligible_project(), choice, self.ctx()) == []

    def test_an_unknown_customer_is_refused(self) -> None:
        problems = accept_problems(eligible_project(), CustomerChoice.existing("nope"), self.ctx())
        assert codes(problems) == [R.CUSTOMER_NOT_FOUND]
        assert "Refresh Job List" in problems[0].message

    def test_a_sibling_with_the_same_name_is_refused_on_desktop(self) -> None:
        sibling = qb_job("riverside CLINIC", parent=self.ACME)
        choice = CustomerChoice.existing(self.ACME.id or "")
        problems = accept_problems(eligible_project(), choice, self.ctx(sibling))
        assert codes(problems) == [R.JOB_ALREADY_EXISTS]
        other_parent = qb_job("Riverside Clinic", parent=qb_customer("Beta", "B1"))
        assert accept_problems(eligible_project(), choice, self.ctx(other_parent)) == []

    def test_the_full_name_limit(self) -> None:
        deep = QuickBooksJob(name="y" * 41, full_name="y" * 170, id="D1", version="1")
        choice = CustomerChoice.existing("D1")
        assert accept_problems(eligible_project(name="x" * 38), choice, self.ctx(deep)) == []
        problems = accept_problems(eligible_project(name="x" * 39), choice, self.ctx(deep))
        assert codes(problems) == [R.FULL_NAME_TOO_LONG]
        assert "210 characters; QuickBooks Desktop allows 209" in problems[0].message
        assert (
            accept_problems(eligible_project(name="x" * 39), choice, self.ctx(deep, edition=ONLINE))
            == []
        )

    def test_the_level_limit(self) -> None:
        four = QuickBooksJob(name="d", full_name="a:b:c:d", id="L4", version="1", parent_id="L3")
        five = QuickBooksJob(name="e", full_name="a:b:c:d:e", id="L5", version="1", parent_id="L4")
        project = eligible_project(name="p")
        assert accept_problems(project, CustomerChoice.existing("L4"), self.ctx(four)) == []
        problems = accept_problems(project, CustomerChoice.existing("L5"), self.ctx(five))
        assert codes(problems) == [R.TOO_MANY_LEVELS]
        assert "6 levels deep" in problems[0].message

    def test_a_new_customer_name_is_checked(self) -> None:
        ok = accept_problems(eligible_project(), CustomerChoice.new("Riverside Health"), self.ctx())
        assert ok == []
        bad = accept_problems(eligible_project(), CustomerChoice.new("a:" + "b" * 41), self.ctx())
        assert codes(bad) == [R.NAME_TOO_LONG, R.NAME_FORBIDDEN_CHARACTER]
        assert all("new customer name" in p.message for p in bad)

    def test_a_new_customer_may_not_repeat_an_existing_customer(self) -> None:
        problems = accept_problems(eligible_project(), CustomerChoice.new("ACME"), self.ctx())
        assert codes(problems) == [R.JOB_ALREADY_EXISTS]
        assert "Choose it from the Customer list" in problems[0].message

    def test_on_desktop_a_new_customer_may_share_a_job_name(self) -> None:
        job = qb_job("Riverside Health", parent=self.ACME)
        choice = CustomerChoice.new("Riverside Health")
        assert accept_problems(eligible_project(), choice, self.ctx(job)) == []
        online = accept_problems(eligible_project(), choice, self.ctx(job, edition=ONLINE))
        assert codes(online) == [R.JOB_ALREADY_EXISTS]


def test_ensure_no_problems_raises_with_every_problem() -> None:
    ensure_no_problems([])
    problems = send_problems(eligible_project(active=False, cost_codes=()), context())
    with pytest.raises(RuleViolation) as violation:
        ensure_no_problems(problems)
    assert violation.value.problems == tuple(problems)
    assert violation.value.rules == ("project_inactive", "no_cost_codes")


def test_rule_codes_are_stable_snake_case() -> None:
    for code in RuleCode:
        assert code.value == code.name.lower()


def test_the_comma_message_names_every_field_with_a_comma() -> None:
    project = eligible_project(address=Address(line1="1, Main", city="Springfield, IL", zip="1"))
    (problem,) = send_problems(project, context())
    assert "a comma in 'Address' and 'City'," in problem.message


class TestLengths:
    def test_address_fields_at_the_limit_are_fine(self) -> None:
        address = Address("a" * 41, "b" * 41, "c" * 31, "d" * 21, "e" * 13, "f" * 31)
        assert send_problems(eligible_project(address=address), context()) == []

    def test_every_address_field_over_the_limit_is_named(self) -> None:
        address = Address(line1="a" * 42, city="c" * 32, zip="1" * 14)
        problems = send_problems(eligible_project(address=address), context())
        assert codes(problems) == [R.ADDRESS_TOO_LONG]
        assert problems[0].message == (
            "The project address is too long for QuickBooks Desktop: 'Address' has 42 characters "
            "(at most 41), 'City' has 32 characters (at most 31) and 'ZIP Code' has 14 "
            "characters (at most 13). Open the project's Admin tool → General and shorten the "
            "Project Address fields."
        )

    def test_online_allows_longer_addresses(self) -> None:
        address = Address(line1="a" * 500, city="c" * 255, zip="1" * 30)
        assert send_problems(eligible_project(address=address), context(ONLINE)) == []
        longer = Address(zip="1" * 31)
        problems = send_problems(eligible_project(address=longer), context(ONLINE))
        assert codes(problems) == [R.ADDRESS_TOO_LONG]

    def test_project_number(self) -> None:
        assert send_problems(eligible_project(project_number="9" * 99), context()) == []
        problems = send_problems(eligible_project(project_number="9" * 100), context())
        assert codes(problems) == [R.PROJECT_NUMBER_TOO_LONG]
        assert "shorten 'Project Number'" in problems[0].message
        assert send_problems(eligible_project(project_number="9" * 100), context(ONLINE)) == []
