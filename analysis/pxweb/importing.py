"""A read table plus its indicator mapping -> validated values, a summary, and the upsert.

Everything is checked before anything is written: one unknown content code, period or value
refuses the whole table (`TableRefused`). Areas that are not municipalities (the whole country
`SSS`, regions, sub-regions) and municipality codes that do not exist (a merged municipality)
are skipped and reported; missing values (`..`, null) are skipped and counted, never zero.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction

from analysis.importers import MAX_VALUE, ParsedValue, store
from analysis.models import Indicator, IndicatorValue, Source
from municipalities.models import Municipality

from .errors import TableRefused
from .formats import MUNICIPALITY_AREA, WHOLE_COUNTRY, Table
from .mapping import Mapping, Target

SOURCE_CODE = "statistics-finland"
YEAR = re.compile(r"\d{4}")
MONTH = re.compile(r"(\d{4})M(\d{2})")
QUARTER = re.compile(r"\d{4}[QK]\d")
MISSING = {"", ".", "..", "...", "....", ".....", "......", "-"}  # PxWeb's symbols
DECIMAL_PLACES = Decimal("0.0001")


@dataclass
class IndicatorCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: int = 0


@dataclass
class Summary:
    table: str
    dry_run: bool
    indicators: dict[str, IndicatorCounts] = field(default_factory=dict)
    whole_country: int = 0
    other_areas: set[str] = field(default_factory=set)
    unknown_municipalities: set[str] = field(default_factory=set)
    other_months: int = 0

    def total(self) -> IndicatorCounts:
        total = IndicatorCounts()
        for counts in self.indicators.values():
            for name in ("created", "updated", "unchanged", "missing"):
                setattr(total, name, getattr(total, name) + getattr(counts, name))
        return total

    def lines(self) -> list[str]:
        lines = [
            f"{code}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged, "
            f"{c.missing} missing skipped"
            for code, c in sorted(self.indicators.items())
        ]
        t = self.total()
        lines.append(
            f"Total ({self.table}): {t.created} created, {t.updated} updated, "
            f"{t.unchanged} unchanged, {t.missing} missing skipped."
        )
        skipped = []
        if self.whole_country:
            skipped.append("the whole country (SSS, not a municipality)")
        if self.other_areas:
            skipped.append(f"{len(self.other_areas)} other areas (regions etc.)")
        if self.unknown_municipalities:
            codes = ", ".join(sorted(self.unknown_municipalities)[:10])
            count = len(self.unknown_municipalities)
            skipped.append(f"{count} unknown municipality codes ({codes})")
        if self.other_months:
            skipped.append(f"{self.other_months} periods of other months")
        if skipped:
            lines.append("Skipped: " + "; ".join(skipped) + ".")
        if self.dry_run:
            lines.append("Dry run: nothing was written.")
        return lines


def import_table(table: Table, mapping: Mapping, *, dry_run: bool = False) -> Summary:
    summary = Summary(mapping.table, dry_run)
    parsed, codes_by_id = _parse(table, mapping, summary)
    with transaction.atomic():
        _count_changes(parsed, codes_by_id, summary)
        if not dry_run:
            store(parsed)
    return summary


def _parse(
    table: Table, mapping: Mapping, summary: Summary
) -> tuple[list[ParsedValue], dict[int, str]]:
    if not mapping.contents:
        raise TableRefused(
            f"the mapping {mapping.path.name} maps no content code of {mapping.table} to an "
            "indicator yet (see its note)"
        )
    targets = {key: _resolve(key, mapping) for key in table.content_keys()}
    years = {period: _year(period, mapping) for period in table.time.values}
    indicators = dict(
        Indicator.objects.filter(
            code__in={target.indicator for target in mapping.contents.values()}
        ).values_list("code", "pk")
    )
    for target in mapping.contents.values():
        if target.indicator not in indicators:
            raise TableRefused(
                f"the indicator {_short(target.indicator)} of {mapping.path.name} is not defined"
            )
    source = Source.objects.filter(code=SOURCE_CODE).values_list("pk", flat=True).first()
    if source is None:
        raise TableRefused(f"the source {SOURCE_CODE} is not defined (run the migrations)")
    municipalities = dict(Municipality.objects.values_list("code", "pk"))
    codes_by_id = {pk: code for code, pk in indicators.items()}
    for target in mapping.contents.values():
        summary.indicators.setdefault(target.indicator, IndicatorCounts())

    parsed: list[ParsedValue] = []
    seen: dict[tuple[int, int, int], str] = {}
    other_months: set[str] = set()
    for line, cell in enumerate(table.cells, start=1):
        target = targets[cell.content]
        if target is None:  # an ignored content code
            continue
        municipality = _municipality(cell.area, municipalities, summary)
        year = years[cell.period]
        if year is None:
            other_months.add(cell.period)
            continue
        if municipality is None:
            continue
        value = _value(cell.value, cell)
        if value is None:
            summary.indicators[target.indicator].missing += 1
            continue
        value = (value * target.scale).quantize(DECIMAL_PLACES)
        if abs(value) >= MAX_VALUE:
            raise TableRefused(f"the value of {cell.area} {cell.period} is too big")
        key = (municipality, indicators[target.indicator], year)
        if key in seen:
            raise TableRefused(
                f"two values for {cell.area} {target.indicator} {year} "
                f"({_short(seen[key])} and {_short(cell.content)})"
            )
        seen[key] = cell.content
        parsed.append(
            ParsedValue(line, municipality, key[1], year, value, mapping.provenance, source)
        )
    summary.other_months = len(other_months)
    if not parsed and not summary.total().missing:
        raise TableRefused(f"the table {mapping.table} has no value for any known municipality")
    return parsed, codes_by_id


def _resolve(key: str, mapping: Mapping) -> Target | None:
    """The target of a content key (None: ignored). A key of several codes that the mapping
    does not name as a whole resolves through the one code of it that the mapping knows (a
    variable of one value, such as an eliminated ContentsCode, is part of the key then)."""
    if key in mapping.contents:
        return mapping.contents[key]
    if key in mapping.ignore:
        return None
    known = [part for part in key.split("|") if part in mapping.contents or part in mapping.ignore]
    if len(known) == 1:
        return mapping.contents.get(known[0])
    raise TableRefused(
        f"unknown content code {_short(key)} in table {mapping.table}: "
        f"map or ignore it in {mapping.path.name}"
    )


def _year(period: str, mapping: Mapping) -> int | None:
    """The year of a period; None for a month other than the mapping's `year_from_month`."""
    if YEAR.fullmatch(period):
        year = int(period)
    elif match := MONTH.fullmatch(period):
        if mapping.year_from_month is None:
            raise TableRefused(f"monthly periods ({_short(period)}) where years are expected")
        if match.group(2) != mapping.year_from_month:
            return None
        year = int(match.group(1))
    elif QUARTER.fullmatch(period):
        raise TableRefused(f"quarterly periods ({_short(period)}) where years are expected")
    else:
        raise TableRefused(f"the period {_short(period)} is not a year")
    if not 1900 <= year <= 2100:
        raise TableRefused(f"the year {year} is out of range")
    return year


