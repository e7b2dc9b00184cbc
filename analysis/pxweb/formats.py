"""The two response formats of Statistics Finland's PxWeb APIs, read into one shape.

- JSON-stat2 (API v1 and v2): `id`, `size`, `dimension`, `value` (row-major), `role`.
- PxWeb "json" (the 2026 API): `columns` (code, text, type d/t/c), `data` (key, values).

Which variable is the region, the time and the content is read from the response itself (the
roles, the column types, the codes of the values), never from hard-coded variable names: since
June 2026 StatFin's variable codes are table-specific and date-stamped (`alue_23_20260101`).
Anything that does not fit raises `TableRefused` with a one-line reason.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .errors import TableRefused

# Area codes: a municipality (`980` in v1 tables, `KU980` in StatFin), the whole country
# (`SSS`); anything else (MK regions, SK sub-regions, ELY centres, …) is not a municipality.
MUNICIPALITY_AREA = re.compile(r"(?:KU)?(\d{3})")
WHOLE_COUNTRY = "SSS"
TIME_NAMES = ("vuosi", "year", "år", "timeperiod", "tid", "time", "kuukausi", "month", "quarter")


@dataclass(frozen=True)
class Variable:
    code: str
    label: str
    values: list[str]  # value codes in the order of the response
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    area: str
    period: str
    content: str  # the content key: the codes of the other varying variables, "|"-joined
    value: object  # as in the response: a number, a string, or None


@dataclass
class Table:
    format: str  # "json-stat2" or "px-json"
    label: str
    region: Variable
    time: Variable
    contents: list[Variable]  # the other variables (content code, key figure, sex, …)
    cells: list[Cell]
    table_id: str = ""

    def content_keys(self) -> list[str]:
        seen: dict[str, None] = {}
        for cell in self.cells:
            seen.setdefault(cell.content, None)
        return list(seen)


def load_json(raw: bytes) -> object:
    """The decoded response; a truncated or non-JSON body is refused."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableRefused(f"the response is not UTF-8 text ({error.reason})") from error
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise TableRefused(
            f"the response is not complete JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}); it may be truncated"
        ) from error
    except RecursionError as error:
        raise TableRefused("the response is nested too deeply to be a PxWeb table") from error


def _no_constant(name: str) -> object:
    raise TableRefused(f"the response contains {name}, which is not JSON")


def detect(document: object) -> str:
    """'json-stat2', 'px-json', 'v1-metadata' or 'v2-metadata'; anything else is refused."""
    if isinstance(document, dict):
        if document.get("class") == "dataset" and "dimension" in document:
            return "json-stat2" if document.get("value") is not None else "v2-metadata"
        if "columns" in document and "data" in document:
            return "px-json"
        if isinstance(document.get("variables"), list) and "title" in document:
            return "v1-metadata"
        if "dataset" in document:
            raise TableRefused("the response is JSON-stat version 1; ask for json-stat2")
    raise TableRefused(
        "the response is in a format this importer does not know "
        "(expected JSON-stat2 or PxWeb's json with columns and data)"
    )


def read_table(document: object) -> Table:
    kind = detect(document)
    _refuse_nul(document)
    try:
        if kind == "json-stat2":
            return _jsonstat2(document)
        if kind == "px-json":
            return _pxjson(document)
    except TableRefused:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        raise TableRefused(
            f"the table's structure is not one this importer can read ({type(error).__name__}: "
            f"{str(error)[:80]})"
        ) from error
    raise TableRefused("the response is table metadata without values")


def _refuse_nul(document: object) -> None:
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise TableRefused("the response contains a NUL character in a code or label")
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


# --- JSON-stat2 -------------------------------------------------------------------------------


def jsonstat2_variables(document: dict) -> list[Variable]:
    ids, sizes, dimensions = document["id"], document["size"], document["dimension"]
    if not isinstance(ids, list) or not isinstance(sizes, list) or len(ids) != len(sizes):
        raise TableRefused("the JSON-stat2 id and size lists do not match")
    variables = []
    for code, size in zip(ids, sizes, strict=True):
        dimension = dimensions[code]
        category = dimension["category"]
        index = category.get("index")
        labels = category.get("label") or {}
        if index is None:
            values = list(labels)
        elif isinstance(index, list):
            values = [str(value) for value in index]
        else:
            values = sorted(index, key=lambda value: index[value])
        if len(values) != size:
            raise TableRefused(f"the variable {_short(code)} has {len(values)} values, not {size}")
        variables.append(Variable(str(code), str(dimension.get("label", code)), values, labels))
    return variables


