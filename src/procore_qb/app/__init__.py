"""Use cases: one module per capability. Each runs in one database transaction, changes state
through :mod:`procore_qb.domain`, and records follow-up work in that same transaction.

Modules:

- ``notifications``: the rejection notice and the daily summary queued in the mail outbox, their
  delivery through :mod:`procore_qb.notify`, and the mail tasks on the job queue.
"""

from __future__ import annotations
