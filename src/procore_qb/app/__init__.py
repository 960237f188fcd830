"""Use cases: one module per capability. Each runs in one database transaction, changes state
through :mod:`procore_qb.domain`, records QuickBooks commands in the outbox and enqueues the
follow-up work in that same transaction.

Modules:

- ``context``: :class:`~procore_qb.app.context.AppContext`, what every use case is given.
- ``errors``: :class:`AppError` and its children (not found, conflict, not connected).
- ``actors``: who is acting, their Procore permissions, API tokens.
- ``company``: company settings (customer/job mode, template, schedules, change policy).
- ``export``: Path A (send, retrieve, accept, reject, retry, reset).
- ``import_``: Path B (add to Procore, link, archive, restore).
- ``refresh``: the QuickBooks job list refresh.
- ``results``: the one handler that applies QuickBooks' answers of both editions.
- ``writeback``: marking Procore records synced after an export.
- ``notifications``: the rejection notice, the daily digest and mail delivery.
- ``online_driver``: runs pending QuickBooks commands against QuickBooks Online.
- ``queries``: what the Jobs tab, the project list and the audit log read.
- ``tasks``: the background tasks and schedules registered on the job queue.
"""

from __future__ import annotations
