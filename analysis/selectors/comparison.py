"""A municipality compared with the network and its comparison group, indicator by indicator.

The values read are those of the municipality, the season's members and the comparison group
only (one query); the all-municipalities medians come from the precomputed `NationalStatistic`
rows (one query). Missing values stay missing (never zero) and every statistic has its coverage.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import CharField
from django.db.models.functions import Cast

from municipalities.models import Membership, Municipality, Season

from ..models import Indicator, IndicatorValue, NationalStatistic, Perspective
from .network import headline_indicators
from .peers import NO_EDITS, PeerEdits, PeerList, peer_list
from .stats import (
    GroupStats,
    Position,
    Trend,
    change_over,
    group_stats,
    position_of,
    rank_of,
    trend_of,
)

FIRST_YEAR = 2006  # the series start here (or where the data starts, if later)


@dataclass
class Comparison:
    indicator: Indicator
    year: int | None
    value: Decimal | None
    rank: int | None  # among the members with a value
    network: GroupStats
    peers: GroupStats
    national: GroupStats
    peer_rank: int | None = None  # among the group's municipalities with a value, this one too
    network_position: Position | None = None
    peers_position: Position | None = None
    first_year: int | None = None
    first_value: Decimal | None = None
    change: Decimal | None = None
    change_pct: Decimal | None = None
    change_5: Decimal | None = None
    change_10: Decimal | None = None
    years_covered: int = 0  # years with a value of the municipality
    trend: Trend | None = None
    rows: list[dict] = field(default_factory=list)  # per year: own and the three medians

    @property
    def peer_rank_size(self) -> int:
        return self.peers.count + (1 if self.value is not None else 0)


@dataclass
class Context:
    """Everything the comparisons need, loaded once."""

    municipality: Municipality
    season: Season | None
    peer_group: str
    members: set[int]
    peer_list: PeerList
    values: dict[int, dict[int, dict[int, Decimal]]]  # indicator → year → municipality → value
    national: dict[tuple[int, int], tuple[int, Decimal]]  # (indicator, year) → (count, median)
    national_years: dict[int, set[int]]
    all_count: int
    peer_ids: set[int]

    @property
    def peers(self) -> list[Municipality]:
        return self.peer_list.municipalities


def _decimal_values(queryset):
    """(indicator, year, municipality, value) rows, the value read as text: exact, and much
    faster than the backend's float-to-Decimal converter over tens of thousands of rows."""
    # no ORDER BY: the model's ordering joins the municipality and the indicator and sorts tens of
    # thousands of rows that go into dictionaries anyway (half the report's database time)
    rows = (
        queryset.order_by()
        .annotate(text=Cast("value", CharField()))
        .values_list("indicator_id", "year", "municipality_id", "text")
    )
    for indicator_id, year, municipality_id, text in rows:
        yield indicator_id, year, municipality_id, Decimal(text)


def load_context(
    *,
    municipality: Municipality,
    season: Season | None,
    peer_group: str,
    edits: PeerEdits = NO_EDITS,
    indicator_ids: list[int] | None = None,
) -> Context:
    """The values of the municipality, the members and the comparison group (of the given
    indicators, all when None), and the precomputed national statistics."""
    members = (
        set(Membership.objects.filter(season=season).values_list("municipality_id", flat=True))
        if season
        else {municipality.pk}
    )
    peers = peer_list(municipality, peer_group, members, season, edits)
    wanted = members | {m.pk for m in peers.municipalities} | {municipality.pk}
    values: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    chosen = IndicatorValue.objects.preferred().filter(
        municipality_id__in=sorted(wanted), year__gte=FIRST_YEAR
    )
    statistics = NationalStatistic.objects.filter(year__gte=FIRST_YEAR)
    if indicator_ids is not None:
        chosen = chosen.filter(indicator_id__in=indicator_ids)
        statistics = statistics.filter(indicator_id__in=indicator_ids)
    for indicator_id, year, municipality_id, value in _decimal_values(chosen):
        values[indicator_id][year][municipality_id] = value
    national: dict[tuple[int, int], tuple[int, Decimal]] = {}
    national_years: dict[int, set[int]] = defaultdict(set)
    for indicator_id, year, count, median in statistics.values_list(
        "indicator_id", "year", "count", "median"
    ):
        national[(indicator_id, year)] = (count, median)
        national_years[indicator_id].add(year)
    return Context(
        municipality=municipality,
        season=season,
        peer_group=peer_group,
        members=members,
        peer_list=peers,
        values=values,
        national=national,
        national_years=national_years,
        all_count=Municipality.objects.count(),
        peer_ids={m.pk for m in peers.municipalities},
    )


