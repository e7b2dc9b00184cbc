"""Import of bordering municipalities: `municipality_code,neighbour_code,source` (data/
neighbours.csv). One `Neighbour` row per line of the file.

The whole file is checked first (unknown codes, a municipality as its own neighbour, a pair twice;
each named by line) and any problem refuses it; then the pairs are upserted in one transaction.
A pair is `confirmed` only when the file lists it both ways: the source (data/SOURCES.md, N1)
lists some pairs one way only, and marks them "unconfirmed". Pairs in the database that the file
does not list (added by staff) are kept.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from municipalities.importers import ImportRejected, RowError, csv_header, csv_rows
from municipalities.models import Municipality

from .models import Neighbour

NEIGHBOURS_CSV = Path(__file__).resolve().parent / "data" / "neighbours.csv"
COLUMNS = ("municipality_code", "neighbour_code", "source")


@dataclass(frozen=True)
class ParsedNeighbour:
    line: int
    municipality_id: int
    neighbour_id: int
    confirmed: bool
    source: str


@dataclass
class NeighbourImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    unconfirmed: int = 0


def parse_neighbours(path: Path) -> list[ParsedNeighbour]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            [RowError(0, "", f"the file is not UTF-8 text ({error.reason})")]
        ) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = csv_header(reader)
    missing = [name for name in COLUMNS[:2] if name not in header]
    if missing:
        raise ImportRejected(
            [RowError(1, name, "this required column is missing") for name in missing]
        )
    errors: list[RowError] = []
    rows = [(reader.line_num, row) for row in csv_rows(reader, errors)]
    municipalities = dict(Municipality.objects.values_list("code", "pk"))
    pairs: dict[tuple[str, str], int] = {}
    accepted: list[tuple[int, str, str, str]] = []
    for line, row in rows:
        values = {key: (row.get(key) or "").strip() for key in COLUMNS}
        if not any(values.values()):
            continue
        before = len(errors)
        code, other, source = (
            values["municipality_code"],
            values["neighbour_code"],
            values["source"],
        )
        for column, text in values.items():
            if "\x00" in text or any(ord(char) < 32 for char in text):
                errors.append(RowError(line, column, "the value contains a control character"))
        for column, value in (("municipality_code", code), ("neighbour_code", other)):
            if value not in municipalities:
                errors.append(
                    RowError(line, column, f"“{value[:20]}” is not a known municipality code")
                )
        if code == other and code:
            errors.append(
                RowError(line, "neighbour_code", "a municipality is not its own neighbour")
            )
        if len(source) > 300:
            errors.append(RowError(line, "source", "the source is longer than 300 characters"))
        if (code, other) in pairs:
            errors.append(
                RowError(
                    line,
                    "neighbour_code",
                    f"the same pair already appeared on line {pairs[code, other]}",
                )
            )
        pairs.setdefault((code, other), line)
        if len(errors) == before:
            accepted.append((line, code, other, source))
    if not accepted and not errors:
        errors.append(RowError(0, "", "the file has no rows"))
    if errors:
        raise ImportRejected(errors)
    return [
        ParsedNeighbour(
            line, municipalities[code], municipalities[other],
            (other, code) in pairs and "unconfirmed" not in source.casefold(), source,
        )
        for line, code, other, source in accepted
    ]  # fmt: skip


@transaction.atomic
def store_neighbours(parsed: list[ParsedNeighbour]) -> NeighbourImportResult:
    result = NeighbourImportResult(unconfirmed=sum(not pair.confirmed for pair in parsed))
    existing = {
        (row.municipality_id, row.neighbour_id): row
        for row in Neighbour.objects.select_for_update().only(
            "pk", "municipality_id", "neighbour_id", "confirmed", "source"
        )
    }
    to_create, to_update = [], []
    for pair in parsed:
        row = existing.get((pair.municipality_id, pair.neighbour_id))
        if row is None:
            to_create.append(
                Neighbour(
                    municipality_id=pair.municipality_id,
                    neighbour_id=pair.neighbour_id,
                    confirmed=pair.confirmed,
                    source=pair.source,
                )
            )
        elif (row.confirmed, row.source) != (pair.confirmed, pair.source):
            row.confirmed, row.source = pair.confirmed, pair.source
            to_update.append(row)
        else:
            result.unchanged += 1
    Neighbour.objects.bulk_create(to_create, batch_size=1000)
    Neighbour.objects.bulk_update(to_update, ["confirmed", "source"], batch_size=500)
    result.created, result.updated = len(to_create), len(to_update)
    return result


def import_neighbours(path: Path = NEIGHBOURS_CSV) -> NeighbourImportResult:
    return store_neighbours(parse_neighbours(path))
