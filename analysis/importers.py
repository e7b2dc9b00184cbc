"""Import of indicator values in the long format
`municipality_code,indicator,year,value,unit,source`, from CSV or XLSX.

The whole file is checked first; any bad line refuses the whole file with every problem named
by line and column. Then the values are upserted in one transaction.

Each value belongs to a `Source` (who published it; `source_for` reads it off the row's
provenance text). Values of different sources for the same municipality, indicator and year are
all kept; the one of the source with the lowest priority number is marked `is_preferred` (the
one the analysis shows), so a city's own figure never hides Statistics Finland's series and is
never dropped either.

Fast enough for the ~135 000 bundled values in one go: the existing values are read once as
tuples, new ones inserted in large batches, and preference is decided only where a key has more
than one source. Imports of the same indicators are serialised by locking their `Indicator` rows.
Every write ends with `values_changed(indicator_ids)`.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from municipalities.importers import ImportRejected, RowError, csv_header, csv_rows
from municipalities.models import Municipality

from .models import Indicator, IndicatorValue, Source
from .sources import source_for

__all__ = ["ParsedValue", "mark_preferred", "parse", "read_rows", "source_for", "store"]

COLUMNS = ("municipality_code", "indicator", "year", "value", "unit", "source")
MAX_VALUE = Decimal("1e14")
MAX_TEXT_BYTES = 200 * 1024 * 1024  # of a file after decompression (the bundled files: ~40 MB)
BATCH = 2000  # rows per INSERT


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
    """(line number, row) pairs of a CSV (UTF-8, also gzipped as `.csv.gz`) or XLSX file; line 1
    is the header."""
    if path.suffix.lower() == ".xlsx":
        return _xlsx_rows(path)
    try:
        text = _file_bytes(path).decode("utf-8-sig")
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


def _file_bytes(path: Path) -> bytes:
    if path.suffix.lower() != ".gz":
        return path.read_bytes()
    try:
        with gzip.open(path) as stream:
            data = stream.read(MAX_TEXT_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ImportRejected(
            [RowError(0, "", f"the file is not readable gzip ({error})")]
        ) from error
    if len(data) > MAX_TEXT_BYTES:
        raise ImportRejected([RowError(0, "", "the file is over 200 MB uncompressed")])
    return data


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
    """Upsert the values of one parsed file, decide which are used, refresh what derives."""
    result = _store(parsed)
    values_changed({value.indicator_id for value in parsed})
    return result


@transaction.atomic
def store_files(files: list[list[ParsedValue]]) -> IndicatorImportResult:
    """Several parsed files in one transaction (all or nothing), `values_changed` once."""
    total = IndicatorImportResult()
    for parsed in files:
        result = _store(parsed)
        total.created += result.created
        total.updated += result.updated
        total.unchanged += result.unchanged
    values_changed({value.indicator_id for parsed in files for value in parsed})
    return total


def lock_indicators(indicator_ids: set[int]) -> None:
    """Serialise the writers of these indicators' values (imports, admin edits) on PostgreSQL;
    SQLite has one writer at a time anyway."""
    list(Indicator.objects.select_for_update().filter(pk__in=indicator_ids).values_list("pk"))


def _store(parsed: list[ParsedValue]) -> IndicatorImportResult:
    result = IndicatorImportResult()
    indicator_ids = {value.indicator_id for value in parsed}
    lock_indicators(indicator_ids)
    existing: dict[tuple[int, int, int, int], tuple[int, Decimal, str]] = {}
    keys_with_rows: set[tuple[int, int, int]] = set()
    rows = IndicatorValue.objects.filter(indicator_id__in=indicator_ids).values_list(
        "municipality_id", "indicator_id", "year", "data_source_id", "pk", "value", "source"
    )
    for municipality_id, indicator_id, year, data_source_id, pk, value, source in rows.iterator(
        chunk_size=BATCH
    ):
        existing[municipality_id, indicator_id, year, data_source_id] = (pk, value, source)
        keys_with_rows.add((municipality_id, indicator_id, year))
    to_create, to_update, contested = [], [], set()
    for value in parsed:
        key = (value.municipality_id, value.indicator_id, value.year)
        row = existing.get((*key, value.data_source_id))
        if row is None:
            alone = key not in keys_with_rows  # parse() refuses a key twice in one file
            if not alone:
                contested.add(key)  # another source's value: the priorities decide below
            to_create.append(
                IndicatorValue(
                    municipality_id=value.municipality_id,
                    indicator_id=value.indicator_id,
                    year=value.year,
                    value=value.value,
                    source=value.source,
                    data_source_id=value.data_source_id,
                    is_preferred=alone,
                )
            )
        elif row[1] != value.value or row[2] != value.source:
            to_update.append(IndicatorValue(pk=row[0], value=value.value, source=value.source))
        else:
            result.unchanged += 1
    IndicatorValue.objects.bulk_update(to_update, ["value", "source"], batch_size=500)
    IndicatorValue.objects.bulk_create(to_create, batch_size=BATCH)
    result.created, result.updated = len(to_create), len(to_update)
    mark_preferred(contested)
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
    rows = (
        IndicatorValue.objects.filter(
            indicator_id__in={indicator_id for _m, indicator_id, _y in keys},
            municipality_id__in={municipality_id for municipality_id, _i, _y in keys},
            year__in={year for _m, _i, year in keys},
        )
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


def import_indicator_files(paths: list[Path]) -> IndicatorImportResult:
    """Several files as one import: every file is checked before anything is written (a refusal
    names the file), then all are stored in one transaction."""
    parsed = []
    for path in paths:
        try:
            parsed.append(parse(read_rows(path)))
        except ImportRejected as rejected:
            raise ImportRejected(
                [
                    RowError(error.line, error.column, f"{path.name}: {error.message}")
                    for error in rejected.errors
                ]
            ) from rejected
    return store_files(parsed)
