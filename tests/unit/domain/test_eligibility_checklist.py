"""The send checklist of the project page: every problem :func:`send_problems` can report sits
on exactly one line, so a project with problems never shows all lines met."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.domain.eligibility import send_checklist, send_problems
from procore_qb.domain.limits import limits_for
from procore_qb.domain.problems import RuleCode
from procore_qb.domain.project import Address, CostCode
from procore_qb.domain.quickbooks_job import QuickBooksEdition

from .factories import QB_LIST_ID, context, eligible_project, qb_job


def test_every_send_rule_is_on_exactly_one_line() -> None:
    for edition in QuickBooksEdition:
        lines = send_checklist(limits_for(edition))
        covered = [rule for line in lines for rule in line.rules]
        assert len(covered) == len(set(covered))
        send_rules = set(RuleCode) - {
            # Rules of linking and accepting, not of sending.
            RuleCode.PROJECT_NOT_UNSYNCED,
            RuleCode.JOB_ALREADY_LINKED,
            RuleCode.CUSTOMER_REQUIRED,
            RuleCode.CUSTOMER_NOT_FOUND,
            RuleCode.FULL_NAME_TOO_LONG,
            RuleCode.TOO_MANY_LEVELS,
            # Rules of job cost syncing.
            RuleCode.PROJECT_NOT_SYNCED,
            RuleCode.JOB_COST_SYNC_OFF,
            # Rules of standard cost code exports and project cost code deletion.
            RuleCode.ITEM_NAME_TOO_LONG,
            RuleCode.ITEM_NAME_FORBIDDEN_CHARACTER,
            RuleCode.ITEM_ACCOUNT_NOT_SET,
            RuleCode.COST_CODE_IN_QUICKBOOKS,
            RuleCode.COST_CODE_IN_USE,
        }
        if limits_for(edition).number_max is None:
            send_rules.discard(RuleCode.PROJECT_NUMBER_TOO_LONG)
        assert set(covered) == send_rules


def test_the_lines_name_the_edition_s_limits() -> None:
    desktop = [line.label for line in send_checklist(limits_for(QuickBooksEdition.DESKTOP))]
    assert "'Project Name' is filled in, at most 41 characters, without ':'" in desktop
    assert "'Project Number' has at most 99 characters" in desktop
    online = [line.label for line in send_checklist(limits_for(QuickBooksEdition.ONLINE))]
    assert not any("Project Number" in label for label in online)


@settings(deadline=None)  # never a wall-clock assertion
@given(
    active=st.booleans(),
    erp_sync=st.booleans(),
    list_id=st.sampled_from([QB_LIST_ID, None, 3]),
    no_codes=st.booleans(),
    name=st.text(st.sampled_from("ab :\t"), max_size=60),
    line1=st.text(st.sampled_from("ab ,1"), max_size=600),
    number=st.text(st.just("9"), max_size=120),
    linked=st.booleans(),
    clash=st.booleans(),
    edition=st.sampled_from(QuickBooksEdition),
)
def test_each_problem_leaves_exactly_its_own_line_unmet(
    active: bool,
    erp_sync: bool,
    list_id: int | None,
    no_codes: bool,
    name: str,
    line1: str,
    number: str,
    linked: bool,
    clash: bool,
    edition: QuickBooksEdition,
) -> None:
    project = replace(
        eligible_project(),
        active=active,
        erp_sync=erp_sync,
        standard_cost_code_list_id=list_id,
        cost_codes=() if no_codes else (CostCode(1, "01-100", "x"),),
        name=name,
        address=Address(line1=line1),
        project_number=number,
        origin_id="8000001-1" if linked else None,
    )
    ctx = context(edition, quickbooks_jobs=(qb_job(name),) if clash and name.strip() else ())
    problems = send_problems(project, ctx)
    lines = send_checklist(ctx.limits)
    for problem in problems:
        assert sum(1 for line in lines if line.unmet([problem])) == 1, problem
    unmet = [line for line in lines if line.unmet(problems)]
    assert bool(unmet) == bool(problems)
