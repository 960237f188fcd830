"""Benchmarks that print figures (``python -m bench`` or ``make bench``); never part of the
test suite and never asserting on time."""

from __future__ import annotations
