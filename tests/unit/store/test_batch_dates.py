"""Dates bound for SQLite by the batch statements are the text SQLAlchemy's own processor
writes, whatever the date; a datetime still goes SQLAlchemy's way."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import sqlite

from procore_qb.store.repositories._batch import _iso_date

_DIALECT = sqlite.dialect()
_STORED_FORM = sa.Date().dialect_impl(_DIALECT).bind_processor(_DIALECT)


@given(st.dates())
def test_a_date_is_written_as_sqlalchemy_writes_it(value: date) -> None:
    assert _STORED_FORM is not None
    assert _iso_date(_STORED_FORM)(value) == _STORED_FORM(value)


@given(st.datetimes())
def test_a_datetime_goes_sqlalchemys_way(value: datetime) -> None:
    assert _STORED_FORM is not None
    assert _iso_date(_STORED_FORM)(value) == _STORED_FORM(value)
