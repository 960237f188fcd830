"""Benchmarks that print figures (``make bench``); never part of the test suite."""

from __future__ import annotations
