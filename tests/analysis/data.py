"""The bundled real data, loaded piecemeal for tests: the indicator definitions of
analysis/data/indicator_definitions.csv (update_or_create, so this works before and after the
migration that loads them) and only the values, municipalities and neighbours a test needs."""

from __future__ import annotations

import csv
import gzip
import io
from functools import cache
from pathlib import Path

from django.core.management import call_command

from analysis.definitions import fields_of, read_definitions
from analysis.importers import parse, store
from analysis.models import Indicator, Neighbour
from municipalities.demo import MUNICIPALITIES_CSV
from municipalities.models import Municipality

DATA = Path(__file__).resolve().parents[2] / "analysis" / "data"
VALUE_FILES = ("indicators.csv", "indicators_2006_2017.csv.gz", "indicators_2018_2021.csv")
# Headline indicators of the tests (the data migration chooses the real ones)
HEADLINES = {
    "annual_contribution_margin_eur_per_inhabitant": 1,
    "loan_stock_eur_per_inhabitant": 2,
    "relative_indebtedness_pct": 3,
    "population_change_pct": 1,
    "demographic_dependency_ratio": 2,
    "employment_rate_pct": 1,
    "unemployed_share_of_labour_force_pct": 2,
    "jobs_self_sufficiency_pct": 3,
    "tertiary_qualification_share_pct": 1,
    "upper_secondary_or_higher_qualification_share_pct": 2,
    "municipal_election_2021_turnout_pct": 1,
    "municipal_election_2021_candidates_women_share_pct": 2,
    "building_floor_area_share_heating_oil_gas_pct": 1,
    "building_floor_area_share_heating_district_heat_pct": 2,
}


def _text(path: Path) -> str:
    raw = path.read_bytes()
    return (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")


@cache
def definitions() -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(_text(DATA / "indicator_definitions.csv")))
    return {row["indicator"]: row for row in rows}


@cache
def value_rows() -> tuple[dict[str, str], ...]:
    rows: list[dict[str, str]] = []
    for name in VALUE_FILES:
        rows.extend(csv.DictReader(io.StringIO(_text(DATA / name), newline="")))
    return tuple(rows)


def csv_values(indicator: str, year: int) -> dict[str, Decimal]:  # noqa: F821
    """Municipality code → value, straight from the bundled files (Statistics Finland's value
    where a city's own figure exists too, as the analysis shows)."""
    from decimal import Decimal

    chosen: dict[str, tuple[bool, Decimal]] = {}
    for row in value_rows():
        if row["indicator"] == indicator and row["year"] == str(year):
            own = row["source"].startswith(("S8", "S9", "S10"))
            code = row["municipality_code"]
            if code not in chosen or (chosen[code][0] and not own):
                chosen[code] = (own, Decimal(row["value"]))
    return {code: value for code, (_own, value) in chosen.items()}


def define(codes=None) -> list[Indicator]:
    """Create or update the named indicators (all 76 when None) as the data migration does
    (analysis.definitions: unit codes, sources and licences per language), with the tests'
    headline marks."""
    chosen = set(definitions()) if codes is None else set(codes)
    indicators = []
    for position, definition in enumerate(
        sorted((d for d in read_definitions() if d.code in chosen), key=lambda d: d.code),
        start=1,
    ):
        fields = fields_of(definition) | {
            "position": position,
            "headline": HEADLINES.get(definition.code, 0),
        }
        indicator, _created = Indicator.objects.update_or_create(
            code=definition.code, defaults=fields
        )
        indicators.append(indicator)
    return indicators


def municipalities() -> None:
    if Municipality.objects.count() < 309:
        call_command("import_municipalities", str(MUNICIPALITIES_CSV), stdout=io.StringIO())


def load(indicators, codes=None) -> int:
    """Store the bundled values of these indicators (of these municipalities, all when None)."""
    wanted = set(indicators)
    codes = set(codes) if codes is not None else None
    define(wanted)
    rows = [
        (number, row)
        for number, row in enumerate(value_rows(), start=2)
        if row["indicator"] in wanted and (codes is None or row["municipality_code"] in codes)
    ]
    # one value per municipality, indicator, year and source (the files repeat a few)
    seen, unique = set(), []
    for number, row in rows:
        key = (row["municipality_code"], row["indicator"], row["year"], row["source"][:3])
        if key not in seen:
            seen.add(key)
            unique.append((number, row))
    by_source: dict[bool, list] = {}
    for number, row in unique:
        by_source.setdefault(row["source"].startswith(("S8", "S9", "S10")), []).append(
            (number, row)
        )
    for part in by_source.values():
        store(parse(part))
    return len(unique)


def neighbours(*codes: str) -> None:
    """The neighbours.csv rows of these municipalities (both directions)."""
    by_code = dict(Municipality.objects.values_list("code", "pk"))
    for row in csv.DictReader(io.StringIO(_text(DATA / "neighbours.csv"))):
        if row["municipality_code"] in codes or row["neighbour_code"] in codes:
            Neighbour.objects.get_or_create(
                municipality_id=by_code[row["municipality_code"]],
                neighbour_id=by_code[row["neighbour_code"]],
                defaults={
                    "confirmed": "one-way" not in row["source"],
                    "source": row["source"][:300],
                },
            )
