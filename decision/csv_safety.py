"""CSV exports that a spreadsheet cannot run: formula ("CSV") injection neutralised in every cell.

A spreadsheet opening a CSV treats a cell that starts with `=`, `+`, `-` or `@` (also after
leading spaces, and a tab, carriage return or NUL in front) as a formula, so a feedback comment
`=HYPERLINK("https://evil.example", "Click")` becomes a live link, or worse, on a reviewer's
computer. Following OWASP's CSV injection guidance (and ASVS 1.2.10), such a cell gets a leading
single quote, which spreadsheets take as "this is text" and hide; the csv module's quoting takes
care of separators and quotes inside a cell (RFC 4180), so no cell can start mid-value.

Every CSV the site produces goes through `neutralise()`: the admin's export uses `SafeCSV`
(django-import-export), and other exports build their response with `csv_response()`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

import tablib
from django.http import HttpResponse
from import_export.formats.base_formats import CSV

# Characters that make a spreadsheet read a cell as a formula when they lead it: OWASP's list,
# NUL from ASVS 1.2.10, and the full-width forms some spreadsheets also accept.
FORMULA_START = frozenset("=+-@\t\r\0＝＋－＠")
# A plain number ("-2", "+1.5") is a number to a spreadsheet, not a formula: left as it is, so a
# numeric column stays numeric.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def neutralise(value: Any) -> Any:
    """This cell, made inert for spreadsheets: a string that a spreadsheet would evaluate gets a
    leading single quote. Anything else (numbers, dates, None) is returned unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    # A formula may hide behind leading whitespace (" =1+1" is still evaluated by some readers).
    if value[0] in FORMULA_START or value.lstrip()[:1] in FORMULA_START:
        return "'" + value
    return value


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(cell) for cell in row]


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """The CSV document (RFC 4180 quoting, CRLF line ends) with every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(neutralise_row(header))
    writer.writerows(neutralise_row(row) for row in rows)
    return buffer.getvalue()


def csv_response(
    filename: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]
) -> HttpResponse:
    """A download of this table as a safe CSV file (never cached: exports hold clinical data)."""
    response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class SafeCSV(CSV):
    """django-import-export's CSV format with every cell (headers included) neutralised.

    The library's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a single leading `=`.
    """

    def export_data(self, dataset: Any, **kwargs: Any) -> str:
        safe = tablib.Dataset(
            *(neutralise_row(row) for row in dataset),
            headers=neutralise_row(dataset.headers) if dataset.headers else None,
        )
        return super().export_data(safe, **kwargs)
