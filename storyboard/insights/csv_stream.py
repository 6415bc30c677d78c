"""CSV downloads that stream row by row and cannot smuggle a formula into a spreadsheet.

Rows are written as they are read (`yield_per` on the query side), so 100,000 stories never sit
in memory at once. A cell that a spreadsheet would run as a formula (one starting with `=`, `+`,
`-`, `@`, or a tab or carriage return that hides one) gets a leading apostrophe, as OWASP
advises: the value reads the same and is never evaluated.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from flask import Response, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH_ROWS = 500  # rows per chunk sent: few enough to stay small, enough to keep writes cheap


def neutralised(value: object) -> str:
    """One cell as text, with a leading apostrophe if a spreadsheet would take it as a formula."""
    if type(value) is str:  # most cells: checked first, as an export has millions of them
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)  # numbers are numbers: -3 is a score, not a formula
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(header: Iterable[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV text in chunks of BATCH_ROWS rows, the header first (with a BOM for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
        count += 1
        if count % BATCH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_response(filename: str, header: Iterable[str], rows: Iterable[Iterable[object]]) -> Response:
    """A streamed CSV download named `filename`; `rows` is consumed while the response is sent,
    inside the request's context so it can keep reading from the database."""
    response = Response(
        stream_with_context(csv_chunks(list(header), rows)), mimetype="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
