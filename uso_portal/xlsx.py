"""Small helpers for XLSX exports (openpyxl): valid sheet names, bold headers, widths, and cells
that are safe to open (see `uso_portal.spreadsheets`: text is neutralised and stored as text)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from . import spreadsheets

INVALID_SHEET_CHARACTERS = re.compile(r"[\\/*?:\[\]]")


def sheet_title(title: str, taken: set[str]) -> str:
    """A valid, unique Excel sheet name: no \\ / * ? : [ ] or control characters, at most 31
    characters, not starting with an apostrophe."""
    base = INVALID_SHEET_CHARACTERS.sub(" ", spreadsheets.clean_text(title)).strip(" '")
    base = base or "Sheet"
    candidate, number = base[:31], 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def append_row(sheet: Worksheet, values: Iterable[object]) -> None:
    """One row: text neutralised and typed as a string (openpyxl would make "=…" a formula);
    numbers and dates stay numbers and dates."""
    cells = []
    for value in spreadsheets.row(values):
        cell = Cell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = TYPE_STRING
        cells.append(cell)
    sheet.append(cells)


def add_sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]):
    taken = {name.lower() for name in workbook.sheetnames}
    sheet = workbook.create_sheet(title=sheet_title(title, taken))
    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(zip(header, *rows, strict=False), start=1):
        width = max(len(str(value)) for value in column if value is not None)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    return sheet


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
