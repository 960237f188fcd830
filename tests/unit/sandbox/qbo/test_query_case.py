"""Names in queries match in any case (Hypothesis over the casing of every word)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from procore_qb.sandbox.qbo.config import SimulatorConfig
from procore_qb.sandbox.qbo.entities import Context
from procore_qb.sandbox.qbo.query import execute
from procore_qb.sandbox.qbo.seeding import seeded_company

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CONFIG = SimulatorConfig()
REALM = seeded_company(CONFIG.realm_id, CONFIG, NOW)
QUERY = (
    "select * from Customer where MetaData.LastUpdatedTime > '2000-01-01' and Job = true "
    "and DisplayName like '%e%' orderby DisplayName desc startposition 1 maxresults 50"
)
WORDS = tuple(QUERY.split())


def _run(text: str) -> Any:
    return execute(Context(realm=REALM, config=CONFIG, now=NOW), text)


EXPECTED = _run(QUERY)


@st.composite
def recased(draw: st.DrawFn) -> str:
    words = []
    for word in WORDS:
        if word.startswith("'"):
            words.append(word)  # literals keep their text; LIKE ignores case anyway
            continue
        flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
        words.append("".join(c.swapcase() if f else c for c, f in zip(word, flips, strict=True)))
    return " ".join(words)


@settings(max_examples=60, deadline=None)
@given(recased())
def test_any_casing_of_keywords_entities_and_properties_gives_the_same_answer(text: str) -> None:
    assert EXPECTED["Customer"]
    answer = _run(text)
    assert answer == EXPECTED
    assert set(answer) == {"Customer", "startPosition", "maxResults"}
