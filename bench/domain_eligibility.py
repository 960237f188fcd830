"""How long the send-to-ERP rules take for many projects against a large QuickBooks company.

Prints figures only; it asserts nothing about time.
"""

from __future__ import annotations

import time
from dataclasses import replace

from bench._figures import Figure
from procore_qb.domain.eligibility import EligibilityContext, send_problems
from procore_qb.domain.limits import limits_for
from procore_qb.domain.project import Address, CostCode, ProcoreProject
from procore_qb.domain.quickbooks_job import QuickBooksEdition, QuickBooksJob

LIST_ID = 1


def quickbooks_company(customers: int, jobs_per_customer: int) -> tuple[QuickBooksJob, ...]:
    out: list[QuickBooksJob] = []
    for c in range(customers):
        customer = QuickBooksJob(name=f"Customer {c}", full_name=f"Customer {c}", id=f"C{c}")
        out.append(customer)
        for j in range(jobs_per_customer):
            name = f"Job {c}-{j}"
            out.append(
                QuickBooksJob(
                    name=name,
                    full_name=f"{customer.full_name}:{name}",
                    id=f"J{c}-{j}",
                    parent_id=customer.id,
                    parent_full_name=customer.full_name,
                )
            )
    return tuple(out)


def projects(count: int) -> list[ProcoreProject]:
    base = ProcoreProject(
        id=0,
        company_id=1,
        name="",
        address=Address(line1="12 River Rd", city="Springfield", state_code="IL", zip="62701"),
        erp_sync=True,
        standard_cost_code_list_id=LIST_ID,
        cost_codes=(CostCode(id=1, full_code="01-100", name="General Conditions"),),
    )
    # Every tenth project is named like an existing QuickBooks job (matched ignoring case).
    return [
        replace(base, id=i, name=f"job {i}-0" if i % 10 == 0 else f"Project {i}")
        for i in range(count)
    ]


def main(small: bool = False) -> list[Figure]:
    sizes = ((20, 5, 100), (50, 10, 300)) if small else ((100, 10, 1_000), (1_000, 20, 5_000))
    figures: list[Figure] = []
    for customers, per_customer, count in sizes:
        jobs = quickbooks_company(customers, per_customer)
        started = time.perf_counter()
        ctx = EligibilityContext(
            limits=limits_for(QuickBooksEdition.DESKTOP),
            quickbooks_cost_code_list_id=LIST_ID,
            quickbooks_jobs=jobs,
        )
        indexed = time.perf_counter()
        refused = sum(1 for p in projects(count) if send_problems(p, ctx))
        done = time.perf_counter()
        # Project i (every tenth) clashes with job "Job i-0" when customer i exists; the
        # others are eligible.
        clashes = len(range(0, min(count, customers), 10))
        assert refused == clashes, f"{refused} of {count} projects refused, not {clashes}"
        figures.append(
            Figure(
                f"send rules, {len(jobs):,} QuickBooks customers/jobs",
                count,
                done - indexed,
                note=(
                    f"context {1000 * (indexed - started):.1f} ms, "
                    f"{1e6 * (done - indexed) / count:.1f} us/project, {refused} refused"
                ),
            ).show()
        )
    return figures


if __name__ == "__main__":
    main()
