"""The pure rules of procore-qb: entities, the two state machines, eligibility,
permissions and field mapping. Nothing here does I/O or reads a clock: times are passed in.

Modules:

- ``project`` / ``quickbooks_job``: the Procore project and QuickBooks customer/job values.
- ``export_workflow``: Path A, :class:`ExportItem` and its transition table.
- ``import_workflow``: Path B, :class:`ImportItem` and its transition table.
- ``eligibility`` (with ``problems``): every broken rule for send, link and accept.
- ``limits``: QuickBooks name limits, one table per edition.
- ``permissions``: Procore access levels, the action → requirement table, :func:`check`.
- ``mapping``: Procore project ⇄ QuickBooks job fields.
- ``errors``: :class:`DomainError` and its three children.
- ``commands``: what procore-qb asks of QuickBooks (the outbox's command model), as data,
  with the JSON codec the outbox stores it in.

A use case typically calls ``permissions.check``, then ``eligibility.*_problems`` with
``problems.ensure_no_problems``, then the item's method, and stores the returned item.
"""

from __future__ import annotations
