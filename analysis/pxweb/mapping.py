"""Indicator mappings of StatFin tables: which content code is which indicator, and its scale.

One JSON file per table in `analysis/data/statfin/`:

    {"table": "kta_19", "matches": ["kta_19"], "provenance": "…",
     "contents": {"lainakanta_eur": {"indicator": "loan_stock_meur", "scale": "0.001"}},
     "ignore": ["vaesto_keski_ika"], "year_from_month": null}

`matches` are name parts (split at anything but letters and digits) that pick the file by the
table's address, the saved file's name or the table id in the metadata. Every content code of a
table must be in `contents` or `ignore`: a new code refuses the table until someone decides.
`year_from_month` ("12") takes that month of a monthly table as the year's value; without it
monthly or quarterly periods are refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import TableRefused

MAPPINGS_DIR = Path(__file__).resolve().parents[1] / "data" / "statfin"
TOKEN = re.compile(r"[0-9a-zäöå]+")


@dataclass(frozen=True)
class Target:
    indicator: str
    scale: Decimal


@dataclass(frozen=True)
class Mapping:
    table: str
    matches: tuple[tuple[str, ...], ...]
    provenance: str
    contents: dict[str, Target]
    ignore: frozenset[str]
    year_from_month: str | None
    path: Path


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def load_mapping(path: Path) -> Mapping:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TableRefused(f"the mapping file {path.name} cannot be read ({error})") from error
    try:
        contents = {
            str(code): Target(str(target["indicator"]), _scale(target.get("scale", "1")))
            for code, target in data["contents"].items()
        }
        month = data.get("year_from_month")
        mapping = Mapping(
            table=str(data["table"]),
            matches=tuple(tuple(tokens(str(match))) for match in data.get("matches", [])),
            provenance=str(data.get("provenance", f"Statistics Finland, PxWeb {data['table']}")),
            contents=contents,
            ignore=frozenset(str(code) for code in data.get("ignore", [])),
            year_from_month=None if month is None else f"{int(month):02d}",
            path=path,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise TableRefused(
            f"the mapping file {path.name} is not a mapping (needs table and contents: {error})"
        ) from error
    if len(mapping.provenance) > 300:
        raise TableRefused(f"the mapping file {path.name} has a provenance over 300 characters")
    both = set(contents) & mapping.ignore
    if both:
        raise TableRefused(f"the mapping file {path.name} both maps and ignores {sorted(both)[0]}")
    return mapping


def _scale(text: object) -> Decimal:
    try:
        scale = Decimal(str(text))
    except InvalidOperation as error:
        raise ValueError(f"scale {text!r} is not a number") from error
    if not scale.is_finite() or scale == 0:
        raise ValueError(f"scale {text!r} is not a usable factor")
    return scale


def shipped_mappings() -> list[Mapping]:
    return [load_mapping(path) for path in sorted(MAPPINGS_DIR.glob("*.json"))]


def default_mapping(*names: str) -> Mapping:
    """The shipped mapping whose name parts occur, in order, in one of `names` (the table's
    address, the saved file's name, the table id of the metadata)."""
    for name in names:
        parts = tokens(name)
        for mapping in shipped_mappings():
            if any(_contains(parts, match) for match in mapping.matches):
                return mapping
    raise TableRefused(
        "no indicator mapping ships for this table "
        f"({', '.join(_short(name) for name in names if name) or 'no name'}); "
        "give one with --indicator-map FILE"
    )


def _contains(parts: list[str], match: tuple[str, ...]) -> bool:
    size = len(match)
    return size > 0 and any(
        tuple(parts[start : start + size]) == match for start in range(len(parts) - size + 1)
    )


def _short(text: str) -> str:
    return text if len(text) <= 80 else f"…{text[-79:]}"