def _jsonstat2(document: dict) -> Table:
    variables = jsonstat2_variables(document)
    roles = document.get("role") or {}
    time = _by_role(variables, roles.get("time")) or _time_by_name(variables)
    region = _by_role(variables, roles.get("geo")) or _region_by_values(variables, time)
    values = document["value"]
    cells_count = math.prod(len(variable.values) for variable in variables)
    if isinstance(values, dict):  # the sparse form: {"position": value}
        values = [values.get(str(position)) for position in range(cells_count)]
    if not isinstance(values, list) or len(values) != cells_count:
        raise TableRefused(
            f"the table should have {cells_count} values but has "
            f"{len(values) if isinstance(values, list) else 'none'}; it may be truncated"
        )
    others = [variable for variable in variables if variable not in (time, region)]
    cells = []
    for position, combination in enumerate(_combinations(variables)):
        codes = dict(zip((variable.code for variable in variables), combination, strict=True))
        cells.append(
            Cell(
                codes[region.code],
                codes[time.code],
                _content_key(others, codes),
                values[position],
            )
        )
    extension = (document.get("extension") or {}).get("px") or {}
    return Table(
        "json-stat2",
        str(document.get("label", "")),
        region,
        time,
        others,
        cells,
        str(extension.get("tableid", "")),
    )


def _combinations(variables: list[Variable]) -> Iterator[tuple[str, ...]]:
    """The value codes of every cell, in JSON-stat's row-major order (the last id varies
    fastest)."""
    sizes = [len(variable.values) for variable in variables]
    for position in range(math.prod(sizes)):
        codes, rest = [], position
        for variable, size in zip(reversed(variables), reversed(sizes), strict=True):
            rest, index = divmod(rest, size)
            codes.append(variable.values[index])
        yield tuple(reversed(codes))


# --- PxWeb json -------------------------------------------------------------------------------


def _pxjson(document: dict) -> Table:
    columns, rows = document["columns"], document["data"]
    if not isinstance(columns, list) or not isinstance(rows, list):
        raise TableRefused("the json response's columns and data are not lists")
    keys = [column for column in columns if column["type"] != "c"]
    contents = [column for column in columns if column["type"] == "c"]
    if not contents:
        raise TableRefused("the json response has no content columns (type c)")
    seen: list[dict[str, None]] = [{} for _ in keys]
    for row in rows:
        key, values = row["key"], row["values"]
        if len(key) != len(keys) or len(values) != len(contents):
            raise TableRefused("a data row of the json response does not match its columns")
        for index, code in enumerate(key):
            seen[index].setdefault(str(code), None)
    variables = [
        Variable(str(column["code"]), str(column.get("text", column["code"])), list(values))
        for column, values in zip(keys, seen, strict=True)
    ]
    by_type = {column["code"]: column["type"] for column in keys}
    times = [variable for variable in variables if by_type[variable.code] == "t"]
    time = times[0] if len(times) == 1 else _time_by_name(variables)
    region = _region_by_values(variables, time)
    others = [variable for variable in variables if variable not in (time, region)]
    content_variable = Variable(
        "contents",
        "contents",
        [str(column["code"]) for column in contents],
        {str(column["code"]): str(column.get("text", "")) for column in contents},
    )
    varying = [variable for variable in others if len(variable.values) > 1]
    cells = []
    for row in rows:
        codes = dict(zip((variable.code for variable in variables), row["key"], strict=True))
        prefix = "|".join(str(codes[variable.code]) for variable in varying)
        for content, value in zip(content_variable.values, row["values"], strict=True):
            key = f"{content}|{prefix}" if prefix else content
            cells.append(Cell(str(codes[region.code]), str(codes[time.code]), key, value))
    label = ""
    metadata = document.get("metadata")
    if isinstance(metadata, list) and metadata and isinstance(metadata[0], dict):
        label = str(metadata[0].get("label", ""))
    return Table("px-json", label, region, time, [content_variable, *others], cells)


# --- shared -----------------------------------------------------------------------------------


def _by_role(variables: list[Variable], codes: object) -> Variable | None:
    if isinstance(codes, list) and len(codes) == 1:
        for variable in variables:
            if variable.code == codes[0]:
                return variable
    return None


def _time_by_name(variables: list[Variable]) -> Variable:
    found = [
        variable
        for variable in variables
        if any(
            variable.code.lower().startswith(name) or variable.label.lower().startswith(name)
            for name in TIME_NAMES
        )
    ]
    if len(found) != 1:
        raise TableRefused("the table's metadata does not say which variable is the time")
    return found[0]


def _region_by_values(variables: list[Variable], time: Variable) -> Variable:
    """The variable whose values are area codes (municipalities or the whole country)."""
    scored = []
    for variable in variables:
        if variable is time:
            continue
        areas = sum(
            1
            for code in variable.values
            if code == WHOLE_COUNTRY or MUNICIPALITY_AREA.fullmatch(code)
        )
        if areas:
            scored.append((areas, variable))
    scored.sort(key=lambda pair: -pair[0])
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        raise TableRefused("the table has no variable of municipalities (area codes)")
    return scored[0][1]


def _content_key(others: list[Variable], codes: dict[str, str]) -> str:
    varying = [variable for variable in others if len(variable.values) > 1]
    return "|".join(str(codes[variable.code]) for variable in varying or others)


def _short(text: object) -> str:
    text = str(text)
    return text if len(text) <= 60 else f"{text[:57]}…"
