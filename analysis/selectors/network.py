"""Reads for network staff: the members side by side, and the members against the rest of
Finland. A fixed number of queries, whatever the number of members and indicators."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count

from municipalities.models import Membership, Municipality, Season, User

from ..models import Indicator, IndicatorValue, Perspective
from .access import member_list_for
from .stats import GroupStats, group_stats, rank_of

FALLBACK_HEADLINES = 2  # per perspective, while no indicator of it is marked as a headline


def network_table(
    *, user: User, season: Season, indicator: Indicator, year: int, sort: str = "name"
) -> list[dict]:
    """The members of a season whose analyses the user may open × one indicator and year, with
    their ranks among all the members (a statistic of the network); two queries in all."""
    memberships = list(member_list_for(user=user, season=season))
    values = dict(
        IndicatorValue.objects.preferred()
        .filter(indicator=indicator, year=year, municipality__memberships__season=season)
        .values_list("municipality_id", "value")
    )
    present = list(values.values())
    rows = [
        {
            "municipality": membership.municipality,
            "value": values.get(membership.municipality_id),
            "rank": rank_of(values[membership.municipality_id], present, indicator.direction)
            if membership.municipality_id in values
            else None,
        }
        for membership in memberships
    ]
    if sort in ("value", "-value"):
        with_value = sorted(
            (r for r in rows if r["value"] is not None),
            key=lambda r: r["value"],
            reverse=sort == "-value",
        )
        rows = with_value + [r for r in rows if r["value"] is None]  # missing values always last
    return rows


def headline_indicators(indicators: list[Indicator]) -> list[Indicator]:
    """Each perspective's headline indicators in order (its first two while none is marked)."""
    chosen = []
    for perspective in Perspective:
        own = [i for i in indicators if i.perspective == perspective]
        marked = sorted((i for i in own if i.headline > 0), key=lambda i: (i.headline, i.code))
        chosen.extend(marked or own[:FALLBACK_HEADLINES])
    return chosen


@dataclass
class Column:
    indicator: Indicator
    year: int | None  # the latest year in which at least half of the members have a value
    members: GroupStats
    others: GroupStats  # the rest of Finland


@dataclass
class Overview:
    season: Season
    columns: list[Column]
    rows: list[dict]  # municipality, cells: list of {"value", "rank"} in the columns' order
    sort: str
    all_count: int
    member_count: int
    sort_keys: list[str] = field(default_factory=list)


def _common_year(counts: dict[int, int], members: int) -> int | None:
    if not counts:
        return None
    enough = [year for year, n in counts.items() if 2 * n >= members]
    if enough:
        return max(enough)
    return max(counts, key=lambda year: (counts[year], year))


def network_overview(*, user: User, season: Season, sort: str = "name") -> Overview:
    """The members the user may open × the headline indicators, each in its latest common
    year, with the ranks among all the members and the members against the rest of Finland."""
    memberships = list(member_list_for(user=user, season=season))
    member_ids = set(
        Membership.objects.filter(season=season).values_list("municipality_id", flat=True)
    )
    indicators = headline_indicators(list(Indicator.objects.all()))
    ids = [indicator.pk for indicator in indicators]
    counts: dict[int, dict[int, int]] = {}
    for row in (
        IndicatorValue.objects.preferred()
        .filter(indicator_id__in=ids, municipality_id__in=sorted(member_ids))
        .values("indicator_id", "year")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.setdefault(row["indicator_id"], {})[row["year"]] = row["n"]
    years = {i.pk: _common_year(counts.get(i.pk, {}), len(member_ids)) for i in indicators}
    values: dict[int, dict[int, Decimal]] = {pk: {} for pk in ids}
    for indicator_id, year, municipality_id, value in (
        IndicatorValue.objects.preferred()
        .filter(indicator_id__in=ids, year__in={y for y in years.values() if y})
        .values_list("indicator_id", "year", "municipality_id", "value")
    ):
        if years[indicator_id] == year:
            values[indicator_id][municipality_id] = value
    all_count = Municipality.objects.count()
    columns = []
    for indicator in indicators:
        by_municipality = values[indicator.pk]
        inside = [v for m, v in by_municipality.items() if m in member_ids]
        outside = [v for m, v in by_municipality.items() if m not in member_ids]
        columns.append(
            Column(
                indicator,
                years[indicator.pk],
                group_stats(inside, len(member_ids)),
                group_stats(outside, all_count - len(member_ids)),
            )
        )
    rows = []
    for membership in memberships:
        cells = []
        for column in columns:
            by_municipality = values[column.indicator.pk]
            value = by_municipality.get(membership.municipality_id)
            present = [v for m, v in by_municipality.items() if m in member_ids]
            rank = (
                rank_of(value, present, column.indicator.direction) if value is not None else None
            )
            cells.append({"value": value, "rank": rank})
        rows.append({"municipality": membership.municipality, "cells": cells})
    sort_keys = ["name"] + [c.indicator.code for c in columns]
    key = sort.removeprefix("-")
    if key != "name" and key in sort_keys:
        index = sort_keys.index(key) - 1
        with_value = [r for r in rows if r["cells"][index]["value"] is not None]
        with_value.sort(key=lambda r: r["cells"][index]["value"], reverse=sort.startswith("-"))
        rows = with_value + [r for r in rows if r["cells"][index]["value"] is None]
    elif sort == "-name":
        rows.reverse()
    else:
        sort = sort if sort in ("name", "-name") else "name"
    return Overview(season, columns, rows, sort, all_count, len(member_ids), sort_keys)
