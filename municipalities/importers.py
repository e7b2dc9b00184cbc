"""Parsing and validation of the municipality CSV (the columns of Statistics Finland's list).

`parse_municipalities_csv` reads the whole file and either returns every row parsed or raises
`ImportRejected` with every problem found, each naming its line and column. Nothing is written
here: `services.municipalities_import` applies a parsed file in one transaction.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError

from .models import LanguageStatus, MunicipalityKind, StatisticalGrouping
from .validators import MUNICIPALITY_CODE_RE, normalize_business_id

POPULATION_COLUMN_RE = re.compile(r"^population_(\d{4})_12_31$")
KIND_COLUMN_RE = re.compile(r"^municipality_type(_\d{4})?$")

REQUIRED_COLUMNS = ("municipality_code", "name_fi")
STORED_COLUMNS = {
    "municipality_code",
    "name_fi",
    "name_sv",
    "region_code",
    "region_name_fi",
    "region_name_sv",
    "subregion_code",
    "subregion_name_fi",
    "language_status",
    "statistical_grouping_en",
    "y_tunnus",
    "y_tunnus_status",
}
# Labels that repeat a stored column in words; read and cross-checked by nothing, so harmless.
DERIVED_COLUMNS = {
    "is_city_2021",
    "language_status_label_en",
    "language_status_label_fi",
    "statistical_grouping_fi",
}

KINDS = {
    "kaupunki": MunicipalityKind.CITY,
    "city": MunicipalityKind.CITY,
    "kunta": MunicipalityKind.MUNICIPALITY,
    "municipality": MunicipalityKind.MUNICIPALITY,
}
GROUPINGS = {
    "urban municipalities": StatisticalGrouping.URBAN,
    "semi-urban municipalities": StatisticalGrouping.SEMI_URBAN,
    "rural municipalities": StatisticalGrouping.RURAL,
    "urban": StatisticalGrouping.URBAN,
    "semi_urban": StatisticalGrouping.SEMI_URBAN,
    "rural": StatisticalGrouping.RURAL,
}
VERIFIED_STATUS_PREFIXES = ("confirmed", "independent_source_only")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return (
            f"{where}, column {self.column}: {self.message}"
            if self.column
            else f"{where}: {self.message}"
        )


class ImportRejected(Exception):
    """The file was refused whole; `errors` says why, line by line."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class ParsedMunicipality:
    line: int
    code: str
    fields: dict[str, object]
    populations: dict[datetime.date, int] = field(default_factory=dict)


def csv_header(reader: csv.DictReader) -> list[str]:
    """The header of a CSV file; a header the csv module cannot read refuses the file."""
    try:
        return [name.strip() for name in (reader.fieldnames or [])]
    except csv.Error as error:
        raise ImportRejected([_unreadable(reader, error)]) from error


def csv_rows(reader: csv.DictReader, errors: list[RowError]) -> Iterator[dict]:
    """The rows of a CSV file. A line the csv module cannot read (a value over its limit of
    131 072 characters) ends the reading with a problem on that line, not a traceback."""
    try:
        yield from reader
    except csv.Error as error:
        errors.append(_unreadable(reader, error))


def _unreadable(reader: csv.DictReader, error: csv.Error) -> RowError:
    if "field larger than field limit" in str(error):
        message = f"a value is longer than {csv.field_size_limit()} characters"
    else:
        message = f"the line cannot be read as CSV ({error})"
    return RowError(reader.line_num + 1, "", message)  # the record after the last one read


def parse_municipalities_csv(stream: IO[bytes] | IO[str]) -> list[ParsedMunicipality]:
    text = _as_text(stream)
    reader = csv.DictReader(text)
    errors: list[RowError] = []
    columns = csv_header(reader)
    reader.fieldnames = columns
    _check_columns(columns, errors)
    if errors:
        raise ImportRejected(errors)

    population_columns = {
        name: datetime.date(int(match.group(1)), 12, 31)
        for name in columns
        if (match := POPULATION_COLUMN_RE.match(name))
    }
    kind_column = max((name for name in columns if KIND_COLUMN_RE.match(name)), default=None)

    parsed: list[ParsedMunicipality] = []
    keys: list[tuple[int, str, str]] = []  # (line, code, business ID) of every row, for duplicates
    for row in csv_rows(reader, errors):
        line = reader.line_num
        if None in row:
            errors.append(RowError(line, "", "the row has more values than the header has columns"))
            continue
        values = {key: (value or "").strip() for key, value in row.items()}
        if not any(values.values()):
            continue
        keys.append((line, values.get("municipality_code", ""), values.get("y_tunnus", "")))
        result = _parse_row(line, values, population_columns, kind_column, errors)
        if result is not None:
            parsed.append(result)

    if not parsed and not errors:
        errors.append(RowError(0, "", "the file has no municipality rows"))
    _check_duplicates(keys, errors)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.line))
    return parsed


def _as_text(stream: IO[bytes] | IO[str]) -> IO[str]:
    raw = stream.read()
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportRejected(
                [
                    RowError(
                        0, "", f"the file is not UTF-8 text ({error.reason} at byte {error.start})"
                    )
                ]
            ) from error
    return io.StringIO(raw.removeprefix("\ufeff"), newline="")


