"""The pure rules of procore-qb: entities, the two state machines, eligibility,
permissions and field mapping. Nothing here does I/O or reads a clock."""

from __future__ import annotations