def _municipality(area: str, municipalities: dict[str, int], summary: Summary) -> int | None:
    if area == WHOLE_COUNTRY:
        summary.whole_country = 1
        return None
    match = MUNICIPALITY_AREA.fullmatch(area)
    if match is None:
        summary.other_areas.add(area)
        return None
    pk = municipalities.get(match.group(1))
    if pk is None:
        summary.unknown_municipalities.add(match.group(1))
    return pk


def _value(raw: object, cell) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise TableRefused(f"the value of {cell.area} {cell.period} is not a number")
    if isinstance(raw, int | float):
        raw = repr(raw)
    if not isinstance(raw, str):
        raise TableRefused(f"the value of {cell.area} {cell.period} is not a number")
    text = raw.strip()
    if text in MISSING:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise TableRefused(
            f"the value {_short(text)} of {_short(cell.area)} {_short(cell.period)} is not a number"
        ) from error
    if not number.is_finite():
        raise TableRefused(f"the value of {cell.area} {cell.period} is not a finite number")
    return number


def _count_changes(parsed: list[ParsedValue], codes: dict[int, str], summary: Summary) -> None:
    existing = {
        (m, i, y): (value, source)
        for m, i, y, value, source in IndicatorValue.objects.filter(
            indicator_id__in={value.indicator_id for value in parsed},
            data_source_id__in={value.data_source_id for value in parsed},
        ).values_list("municipality_id", "indicator_id", "year", "value", "source")
    }
    kinds: Counter[tuple[str, str]] = Counter()
    for value in parsed:
        before = existing.get((value.municipality_id, value.indicator_id, value.year))
        if before is None:
            kind = "created"
        elif before != (value.value, value.source):
            kind = "updated"
        else:
            kind = "unchanged"
        kinds[(codes[value.indicator_id], kind)] += 1
    for (code, kind), count in kinds.items():
        counts = summary.indicators[code]
        setattr(counts, kind, getattr(counts, kind) + count)


def _short(text: object) -> str:
    text = str(text)
    return text if len(text) <= 60 else f"{text[:57]}…"
