"""JournalEntry: lines with ``JournalEntryLineDetail`` whose ``Entity`` is the job (spec §A.5)."""

from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any, ClassVar

from procore_qb.domain.commands import JobCostLine
from procore_qb.quickbooks.online.job_costs import journal_lines
from procore_qb.quickbooks.online.resources.base import EntityResource, reader

__all__ = ["JournalEntryResource"]


class JournalEntryResource(EntityResource):
    ENTITY: ClassVar[str] = "JournalEntry"

    @staticmethod
    @reader("JournalEntry")
    def cost_lines(
        entry: Mapping[str, Any], wanted: Container[str] | None = None
    ) -> list[JobCostLine]:
        return journal_lines(entry, wanted=wanted)
