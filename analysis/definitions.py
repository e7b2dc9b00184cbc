"""Indicator definitions as data: `data/indicator_definitions.csv` read into `Indicator` rows.

Used by migration 0004 (with the historical model) and by `manage.py
import_indicator_definitions`. The file's perspectives, directions and units are mapped to the
project's (`governance` is leadership and participation; a unit text such as "EUR per inhabitant
(31 Dec population)" becomes the unit code `eur_per_inhabitant`, labelled per language in
`models.UNIT_LABELS`). The file's source and licence texts are English with provenance codes
(data/SOURCES.md); each language gets its own text built from the codes, so a Finnish page never
shows the English one.

Perspective, direction, headline and position are editorial: the first load sets them (the
headline indicators below are the ones a municipality's leadership reads first); a later import
keeps what staff changed in the admin unless asked to overwrite.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from municipalities.importers import ImportRejected, RowError

DEFINITIONS_CSV = Path(__file__).resolve().parent / "data" / "indicator_definitions.csv"

COLUMNS = ("indicator", "name_fi", "name_sv", "name_en", "perspective", "unit", "decimals",
           "direction", "source_name", "licence", "sv_unverified")  # fmt: skip

PERSPECTIVES = {
    "vitality": "vitality",
    "population": "population",
    "wellbeing": "wellbeing",
    "finances": "finances",
    "governance": "leadership",
    "leadership": "leadership",
    "sustainability": "sustainability",
}
DIRECTIONS = {"higher_better": "higher", "lower_better": "lower", "neutral": "neutral",
              "higher": "higher", "lower": "lower"}  # fmt: skip

# unit text of the file -> unit code (labels per language: models.UNIT_LABELS)
UNITS = {
    "%": "pct",
    "% (employed aged 18-64 / population aged 18-64)": "pct_aged_18_64",
    "% change vs previous 31 Dec": "pct_change",
    "% of candidates": "pct_candidates",
    "% of employed residents": "pct_employed_residents",
    "% of households": "pct_households",
    "% of jobs": "pct_jobs",
    "% of labour force (employment statistics, end of year)": "pct_labour_force",
    "% of population": "pct_population",
    "% of population aged 15+": "pct_aged_15_plus",
    "% of population living in urban settlements": "pct_urban_population",
    "% of total floor area": "pct_floor_area",
    "EUR per inhabitant": "eur_per_inhabitant",
    "EUR per inhabitant (31 Dec population)": "eur_per_inhabitant",
    "families": "families",
    "households": "households",
    "jobs": "jobs",
    "jobs per 100 employed residents": "jobs_per_100_employed",
    "m2": "m2",
    "million EUR": "meur",
    "million EUR (31 Dec)": "meur",
    "non-employed per 100 employed": "non_employed_per_100_employed",
    "persons": "persons",
    "persons (31 Dec)": "persons",
    "persons aged 0-14 and 65+ per 100 aged 15-64": "dependants_per_100",
}

# The indicators a municipality's leadership reads first, per perspective (1..4), each with data
# for (nearly) every municipality in its latest year.
HEADLINES = {
    "annual_contribution_margin_eur_per_inhabitant": 1,  # finances, 2019: 309
    "loan_stock_eur_per_inhabitant": 2,  # 2020: 309
    "relative_indebtedness_pct": 3,  # 2020: 308
    "tax_revenue_eur_per_inhabitant": 4,  # 2019: 309
    "population": 1,  # population, 2021: 309
    "population_change_pct": 2,  # 2021: 309
    "demographic_dependency_ratio": 3,  # 2019: 309
    "population_share_65_plus_pct": 4,  # 2019: 309
    "jobs_self_sufficiency_pct": 1,  # vitality, 2016: 309
    "employment_rate_pct": 2,  # 2016: 307
    "unemployed_share_of_labour_force_pct": 3,  # 2016: 307
    "tertiary_qualification_share_pct": 1,  # wellbeing, 2017: 307
    "upper_secondary_or_higher_qualification_share_pct": 2,  # 2017: 307
    "municipal_election_2021_turnout_pct": 1,  # leadership, 2021: 292 (Åland votes apart)
    "municipal_election_2021_candidates_women_share_pct": 2,  # 2021: 293
    "building_floor_area_share_heating_district_heat_pct": 1,  # sustainability, 2019: 309
    "building_floor_area_share_heating_oil_gas_pct": 2,  # 2019: 309
    "building_floor_area_share_heating_ground_source_heat_pct": 3,  # 2019: 309
    "urbanisation_degree_pct": 4,  # 2017: 307
}
# Editorial changes to the file's perspective: the urban structure is read as sustainable
# development (community structure), not as population.
PERSPECTIVE_OVERRIDES = {"urbanisation_degree_pct": "sustainability"}

# Provenance code (data/SOURCES.md) -> the publication in Finnish, Swedish, English
PUBLICATIONS = {
    "H": ("Tilastokeskus, Kuntien avainluvut", "Statistikcentralen, Kommunernas nyckeltal",
          "Statistics Finland, municipal key figures (Kuntien avainluvut)"),
    "T1": ("Tilastokeskus, StatFin väestörakenne (11re)",
           "Statistikcentralen, StatFin befolkningsstruktur (11re)",
           "Statistics Finland, StatFin population structure (11re)"),
    "T2": ("Tilastokeskus, kuntien talous, tilinpäätökset (kta_11)",
           "Statistikcentralen, kommunernas ekonomi, bokslut (kta_11)",
           "Statistics Finland, municipal finances, financial statements (kta_11)"),
    "T3": ("Tilastokeskus, kuntien talouden tunnusluvut 2020 (kta_19)",
           "Statistikcentralen, kommunernas ekonomiska nyckeltal 2020 (kta_19)",
           "Statistics Finland, municipal finances key figures 2020 (kta_19)"),
    "T4": ("Tilastokeskus, StatFin rakennukset lämmitysaineen mukaan (116h)",
           "Statistikcentralen, StatFin byggnader efter uppvärmningsbränsle (116h)",
           "Statistics Finland, StatFin buildings by heating fuel (116h)"),
    "S2": ("THL Sotkanet, indikaattori 127 (tiedontuottaja Tilastokeskus)",
           "THL Sotkanet, indikator 127 (dataproducent Statistikcentralen)",
           "THL Sotkanet, indicator 127 (data producer Statistics Finland)"),
    "S7": ("Tilastokeskus, kuntavaalit 2021 (12x4, 12xf)",
           "Statistikcentralen, kommunalvalet 2021 (12x4, 12xf)",
           "Statistics Finland, municipal elections 2021 (12x4, 12xf)"),
    "S8": ("Ylöjärven kaupungin tiedotteet tilinpäätöksistä",
           "Ylöjärvi stads meddelanden om bokslut",
           "City of Ylöjärvi, press releases on the financial statements"),
    "S9": ("Oivaseutu 26.3.2021", "Oivaseutu 26.3.2021", "Oivaseutu (local newspaper) 26.3.2021"),
    "S10": ("Lappeenrannan kaupungin tunnusluvut 31.12.2021",
            "Villmanstrands stads nyckeltal 31.12.2021",
            "City of Lappeenranta, key figures 31.12.2021"),
}  # fmt: skip
DERIVED = ("laskettu", "beräknat", "derived")
CODE = re.compile(r"\b(H[12]|T[1-4]|S(?:10|[2789]))\b")

CC_BY_SF = (
    "CC BY 4.0 (Tilastokeskus)",
    "CC BY 4.0 (Statistikcentralen)",
    "CC BY 4.0 (Statistics Finland)",
)
PUBLIC = (
    "julkinen tieto, lähde mainitaan",
    "offentlig information, källan anges",
    "public information, the source is cited",
)
SOTKANET = ("THL Sotkanet: lähde mainittava", "THL Sotkanet: källan ska anges",
            "THL Sotkanet: the source must be cited")  # fmt: skip


@dataclass(frozen=True)
class Definition:
    line: int
    code: str
    names: tuple[str, str, str]
    perspective: str
    unit: str
    decimals: int
    direction: str
    sources: tuple[str, str, str]
    licences: tuple[str, str, str]
    sv_unverified: bool
    headline: int
    position: int


@dataclass
class DefinitionsResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def source_texts(source_name: str) -> tuple[str, str, str]:
    """The source of an indicator in Finnish, Swedish and English, from the provenance codes
    named in the file's English text ("…(H1 2006-2016, H2 2017); derived from T2 …")."""
    parts: list[tuple[str, str, str]] = []
    for part in source_name.split(";"):
        keys = []
        for code in CODE.findall(part):
            key = "H" if code.startswith("H") else code
            if key not in keys:
                keys.append(key)
        derived = part.strip().lower().startswith("derived")
        for key in keys:
            texts = PUBLICATIONS[key]
            if derived:
                texts = tuple(f"{word} ({text})" for word, text in zip(DERIVED, texts, strict=True))
            if texts not in parts:
                parts.append(texts)
    if not parts:
        return ("", "", "")
    return tuple("; ".join(texts[language] for texts in parts) for language in range(3))  # type: ignore[return-value]


