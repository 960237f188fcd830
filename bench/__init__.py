"""Benchmarks that print figures: API calls against the theoretical minimum, records per
second and peak memory. Run them all at full size with ``make bench``; ``make test`` runs each
at a small size (tests/integration/test_benchmarks.py) so that none can fall behind the code,
checking that its figures make sense and never how fast it was."""

from __future__ import annotations
