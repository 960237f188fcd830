"""Procore's project templates, for the "Default Project Template" setting (spec §3.1 General
Settings): the project a QuickBooks job is added to Procore as starts from it."""

from __future__ import annotations

from dataclasses import dataclass

from procore_qb.app.actors import Actor, require
from procore_qb.app.context import AppContext
from procore_qb.app.errors import UpstreamError
from procore_qb.domain.permissions import Action
from procore_qb.procore.errors import ProcoreError

__all__ = ["ProjectTemplate", "check_template", "project_templates"]


@dataclass(frozen=True, slots=True)
class ProjectTemplate:
    id: int
    name: str


def project_templates(ctx: AppContext, actor: Actor) -> list[ProjectTemplate]:
    """The company's project templates in Procore, read now as the service account."""
    require(ctx, actor, Action.VIEW_JOBS)
    try:
        found = ctx.procore().project_templates()
    except ProcoreError as exc:
        raise UpstreamError(f"Procore did not list the project templates: {exc}") from exc
    return [ProjectTemplate(template_id, name) for template_id, name in found]


def check_template(ctx: AppContext, actor: Actor, template_id: int) -> ProjectTemplate:
    """The template ``template_id``, or ValueError naming the rule when the company has no
    such template in Procore."""
    for template in project_templates(ctx, actor):
        if template.id == template_id:
            return template
    raise ValueError(
        f"default_template_id must be one of the company's project templates in Procore; "
        f"{template_id} is not: pick one from the list"
    )
