"""CSV files for spreadsheets, line by line (so a long export streams), safe from formula
injection: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
run as a formula by Excel, LibreOffice or Google Sheets, so it is written with a leading
``'`` (OWASP "CSV Injection"); whole numbers and finite ``Decimal`` amounts are written as
they are, a negative amount being no formula. The file starts with a UTF-8 byte order mark,
which tells spreadsheets the encoding."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

__all__ = ["BOM", "FORMULA_STARTS", "csv_lines", "safe_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: object) -> str:
    """The text of one cell, with a leading ``'`` when a spreadsheet would take it for a
    formula (never to a number)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal) and value.is_finite():
        return f"{value:f}"
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The header, then one CSV line (``\\r\\n`` ended, RFC 4180) per row, every cell made
    safe; the first line starts with :data:`BOM`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Sequence[object]) -> str:
        writer.writerow([safe_cell(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield BOM + line(header)
    for row in rows:
        yield line(row)
