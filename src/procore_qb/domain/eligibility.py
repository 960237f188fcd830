"""Whether a project may be sent to ERP, linked to a QuickBooks job, or accepted.

Each function returns *every* broken rule at once, so a user fixes them all in one visit.
Messages say what is wrong and where in Procore to fix it. The rules and their sources:
spec/procore-workflow.md §1.2, §2.4, §2.5 and §5; DESIGN.md §1 "Rules".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from procore_qb.domain.export_workflow import CustomerChoice, ExportState
from procore_qb.domain.limits import HIERARCHY_SEPARATOR, EditionLimits
from procore_qb.domain.mapping import FIELD_MAPPING
from procore_qb.domain.problems import Problem, RuleCode, ensure_no_problems
from procore_qb.domain.project import Address, ProcoreProject
from procore_qb.domain.quickbooks_job import QuickBooksEdition, QuickBooksJob

__all__ = [
    "ADDRESS_FIELD_LABELS",
    "ChecklistItem",
    "EligibilityContext",
    "Problem",
    "RuleCode",
    "accept_problems",
    "ensure_no_problems",
    "link_problems",
    "send_checklist",
    "send_problems",
]

_GENERAL = "Open the project's Admin tool → General"

# Procore's labels of the project address fields, keyed by Address attribute.
ADDRESS_FIELD_LABELS: Mapping[str, str] = {
    "line1": "Address",
    "line2": "Address line 2",
    "city": "City",
    "state_code": "State",
    "zip": "ZIP Code",
    "country_code": "Country",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class EligibilityContext:
    """What the rules need to know besides the project itself.

    ``quickbooks_jobs`` is every QuickBooks customer and job known from the last job-list
    refresh; ``linked_project_ids``/``linked_job_ids`` are the pairs already synced;
    ``export_states`` holds each project's Path A state (missing means unsynced).
    """

    limits: EditionLimits
    quickbooks_cost_code_list_id: int | None
    quickbooks_jobs: tuple[QuickBooksJob, ...] = ()
    linked_project_ids: frozenset[int] = frozenset()
    linked_job_ids: frozenset[str] = frozenset()
    export_states: Mapping[int, ExportState] = field(default_factory=dict)
    _by_name: Mapping[str, tuple[QuickBooksJob, ...]] = field(init=False, repr=False, compare=False)
    _by_id: Mapping[str, QuickBooksJob] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Indexed once, so checking many projects against a large QuickBooks company stays
        # linear (bench/domain_eligibility.py).
        by_name: dict[str, list[QuickBooksJob]] = {}
        for job in self.quickbooks_jobs:
            by_name.setdefault(_name_key(job.name), []).append(job)
        object.__setattr__(self, "_by_name", {k: tuple(v) for k, v in by_name.items()})
        object.__setattr__(
            self, "_by_id", {j.id: j for j in self.quickbooks_jobs if j.id is not None}
        )

    def jobs_named(self, name: str) -> tuple[QuickBooksJob, ...]:
        """QuickBooks customers and jobs whose own name is ``name``, compared as QuickBooks
        does: case-insensitively (spec quickbooks-api §B.2, "case-insensitive name")."""
        return self._by_name.get(_name_key(name), ())

    def job(self, job_id: str) -> QuickBooksJob | None:
        return self._by_id.get(job_id)


def send_problems(
    project: ProcoreProject, ctx: EligibilityContext, *, updating_job_id: str | None = None
) -> list[Problem]:
    """Every reason ``project`` cannot be sent to ERP.

    For a *Re-send to ERP* that updates the synced job, pass that job's id as
    ``updating_job_id``: the project is then expected to be linked, and its own job does not
    count as a clash.
    """
    problems = [
        *_active(project),
        *_erp_sync(project),
        *_cost_code_list(project, ctx),
    ]
    if not project.cost_codes:
        problems.append(
            Problem(
                RuleCode.NO_COST_CODES,
                "The project has no cost codes, and QuickBooks needs at least one. Open the "
                "project's Admin tool → Work Breakdown Structure → Cost Codes and add one or "
                "more with 'Cost Codes from Company'.",
            )
        )
    problems.extend(_name(project.name, ctx.limits))
    problems.extend(_address(project.address))
    problems.extend(_address_lengths(project.address, ctx.limits))
    problems.extend(_project_number(project.project_number, ctx.limits))
    if updating_job_id is None:
        problems.extend(_already_linked(project, ctx))
    problems.extend(_clashes(project, ctx, exclude_job_id=updating_job_id))
    return problems


def link_problems(
    project: ProcoreProject, job: QuickBooksJob, ctx: EligibilityContext
) -> list[Problem]:
    """Every reason the staged QuickBooks ``job`` cannot be linked to ``project``
    ("Link to Existing Project", spec §2.3 J2' and §2.4)."""
    problems = [*_active(project), *_erp_sync(project), *_cost_code_list(project, ctx)]
    state = ctx.export_states.get(project.id, ExportState.UNSYNCED)
    linked = project.origin_id is not None or project.id in ctx.linked_project_ids
    if state is not ExportState.UNSYNCED or linked:
        where = f"is {state.label}" if state is not ExportState.UNSYNCED else "is already synced"
        problems.append(
            Problem(
                RuleCode.PROJECT_NOT_UNSYNCED,
                f"Only an unsynced project can be linked, and project '{project.name}' {where}. "
                "Choose another project, or retrieve this one from ERP first if it is waiting "
                "for acceptance.",
            )
        )
    if job.id is not None and job.id in ctx.linked_job_ids:
        problems.append(
            Problem(
                RuleCode.JOB_ALREADY_LINKED,
                f"The QuickBooks job '{job.full_name or job.name}' is already synced with a "
                "Procore project; a job can be linked to one project only.",
            )
        )
    return problems


def accept_problems(
    project: ProcoreProject, customer: CustomerChoice, ctx: EligibilityContext
) -> list[Problem]:
    """Every reason exporting ``project`` under ``customer`` would fail in QuickBooks."""
    limits = ctx.limits
    if customer.new_customer_name is not None:
        name = customer.new_customer_name
        problems = _name(name, limits, what="new customer name", fix="Enter another customer name")
        # Desktop names are unique among siblings, so only top-level customers clash with a
        # new customer; Online DisplayNames are unique everywhere (spec §A.2, §B.2).
        taken = _first(j for j in ctx.jobs_named(name) if not (_desktop(limits) and j.is_job))
        if taken is not None:
            problems.append(
                Problem(
                    RuleCode.JOB_ALREADY_EXISTS,
                    f"QuickBooks already has {_describe(taken, limits)}. Choose it from the "
                    "Customer list instead, or enter another name.",
                )
            )
        return problems
    parent = ctx.job(customer.customer_id or "")
    if parent is None:
        return [
            Problem(
                RuleCode.CUSTOMER_NOT_FOUND,
                f"QuickBooks has no customer with id {customer.customer_id}. Click "
                "'Refresh Job List' and choose the customer again.",
            )
        ]
    problems = []
    parent_name = parent.full_name or parent.name
    full_name = f"{parent_name}{HIERARCHY_SEPARATOR}{project.name}"
    levels = full_name.count(HIERARCHY_SEPARATOR) + 1
    if levels > limits.max_levels:
        problems.append(
            Problem(
                RuleCode.TOO_MANY_LEVELS,
                f"'{full_name}' would be {levels} levels deep; {limits.product_name} allows "
                f"{limits.max_levels}. Choose a customer higher up the Customer:Job list.",
            )
        )
    if limits.job_full_name_max is not None and len(full_name) > limits.job_full_name_max:
        problems.append(
            Problem(
                RuleCode.FULL_NAME_TOO_LONG,
                f"The full name '{full_name}' is {len(full_name)} characters; "
                f"{limits.product_name} allows {limits.job_full_name_max}. Choose a customer "
                f"with a shorter name, or shorten the project name ({_GENERAL}).",
            )
        )
    if _desktop(limits):
        # Desktop names are unique among siblings only (spec §B.2, statusCode 3100); Online
        # DisplayNames are unique everywhere and send_problems already checked that.
        taken = _first(j for j in ctx.jobs_named(project.name) if j.parent_id == parent.id)
        if taken is not None:
            problems.append(
                Problem(
                    RuleCode.JOB_ALREADY_EXISTS,
                    f"Existing jobs/projects cannot be integrated: QuickBooks already has "
                    f"{_describe(taken, limits)}. Choose another customer, or reject the "
                    "project so that its name can be changed.",
                )
            )
    return problems


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One line of the "can this project be sent to ERP?" checklist: what is required, in
    Procore's words, and the rules of :func:`send_problems` that check it."""

    label: str
    rules: frozenset[RuleCode]

    def unmet(self, problems: Iterable[Problem]) -> list[Problem]:
        """The problems (with their fixes) that leave this line unmet."""
        return [p for p in problems if p.rule in self.rules]


def send_checklist(limits: EditionLimits) -> tuple[ChecklistItem, ...]:
    """Every requirement :func:`send_problems` checks, one line each, in the order a person
    works through the project's Admin tool (spec procore-workflow §1.2, §2.4, §2.5, §5)."""
    forbidden = ", ".join(repr(c) for c in sorted(limits.forbidden_in_names) if c.isprintable())
    items = [
        ChecklistItem("'Active Project' is checked", frozenset({RuleCode.PROJECT_INACTIVE})),
        ChecklistItem("'ERP-sync this Project' is selected", frozenset({RuleCode.ERP_SYNC_OFF})),
        ChecklistItem(
            "The project uses the QuickBooks Standard Cost Codes list",
            frozenset({RuleCode.NOT_ON_QUICKBOOKS_COST_CODES}),
        ),
        ChecklistItem(
            "The project has at least one cost code", frozenset({RuleCode.NO_COST_CODES})
        ),
        ChecklistItem(
            f"'Project Name' is filled in, at most {limits.job_name_max} characters, without "
            f"{forbidden}",
            frozenset(
                {RuleCode.NAME_BLANK, RuleCode.NAME_TOO_LONG, RuleCode.NAME_FORBIDDEN_CHARACTER}
            ),
        ),
        ChecklistItem("The Project Address has no commas", frozenset({RuleCode.ADDRESS_HAS_COMMA})),
        ChecklistItem(
            f"The Project Address fields fit {limits.product_name}",
            frozenset({RuleCode.ADDRESS_TOO_LONG}),
        ),
    ]
    if limits.number_max is not None:
        items.append(
            ChecklistItem(
                f"'Project Number' has at most {limits.number_max} characters",
                frozenset({RuleCode.PROJECT_NUMBER_TOO_LONG}),
            )
        )
    items += [
        ChecklistItem(
            "The project is not synced with a QuickBooks job yet (or is re-sent to update it)",
            frozenset({RuleCode.ALREADY_LINKED}),
        ),
        ChecklistItem(
            "No QuickBooks customer or job already has the project's name",
            frozenset({RuleCode.JOB_ALREADY_EXISTS}),
        ),
    ]
    return tuple(items)


# ---------------------------------------------------------------------------- single rules


def _active(project: ProcoreProject) -> list[Problem]:
    # "Active Project: Must be checked" (spec §1.2; [S2, S5, S46]).
    if project.active:
        return []
    return [
        Problem(
            RuleCode.PROJECT_INACTIVE,
            f"The project is inactive. {_GENERAL}, check 'Active Project' and click Update.",
        )
    ]


def _erp_sync(project: ProcoreProject) -> list[Problem]:
    # "ERP-sync this Project" must be selected (spec §1.2; [S4b, S5]).
    if project.erp_sync:
        return []
    return [
        Problem(
            RuleCode.ERP_SYNC_OFF,
            "'ERP-sync this Project' is off. "
            f"{_GENERAL}, select 'ERP-sync this Project' in the ERP Integrations section and "
            "click Update.",
        )
    ]


def _cost_code_list(project: ProcoreProject, ctx: EligibilityContext) -> list[Problem]:
    # "Projects that do not use the QuickBooks Standard Cost Code list cannot be Integrated";
    # the preference "applies only to new projects" (spec §2.5; [S1, S6]).
    uses_list = ctx.quickbooks_cost_code_list_id is not None and (
        project.standard_cost_code_list_id == ctx.quickbooks_cost_code_list_id
    )
    if uses_list:
        return []
    return [
        Problem(
            RuleCode.NOT_ON_QUICKBOOKS_COST_CODES,
            "Projects that do not use the QuickBooks Standard Cost Codes list cannot be "
            "integrated, and this project uses another cost code list. In the company Admin "
            "tool → Cost Codes, check 'QuickBooks Standard Cost Codes'; the setting applies "
            "only to new projects, so create the project again on that list.",
        )
    ]


def _name(
    name: str,
    limits: EditionLimits,
    *,
    what: str = "project name",
    fix: str = f"{_GENERAL} and change 'Project Name'",
) -> list[Problem]:
    # Desktop Name ≤ 41 (spec §1.2 [S2, S8]; quickbooks-api key numbers); Online DisplayName
    # per limits.py; ':' separates customer and job (spec quickbooks-api §A.2, §B.2).
    if not name.strip():
        return [Problem(RuleCode.NAME_BLANK, f"The {what} is blank. {fix}.")]
    problems = []
    if len(name) > limits.job_name_max:
        problems.append(
            Problem(
                RuleCode.NAME_TOO_LONG,
                f"The {what} is {len(name)} characters; {limits.product_name} allows at most "
                f"{limits.job_name_max} in a customer or job {limits.job_name_field}. {fix} "
                f"({limits.job_name_max} characters at most).",
            )
        )
    found = limits.forbidden_found(name)
    if found:
        shown = ", ".join(repr(c) for c in found)
        problems.append(
            Problem(
                RuleCode.NAME_FORBIDDEN_CHARACTER,
                f"The {what} contains {shown}, which {limits.product_name} does not allow in "
                f"names (':' separates a customer from its jobs). {fix} so that it has no {shown}.",
            )
        )
    return problems


def _address(address: Address) -> list[Problem]:
    # "do NOT enter commas (,) in the Project Address field" (spec §1.2, §5; [S8]).
    bad = [label for attr, label in ADDRESS_FIELD_LABELS.items() if "," in getattr(address, attr)]
    if not bad:
        return []
    return [
        Problem(
            RuleCode.ADDRESS_HAS_COMMA,
            f"The project address has a comma in {_and(repr(b) for b in bad)}, which the "
            f"QuickBooks integration does not accept. {_GENERAL} and remove the commas from the "
            "Project Address fields.",
        )
    ]


# Address attribute -> JobAddress attribute, from the one field mapping.
_JOB_ADDRESS_FIELD = {
    procore.removeprefix("address."): job.removeprefix("address.")
    for procore, job in FIELD_MAPPING
    if procore.startswith("address.")
}


def _address_lengths(address: Address, limits: EditionLimits) -> list[Problem]:
    # QuickBooks' own address field lengths (limits.py); Procore's ERP template for the same
    # case reads "Address is too long. Maximum %{length} characters." (spec §5, [S37-metadata]).
    too_long = []
    for attr, label in ADDRESS_FIELD_LABELS.items():
        value: str = getattr(address, attr)
        maximum = limits.address_max.get(_JOB_ADDRESS_FIELD[attr])
        if maximum is not None and len(value) > maximum:
            too_long.append(f"{label!r} has {len(value)} characters (at most {maximum})")
    if not too_long:
        return []
    return [
        Problem(
            RuleCode.ADDRESS_TOO_LONG,
            f"The project address is too long for {limits.product_name}: {_and(too_long)}. "
            f"{_GENERAL} and shorten the Project Address fields.",
        )
    ]


def _project_number(number: str, limits: EditionLimits) -> list[Problem]:
    # The project number becomes the job's account number (mapping.py; AccountNumber ≤ 99 on
    # Desktop, limits.py).
    if limits.number_max is None or len(number) <= limits.number_max:
        return []
    return [
        Problem(
            RuleCode.PROJECT_NUMBER_TOO_LONG,
            f"The project number is {len(number)} characters; {limits.product_name} keeps at "
            f"most {limits.number_max} in the job's account number. {_GENERAL} and shorten "
            "'Project Number'.",
        )
    ]


def _already_linked(project: ProcoreProject, ctx: EligibilityContext) -> list[Problem]:
    if project.origin_id is None and project.id not in ctx.linked_project_ids:
        return []
    target = f" (QuickBooks id {project.origin_id})" if project.origin_id else ""
    return [
        Problem(
            RuleCode.ALREADY_LINKED,
            f"The project is already synced with a QuickBooks job{target}. Use 'Re-send to "
            "ERP' to update that job instead of sending the project again.",
        )
    ]


def _clashes(
    project: ProcoreProject, ctx: EligibilityContext, *, exclude_job_id: str | None
) -> list[Problem]:
    # "Does the job/project already exist in Procore and QuickBooks? → Existing jobs/projects
    # cannot be integrated" (spec §2.4; [S1]). QuickBooks compares names case-insensitively
    # (spec quickbooks-api §B.2, "case-insensitive name of a list object").
    if not project.name.strip():
        return []
    taken = _first(j for j in ctx.jobs_named(project.name) if j.id != exclude_job_id)
    if taken is None:
        return []
    return [
        Problem(
            RuleCode.JOB_ALREADY_EXISTS,
            f"Existing jobs/projects cannot be integrated: QuickBooks already has "
            f"{_describe(taken, ctx.limits)}. If it is the same job, ask your ERP Integrations "
            "admin to link it to this project from 'Ready to Import' with 'Link to Existing "
            f"Project'; otherwise {_GENERAL[0].lower()}{_GENERAL[1:]} and rename the project.",
        )
    ]


# ---------------------------------------------------------------------------- helpers


def _desktop(limits: EditionLimits) -> bool:
    return limits.edition is QuickBooksEdition.DESKTOP


def _and(words: Iterable[str]) -> str:
    items = list(words)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _name_key(name: str) -> str:
    return name.strip().casefold()


def _first(jobs: Iterator[QuickBooksJob]) -> QuickBooksJob | None:
    return next(jobs, None)


def _describe(job: QuickBooksJob, limits: EditionLimits) -> str:
    kind = "job" if job.is_job else "customer"
    id_name = "ListID" if _desktop(limits) else "Id"
    ident = f" ({id_name} {job.id})" if job.id else ""
    return f"the {kind} '{job.full_name or job.name}'{ident}"
