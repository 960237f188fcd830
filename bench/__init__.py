"""Benchmarks that print figures: API calls against the theoretical minimum, records per
second and peak memory. Run them all with ``make bench``; they are never part of ``make test``."""

from __future__ import annotations