def licence_texts(licence: str) -> tuple[str, str, str]:
    pieces = []
    if "CC BY 4.0" in licence:
        pieces.append(CC_BY_SF)
    if "Sotkanet" in licence:
        pieces.append(SOTKANET)
    if "not stated" in licence:
        pieces.append(
            tuple(
                f"{who}: {text}"
                for who, text in zip(
                    (
                        "kaupunkien ja lehden julkaisut",
                        "städernas och tidningens publikationer",
                        "city and newspaper publications",
                    ),
                    PUBLIC,
                    strict=True,
                )
            )
            if pieces
            else tuple(text[0].upper() + text[1:] for text in PUBLIC)
        )
    return tuple("; ".join(piece[language] for piece in pieces) for language in range(3))  # type: ignore[return-value]


def read_definitions(path: Path = DEFINITIONS_CSV) -> list[Definition]:
    """Every definition of the file, or ImportRejected naming each bad line and column."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportRejected(
            [RowError(0, "", f"the file cannot be read as UTF-8 ({error})")]
        ) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise ImportRejected(
            [RowError(1, name, "this required column is missing") for name in missing]
        )
    errors: list[RowError] = []
    definitions: list[Definition] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(reader):
        line = reader.line_num
        values = {key: (row.get(key) or "").strip() for key in COLUMNS}
        before = len(errors)
        code = values["indicator"]
        if not re.fullmatch(r"[a-z0-9_-]{1,80}", code):
            errors.append(RowError(line, "indicator", f"“{code[:80]}” is not an indicator code"))
        elif code in seen:
            errors.append(
                RowError(line, "indicator", f"“{code}” already appeared on line {seen[code]}")
            )
        seen.setdefault(code, line)
        for column, text in values.items():
            if "\x00" in text or len(text) > 2000:
                errors.append(
                    RowError(line, column, "the value has a NUL character or is too long")
                )
        for column, limit in (("name_fi", 200), ("name_sv", 200), ("name_en", 200)):
            if not values["name_fi"] or len(values[column]) > limit:
                errors.append(RowError(line, column, f"the name is empty or longer than {limit}"))
        perspective = PERSPECTIVES.get(values["perspective"])
        if perspective is None:
            errors.append(
                RowError(
                    line, "perspective", f"“{values['perspective'][:40]}” is not a perspective"
                )
            )
        direction = DIRECTIONS.get(values["direction"])
        if direction is None:
            errors.append(
                RowError(line, "direction", f"“{values['direction'][:40]}” is not a direction")
            )
        unit = UNITS.get(values["unit"])
        if unit is None:
            errors.append(RowError(line, "unit", f"“{values['unit'][:80]}” is not a known unit"))
        decimals = values["decimals"]
        if not (decimals.isascii() and decimals.isdigit() and int(decimals) <= 4):
            errors.append(RowError(line, "decimals", f"“{decimals[:10]}” is not 0–4"))
        if values["sv_unverified"] not in ("true", "false"):
            errors.append(RowError(line, "sv_unverified", "use true or false"))
        sources = source_texts(values["source_name"])
        if not sources[0]:
            errors.append(RowError(line, "source_name", "names no known source (data/SOURCES.md)"))
        licences = licence_texts(values["licence"])
        if not licences[0]:
            errors.append(RowError(line, "licence", "names no known licence"))
        if len(errors) == before:
            headline = HEADLINES.get(code, 0)
            definitions.append(
                Definition(
                    line=line, code=code,
                    names=(values["name_fi"], values["name_sv"], values["name_en"]),
                    perspective=PERSPECTIVE_OVERRIDES.get(code, perspective), unit=unit,
                    decimals=int(decimals), direction=direction, sources=sources,
                    licences=licences, sv_unverified=values["sv_unverified"] == "true",
                    headline=headline, position=headline or 10 + index,
                )
            )  # fmt: skip
    if not definitions and not errors:
        errors.append(RowError(0, "", "the file has no rows"))
    if errors:
        raise ImportRejected(errors)
    return definitions


FACTS = ("name_fi", "name_sv", "name_en", "unit", "decimals", "source_fi", "source_sv",
         "source_en", "licence_fi", "licence_sv", "licence_en", "sv_unverified")  # fmt: skip
EDITORIAL = ("perspective", "direction", "headline", "position")


def fields_of(definition: Definition) -> dict[str, object]:
    return {
        "name_fi": definition.names[0], "name_sv": definition.names[1],
        "name_en": definition.names[2], "unit": definition.unit,
        "decimals": definition.decimals, "source_fi": definition.sources[0],
        "source_sv": definition.sources[1], "source_en": definition.sources[2],
        "licence_fi": definition.licences[0], "licence_sv": definition.licences[1],
        "licence_en": definition.licences[2], "sv_unverified": definition.sv_unverified,
        "perspective": definition.perspective, "direction": definition.direction,
        "headline": definition.headline, "position": definition.position,
    }  # fmt: skip


def store_definitions(
    indicator_model, definitions: list[Definition], *, overwrite: bool
) -> DefinitionsResult:
    """Create the missing indicators; update the facts (names, unit, decimals, sources,
    licences) of the others, and their editorial fields only with `overwrite`. Takes the model
    class, so that a migration passes its historical one. The caller holds the transaction."""
    result = DefinitionsResult()
    existing = {row.code: row for row in indicator_model.objects.all()}
    for definition in definitions:
        fields = fields_of(definition)
        row = existing.get(definition.code)
        if row is None:
            indicator_model.objects.create(code=definition.code, **fields)
            result.created += 1
            continue
        names = FACTS + (EDITORIAL if overwrite else ())
        changed = [name for name in names if getattr(row, name) != fields[name]]
        if changed:
            for name in changed:
                setattr(row, name, fields[name])
            row.save(update_fields=changed)
            result.updated += 1
        else:
            result.unchanged += 1
    return result
