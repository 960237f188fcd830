"""Each send rule fires exactly when its own condition holds, whatever else is wrong."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.domain.eligibility import send_problems
from procore_qb.domain.problems import RuleCode
from procore_qb.domain.project import Address, CostCode, ProcoreProject
from procore_qb.domain.quickbooks_job import QuickBooksEdition

from .factories import QB_LIST_ID, context, qb_job

R = RuleCode
NAME_CHARS = st.characters(codec="utf-8", exclude_characters=":\t\n,", exclude_categories=["Cs"])
names = st.text(NAME_CHARS, min_size=1, max_size=60).filter(str.strip)
address_parts = st.text(st.sampled_from("ab ,1"), max_size=45)


@settings(deadline=None)  # never a wall-clock assertion
@given(
    active=st.booleans(),
    erp_sync=st.booleans(),
    list_id=st.sampled_from([QB_LIST_ID, None, 3]),
    cost_codes=st.integers(0, 2),
    name=names,
    colon=st.booleans(),
    address=st.builds(Address, address_parts, address_parts, address_parts),
    number=st.text(st.just("9"), max_size=120),
    origin_id=st.none() | st.just("8000001-1"),
    clash=st.booleans(),
    edition=st.sampled_from(QuickBooksEdition),
)
def test_each_rule_fires_exactly_when_its_condition_holds(
    active: bool,
    erp_sync: bool,
    list_id: int | None,
    cost_codes: int,
    name: str,
    colon: bool,
    address: Address,
    number: str,
    origin_id: str | None,
    clash: bool,
    edition: QuickBooksEdition,
) -> None:
    full_name = f"Acme:{name}" if colon else name
    project = ProcoreProject(
        id=1,
        company_id=1,
        name=full_name,
        project_number=number,
        address=address,
        active=active,
        erp_sync=erp_sync,
        standard_cost_code_list_id=list_id,
        cost_codes=tuple(CostCode(i, f"0{i}", "x") for i in range(cost_codes)),
        origin_id=origin_id,
    )
    # QuickBooks compares names case-insensitively; change the case of the ASCII letters only,
    # since some other letters do not survive upper() and casefold() alike.
    same_name = "".join(c.upper() if c.isascii() else c for c in full_name)
    ctx = context(edition, quickbooks_jobs=(qb_job(same_name),) if clash else ())
    limits = ctx.limits
    parts = (address.line1, address.line2, address.city)
    expected = {
        R.PROJECT_INACTIVE: not active,
        R.ERP_SYNC_OFF: not erp_sync,
        R.NOT_ON_QUICKBOOKS_COST_CODES: list_id != QB_LIST_ID,
        R.NO_COST_CODES: cost_codes == 0,
        R.NAME_TOO_LONG: len(full_name) > limits.job_name_max,
        R.NAME_FORBIDDEN_CHARACTER: colon,
        R.ADDRESS_HAS_COMMA: any("," in p for p in parts),
        R.ADDRESS_TOO_LONG: any(
            len(p) > limits.address_max[f]
            for p, f in zip(parts, ("line1", "line2", "city"), strict=True)
        ),
        R.PROJECT_NUMBER_TOO_LONG: limits.number_max is not None
        and len(number) > limits.number_max,
        R.ALREADY_LINKED: origin_id is not None,
        R.JOB_ALREADY_EXISTS: clash,
    }
    found = [p.rule for p in send_problems(project, ctx)]
    assert len(found) == len(set(found)), "one problem per rule"
    assert set(found) == {rule for rule, broken in expected.items() if broken}