def _national(context: Context, indicator_id: int, year: int | None) -> GroupStats:
    count, median = context.national.get((indicator_id, year), (0, None))
    return GroupStats(context.all_count, count, None, median)


def compare(context: Context, indicator: Indicator, year: int | None = None) -> Comparison:
    by_year = context.values.get(indicator.pk, {})
    own_id = context.municipality.pk
    years = sorted(set(by_year) | context.national_years.get(indicator.pk, set()))
    own = {y: by_year[y][own_id] for y in sorted(by_year) if own_id in by_year[y]}
    if year is None:
        year = max(own) if own else (years[-1] if years else None)
    peer_ids = context.peer_ids

    def stats(day: int | None, ids: set[int]) -> GroupStats:
        current = by_year.get(day, {}) if day is not None else {}
        return group_stats([v for key, v in current.items() if key in ids], len(ids))

    value = own.get(year)
    current = by_year.get(year, {}) if year is not None else {}
    network_values = [v for key, v in current.items() if key in context.members]
    peer_values = [v for key, v in current.items() if key in peer_ids]
    comparison = Comparison(
        indicator=indicator,
        year=year,
        value=value,
        rank=rank_of(value, network_values, indicator.direction)
        if value is not None and own_id in context.members
        else None,
        network=stats(year, context.members),
        peers=stats(year, peer_ids),
        national=_national(context, indicator.pk, year),
    )
    if value is not None:
        comparison.peer_rank = rank_of(value, [*peer_values, value], indicator.direction)
    decimals = indicator.decimals
    comparison.network_position = position_of(value, comparison.network.median, decimals)
    comparison.peers_position = position_of(value, comparison.peers.median, decimals)
    comparison.years_covered = len(own)
    if len(own) >= 2:
        first, last = min(own), max(own)
        comparison.first_year, comparison.first_value = first, own[first]
        comparison.change = own[last] - own[first]
        if comparison.first_value:
            comparison.change_pct = (
                comparison.change / abs(comparison.first_value) * 100
            ).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    comparison.change_5 = change_over(own, year, 5)
    comparison.change_10 = change_over(own, year, 10)
    comparison.trend = trend_of(own)
    for day in years:
        comparison.rows.append(
            {
                "year": day,
                "own": own.get(day),
                "network": stats(day, context.members).median,
                "peers": stats(day, peer_ids).median,
                "national": _national(context, indicator.pk, day).median,
            }
        )
    return comparison


def analysis_for(
    *,
    municipality: Municipality,
    season: Season | None,
    peer_group: str,
    edits: PeerEdits = NO_EDITS,
    headlines_only: bool = False,
) -> tuple[Context, list]:
    """Comparisons of every indicator with data (or of the headline indicators only), grouped
    by the six perspectives (in their order)."""
    indicators = list(Indicator.objects.all())
    if headlines_only:
        indicators = headline_indicators(indicators)
    context = load_context(
        municipality=municipality,
        season=season,
        peer_group=peer_group,
        edits=edits,
        indicator_ids=[i.pk for i in indicators] if headlines_only else None,
    )
    groups = []
    for perspective in Perspective:
        items = [
            compare(context, indicator)
            for indicator in indicators
            if indicator.perspective == perspective
        ]
        groups.append((perspective, [item for item in items if item.rows]))
    return context, groups
