"""Import of indicator values in the long format
`municipality_code,indicator,year,value,unit,source`, from CSV or XLSX.

The whole file is checked first; any bad line refuses the whole file with every problem named
by line and column. Then the values are upserted in one transaction.

Each value belongs to a `Source` (who published it; `source_for` reads it off the row's
provenance text). Values of different sources for the same municipality, indicator and year are
all kept; the one of the source with the lowest priority number is marked `is_preferred` (the
one the analysis shows), so a city's own figure never hides Statistics Finland's series and is
never dropped either.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from municipalities.importers import ImportRejected, RowError, csv_header, csv_rows
from municipalities.models import Municipality

from .models import Indicator, IndicatorValue, Source

COLUMNS = ("municipality_code", "indicator", "year", "value", "unit", "source")
MAX_VALUE = Decimal("1e14")


@dataclass(frozen=True)
class ParsedValue:
    line: int
    municipality_id: int
    indicator_id: int
    year: int
    value: Decimal
    source: str
    data_source_id: int


@dataclass
class IndicatorImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a CSV (UTF-8) or XLSX file; line 1 is the header."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            [RowError(0, "", f"the file is not UTF-8 text ({error.reason})")]
        ) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    _check_header(csv_header(reader))
    errors: list[RowError] = []
    rows = [(reader.line_num, row) for row in csv_rows(reader, errors)]
    if errors:
        raise ImportRejected(errors)
    return rows


def _xlsx_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        cells = list(sheet.iter_rows(values_only=True))  # a damaged sheet fails here
    except Exception as error:
        raise ImportRejected(
            [RowError(0, "", f"the file is not a readable XLSX workbook ({error})")]
        ) from error
    rows = iter(cells)
    header = [str(cell).strip() if cell is not None else "" for cell in next(rows, [])]
    _check_header(header)
    result = []
    for number, line in enumerate(rows, start=2):
        values = ["" if cell is None else str(cell) for cell in line]
        result.append((number, dict(zip(header, values, strict=False))))
    return result


def _check_header(header: list[str]) -> None:
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ImportRejected(
            [RowError(1, name, "this required column is missing") for name in missing]
        )


# Provenance texts of the bundled files that name a city's or a newspaper's own publication
# (data/SOURCES.md: S8 Ylöjärvi, S9 Oivaseutu, S10 Lappeenranta); everything else in them is
# Statistics Finland's.
MUNICIPALITY_OWN_PREFIXES = ("S8", "S9", "S10")


def source_for(provenance: str, sources: dict[str, int]) -> int:
    """The `Source` of a value, from its provenance text."""
    if provenance.startswith(MUNICIPALITY_OWN_PREFIXES):
        return sources["municipality-own"]
    return sources["statistics-finland"]


def parse(rows: list[tuple[int, dict[str, str]]]) -> list[ParsedValue]:
    municipalities = dict(Municipality.objects.values_list("code", "pk"))
    indicators = dict(Indicator.objects.values_list("code", "pk"))
    sources = dict(Source.objects.values_list("code", "pk"))
    errors: list[RowError] = []
    parsed: list[ParsedValue] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in rows:
        values = {key: (row.get(key) or "").strip() for key in COLUMNS}
        if not any(values.values()):
            continue
        before = len(errors)
        code, indicator, year, value = (
            values[key] for key in ("municipality_code", "indicator", "year", "value")
        )
        if code not in municipalities:
            errors.append(
                RowError(line, "municipality_code", f"“{code}” is not a known municipality code")
            )
        if indicator not in indicators:
            errors.append(RowError(line, "indicator", f"“{indicator}” is not a defined indicator"))
        if not (year.isascii() and year.isdigit()) or not 1900 <= int(year) <= 2100:
            errors.append(RowError(line, "year", f"“{year}” is not a year"))
        number = _decimal(value)
        if number is None:
            errors.append(
                RowError(line, "value", f"“{value}” is not a number (use a decimal point)")
            )
        if len(values["source"]) > 300:
            errors.append(RowError(line, "source", "the source is longer than 300 characters"))
        for column, text in values.items():
            if "\x00" in text:
                errors.append(RowError(line, column, "the value contains a NUL character"))
        key = (code, indicator, str(int(year)) if year.isascii() and year.isdigit() else year)
        if key in seen:
            errors.append(
                RowError(line, "indicator", f"the same value already appeared on line {seen[key]}")
            )
        seen.setdefault(key, line)
        if len(errors) == before:
            parsed.append(
                ParsedValue(
                    line,
                    municipalities[code],
                    indicators[indicator],
                    int(year),
                    number,
                    values["source"],
                    source_for(values["source"], sources),
                )
            )
    if not rows or (not parsed and not errors):
        errors.append(RowError(0, "", "the file has no rows"))
    if errors:
        raise ImportRejected(errors)
    return parsed


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= MAX_VALUE:
        return None
    number = number.quantize(Decimal("0.0001"))
    return number if abs(number) < MAX_VALUE else None  # rounding may reach the limit


@transaction.atomic
def store(parsed: list[ParsedValue]) -> IndicatorImportResult:
    result = IndicatorImportResult()
    key_of = lambda row: (row.municipality_id, row.indicator_id, row.year, row.data_source_id)  # noqa: E731
    existing = {
        key_of(row): row
        for row in IndicatorValue.objects.select_for_update().filter(
            indicator_id__in={value.indicator_id for value in parsed}
        )
    }
    to_create, to_update = [], []
    for value in parsed:
        row = existing.get(key_of(value))
        if row is None:
            to_create.append(
                IndicatorValue(
                    municipality_id=value.municipality_id,
                    indicator_id=value.indicator_id,
                    year=value.year,
                    value=value.value,
                    source=value.source,
                    data_source_id=value.data_source_id,
                    is_preferred=False,  # decided below, over every source of the key
                )
            )
        elif row.value != value.value or row.source != value.source:
            row.value, row.source = value.value, value.source
            to_update.append(row)
        else:
            result.unchanged += 1
    IndicatorValue.objects.bulk_update(to_update, ["value", "source"])
    IndicatorValue.objects.bulk_create(to_create)
    result.created, result.updated = len(to_create), len(to_update)
    mark_preferred({(v.municipality_id, v.indicator_id, v.year) for v in parsed})
    values_changed({value.indicator_id for value in parsed})
    return result


def values_changed(indicator_ids) -> None:
    """The values of these indicators changed: refresh what is precomputed from them (the
    all-municipalities statistics of `national.refresh`)."""
    from .national import refresh

    refresh(indicator_ids)


def mark_preferred(keys: set[tuple[int, int, int]]) -> None:
    """For each (municipality, indicator, year), mark the value of the winning source."""
    if not keys:
        return
    indicator_ids = {indicator_id for _m, indicator_id, _y in keys}
    rows = (
        IndicatorValue.objects.filter(indicator_id__in=indicator_ids)
        .order_by("municipality_id", "indicator_id", "year", "data_source__priority", "pk")
        .values_list("pk", "municipality_id", "indicator_id", "year", "is_preferred")
    )
    winners, losers, seen = [], [], set()
    for pk, municipality_id, indicator_id, year, is_preferred in rows:
        key = (municipality_id, indicator_id, year)
        if key not in keys:
            continue
        first = key not in seen
        seen.add(key)
        if first and not is_preferred:
            winners.append(pk)
        elif not first and is_preferred:
            losers.append(pk)
    # losers first: the partial unique constraint allows one preferred value per key
    for pks, flag in ((losers, False), (winners, True)):
        for start in range(0, len(pks), CHUNK):
            IndicatorValue.objects.filter(pk__in=pks[start : start + CHUNK]).update(
                is_preferred=flag
            )


CHUNK = 5000  # ids per UPDATE (SQLite's limit of bound parameters)


def import_indicator_file(path: Path) -> IndicatorImportResult:
    return store(parse(read_rows(path)))