def _check_columns(columns: list[str], errors: list[RowError]) -> None:
    if not columns:
        errors.append(RowError(1, "", "the file is empty: a header row is expected"))
        return
    for name in REQUIRED_COLUMNS:
        if name not in columns:
            errors.append(RowError(1, name, "this required column is missing from the header"))
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            errors.append(RowError(1, name, "the column appears twice in the header"))
        seen.add(name)
        known = (
            name in STORED_COLUMNS
            or name in DERIVED_COLUMNS
            or POPULATION_COLUMN_RE.match(name)
            or KIND_COLUMN_RE.match(name)
        )
        if not known:
            errors.append(RowError(1, name, "unknown column; nothing would store its values"))


def _parse_row(
    line: int,
    values: dict[str, str],
    population_columns: dict[str, datetime.date],
    kind_column: str | None,
    errors: list[RowError],
) -> ParsedMunicipality | None:
    count_before = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    code = values.get("municipality_code", "")
    if not MUNICIPALITY_CODE_RE.match(code):
        fail("municipality_code", f"“{code}” is not a three-digit municipality code, e.g. 005")
    if not values.get("name_fi"):
        fail("name_fi", "the Finnish name is missing")
    region_code = values.get("region_code", "")
    if region_code and not re.fullmatch(r"[0-9]{2}", region_code):
        fail("region_code", f"“{region_code}” is not a two-digit region code")
    subregion_code = values.get("subregion_code", "")
    if subregion_code and not re.fullmatch(r"[0-9]{3}", subregion_code):
        fail("subregion_code", f"“{subregion_code}” is not a three-digit sub-region code")

    fields: dict[str, object] = {
        "name_fi": values.get("name_fi", ""),
        "name_sv": values.get("name_sv", ""),
        "region_code": region_code,
        "region_name_fi": values.get("region_name_fi", ""),
        "region_name_sv": values.get("region_name_sv", ""),
        "subregion_code": subregion_code,
        "subregion_name": values.get("subregion_name_fi", ""),
    }
    if kind_column:
        kind = values.get(kind_column, "")
        if kind.lower() not in KINDS:
            fail(kind_column, f"“{kind}” is neither kaupunki (city) nor kunta (municipality)")
        else:
            fields["kind"] = KINDS[kind.lower()]
    if "language_status" in values:
        status = values["language_status"]
        if status not in LanguageStatus.values:
            allowed = ", ".join(LanguageStatus.values)
            fail("language_status", f"“{status}” is not one of {allowed}")
        else:
            fields["language_status"] = status
    if "statistical_grouping_en" in values:
        grouping = values["statistical_grouping_en"]
        if grouping and grouping.lower() not in GROUPINGS:
            fail("statistical_grouping_en", f"“{grouping}” is not urban, semi-urban or rural")
        else:
            fields["statistical_grouping"] = GROUPINGS.get(grouping.lower(), "")
    if "y_tunnus" in values:
        business_id = values["y_tunnus"]
        status = values.get("y_tunnus_status", "")
        if business_id:
            try:
                business_id = normalize_business_id(business_id)
            except ValidationError:
                fail("y_tunnus", f"“{business_id}” is not a valid business ID (check digit)")
        fields["business_id"] = business_id
        fields["business_id_verified"] = bool(business_id) and status.startswith(
            VERIFIED_STATUS_PREFIXES
        )
        fields["business_id_source"] = status[:200]

    populations: dict[datetime.date, int] = {}
    for column, reference_date in population_columns.items():
        value = values.get(column, "")
        if not value:
            continue
        if not re.fullmatch(r"[0-9]+", value) or int(value) <= 0:
            fail(column, f"“{value}” is not a positive whole number of inhabitants")
            continue
        populations[reference_date] = int(value)

    _check_text(fields, values, fail)
    if len(errors) > count_before:
        return None
    return ParsedMunicipality(line=line, code=code, fields=fields, populations=populations)


# The model's column of each text field the import fills, for length checks.
FIELD_COLUMNS = {
    "name_fi": "name_fi",
    "name_sv": "name_sv",
    "region_name_fi": "region_name_fi",
    "region_name_sv": "region_name_sv",
    "subregion_name": "subregion_name_fi",
}


def _check_text(fields: dict, values: dict, fail) -> None:
    from .models import Municipality

    for column, value in values.items():
        if "\x00" in value:
            fail(column, "the value contains a NUL character")
    for name, column in FIELD_COLUMNS.items():
        limit = Municipality._meta.get_field(name).max_length
        if len(str(fields.get(name, ""))) > limit:
            fail(column, f"the value is longer than {limit} characters")


def _check_duplicates(keys: list[tuple[int, str, str]], errors: list[RowError]) -> None:
    lines_by_code: dict[str, list[int]] = defaultdict(list)
    lines_by_business_id: dict[str, list[int]] = defaultdict(list)
    for line, code, business_id in keys:
        if code:
            lines_by_code[code].append(line)
        if business_id:
            lines_by_business_id[business_id.replace("-", "")].append(line)
    for code, lines in lines_by_code.items():
        for line in lines[1:]:
            errors.append(
                RowError(
                    line, "municipality_code", f"code {code} already appeared on line {lines[0]}"
                )
            )
    for business_id, lines in lines_by_business_id.items():
        for line in lines[1:]:
            errors.append(
                RowError(
                    line,
                    "y_tunnus",
                    f"business ID {business_id[:7]}-{business_id[7:]} "
                    f"already appeared on line {lines[0]}",
                )
            )
