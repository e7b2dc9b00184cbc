"""Cells of the CSV and XLSX exports: what a person typed is text, never a formula.

Names, titles and other typed values reach staff's spreadsheets. A value such as
`=HYPERLINK("http://x","y")` or `+cmd|' /C calc'!A0` would run as a formula when the file is
opened, and a control character makes an XLSX file unreadable. Every export writes its cells
through `cell()` (CSV) or `uso_portal.xlsx` (XLSX, which uses `xlsx_cell()`):

- OWASP's rule for CSV injection: a text that starts with `=`, `+`, `-`, `@`, tab, carriage return
  or line feed gets a leading apostrophe, so the spreadsheet shows it as text. A text that is
  exactly a number (`-100.00`, a credit note's amount) is data, not a formula, and stays as is.
- Control characters that XML 1.0 forbids (openpyxl's ILLEGAL_CHARACTERS_RE: NUL, backspace,
  escape …) are dropped, in both formats; tab and line breaks are kept.
- Numbers, decimals and dates the portal computed are not text and pass unchanged.

`csv_bytes()` writes every CSV export the way Finnish Excel opens it: semicolon-separated,
UTF-8 with a byte order mark. Every CSV is offered next to an XLSX, which comes first.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from django.utils.functional import Promise
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def clean_text(value: str) -> str:
    """The text without the control characters a spreadsheet file cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def neutralise(value: str) -> str:
    """OWASP's CSV-injection rule: a leading apostrophe before a formula's first character."""
    value = clean_text(value)
    if value.startswith(FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def cell(value: object) -> object:
    """One exported cell: text neutralised, anything else (numbers, dates, None) unchanged."""
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    return neutralise(value) if isinstance(value, str) else value


def row(values: Iterable[object]) -> list[object]:
    return [cell(value) for value in values]


def rows(values: Iterable[Iterable[object]]) -> list[list[object]]:
    return [row(line) for line in values]


# CSV as Finnish Excel opens it by double-click: its list separator is the semicolon (the comma
# is the decimal separator), and without a byte order mark it reads the file as Windows-1252.
CSV_DELIMITER = ";"
CSV_ENCODING = "utf-8-sig"  # UTF-8 with BOM
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def csv_bytes(header: Iterable[object], lines: Iterable[Iterable[object]]) -> bytes:
    """A CSV file: semicolon-separated, UTF-8 with BOM, every cell through `cell()`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(row(header))
    writer.writerows(rows(lines))
    return buffer.getvalue().encode(CSV_ENCODING)
