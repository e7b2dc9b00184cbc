"""Reads of the analysis: a municipality compared with the network and similar municipalities.

Everything is computed from one query over the indicator values (and one over municipalities
and memberships), in one pass in Python: never one query per municipality. Missing values stay
missing (never zero) and every statistic carries its coverage.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from municipalities import scoping
from municipalities.models import Membership, Municipality, PopulationFigure, Season, User

from .models import Direction, Indicator, IndicatorValue, Perspective


class PeerGroup(models.TextChoices):
    POPULATION = "population", _("Population within ±50 %")
    GROUPING = "grouping", _("Same statistical grouping (urban / semi-urban / rural)")
    REGION = "region", _("Same region")
    FEE_TIER = "fee_tier", _("Same fee tier")


DEFAULT_PEER_GROUP = PeerGroup.POPULATION


def analyses_visible_to(user: User):
    """Ids of the municipalities whose analysis the user may open: `IndicatorValue`'s rule (a
    contact their own, a consultant those they are responsible for, network staff any)."""
    return scoping.municipalities_visible_to(user, IndicatorValue)


def is_analyst(user: User) -> bool:
    """Staff who read analyses (network staff, consultants); each sees those of their rule."""
    return scoping.may_view(user, IndicatorValue)


def municipality_for(*, user: User, code: str) -> Municipality:
    municipality = Municipality.objects.filter(code=code, pk__in=analyses_visible_to(user)).first()
    if municipality is None:
        raise Http404("No analysis for that municipality.")
    return municipality


def member_list_for(*, user: User, season: Season | None):
    """The season's members whose analyses the user may open."""
    return (
        Membership.objects.filter(season=season, municipality_id__in=analyses_visible_to(user))
        .select_related("municipality")
        .order_by("municipality__name_fi")
    )


def season_for(*, municipality: Municipality, slug: str | None) -> Season | None:
    seasons = Season.objects.filter(memberships__municipality=municipality).order_by("-start_date")
    if slug:
        return seasons.filter(slug=slug).first() or seasons.first()
    return seasons.first()


# --- Statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupStats:
    size: int  # municipalities in the group
    count: int  # of them with a value
    mean: Decimal | None
    median: Decimal | None


def group_stats(values: list[Decimal], size: int) -> GroupStats:
    if not values:
        return GroupStats(size, 0, None, None)
    mean = sum(values, Decimal(0)) / len(values)
    return GroupStats(size, len(values), mean, Decimal(statistics.median(values)))


def rank_of(value: Decimal, values: list[Decimal], direction: str) -> int:
    """1 = best (for neutral indicators: the largest); ties share the better rank."""
    if direction == Direction.LOWER_IS_BETTER:
        return 1 + sum(1 for other in values if other < value)
    return 1 + sum(1 for other in values if other > value)


@dataclass
class Comparison:
    indicator: Indicator
    year: int | None
    value: Decimal | None
    rank: int | None
    network: GroupStats
    peers: GroupStats
    national: GroupStats
    first_year: int | None = None
    first_value: Decimal | None = None
    change: Decimal | None = None
    change_pct: Decimal | None = None
    rows: list[dict] = field(
        default_factory=list
    )  # per year: own, network, peers, national medians


@dataclass
class Context:
    """Everything the comparisons need, loaded once."""

    municipality: Municipality
    season: Season | None
    peer_group: str
    members: set[int]
    peers: list[Municipality]
    values: dict[
        int, dict[int, dict[int, Decimal]]
    ]  # indicator id → year → municipality id → value
    all_count: int


def latest_populations() -> dict[int, int]:
    populations: dict[int, tuple[datetime.date, int]] = {}
    for municipality_id, day, population in PopulationFigure.objects.values_list(
        "municipality_id", "reference_date", "population"
    ):
        if municipality_id not in populations or day > populations[municipality_id][0]:
            populations[municipality_id] = (day, population)
    return {key: population for key, (_day, population) in populations.items()}


def peers_of(
    municipality: Municipality, group: str, members: set[int], season: Season | None
) -> list[Municipality]:
    """Similar municipalities outside the network (the municipality itself excluded)."""
    candidates = [
        m
        for m in Municipality.objects.order_by("name_fi")
        if m.pk != municipality.pk and m.pk not in members
    ]
    if group == PeerGroup.GROUPING:
        return [
            m
            for m in candidates
            if m.statistical_grouping
            and m.statistical_grouping == municipality.statistical_grouping
        ]
    if group == PeerGroup.REGION:
        return [m for m in candidates if m.region_code == municipality.region_code]
    populations = latest_populations()
    own = populations.get(municipality.pk)
    if own is None:
        return []
    if group == PeerGroup.FEE_TIER:
        tiers = _fee_tiers(season)
        own_tier = next((tier for tier in tiers if tier.contains(own)), None)
        if own_tier is None:
            return []
        return [
            m for m in candidates if m.pk in populations and own_tier.contains(populations[m.pk])
        ]
    low, high = Decimal(own) * Decimal("0.5"), Decimal(own) * Decimal("1.5")
    return [m for m in candidates if m.pk in populations and low <= populations[m.pk] <= high]


def _fee_tiers(season: Season | None) -> list:
    from billing.models import FeeTier

    if season is None:
        return []
    return list(FeeTier.objects.filter(schedule__season=season))


def load_context(*, municipality: Municipality, season: Season | None, peer_group: str) -> Context:
    members = (
        set(Membership.objects.filter(season=season).values_list("municipality_id", flat=True))
        if season
        else {municipality.pk}
    )
    values: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    for (
        indicator_id,
        year,
        municipality_id,
        value,
    ) in IndicatorValue.objects.preferred().values_list(
        "indicator_id", "year", "municipality_id", "value"
    ):
        values[indicator_id][year][municipality_id] = value
    return Context(
        municipality=municipality,
        season=season,
        peer_group=peer_group,
        members=members,
        peers=peers_of(municipality, peer_group, members, season),
        values=values,
        all_count=Municipality.objects.count(),
    )


def compare(context: Context, indicator: Indicator, year: int | None = None) -> Comparison:
    by_year = context.values.get(indicator.pk, {})
    own_id = context.municipality.pk
    years = sorted(by_year)
    own_years = [y for y in years if own_id in by_year[y]]
    if year is None:
        year = own_years[-1] if own_years else (years[-1] if years else None)
    peer_ids = {m.pk for m in context.peers}

    def stats(day: int | None, ids: set[int] | None, size: int) -> GroupStats:
        values = by_year.get(day, {}) if day is not None else {}
        chosen = [v for key, v in values.items() if ids is None or key in ids]
        return group_stats(chosen, size)

    current = by_year.get(year, {}) if year is not None else {}
    value = current.get(own_id)
    network_values = [v for key, v in current.items() if key in context.members]
    comparison = Comparison(
        indicator=indicator,
        year=year,
        value=value,
        rank=rank_of(value, network_values, indicator.direction) if value is not None else None,
        network=stats(year, context.members, len(context.members)),
        peers=stats(year, peer_ids, len(peer_ids)),
        national=stats(year, None, context.all_count),
    )
    if len(own_years) >= 2:
        first, last = own_years[0], own_years[-1]
        comparison.first_year, comparison.first_value = first, by_year[first][own_id]
        comparison.change = by_year[last][own_id] - by_year[first][own_id]
        if comparison.first_value:
            comparison.change_pct = (
                comparison.change / abs(comparison.first_value) * 100
            ).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    for day in years:
        comparison.rows.append(
            {
                "year": day,
                "own": by_year[day].get(own_id),
                "network": stats(day, context.members, len(context.members)).median,
                "peers": stats(day, peer_ids, len(peer_ids)).median,
                "national": stats(day, None, context.all_count).median,
            }
        )
    return comparison


def analysis_for(
    *, municipality: Municipality, season: Season | None, peer_group: str
) -> tuple[Context, list]:
    """Comparisons of every indicator, grouped by the six perspectives (in their order)."""
    context = load_context(municipality=municipality, season=season, peer_group=peer_group)
    indicators = list(Indicator.objects.all())
    groups = []
    for perspective in Perspective:
        items = [
            compare(context, indicator)
            for indicator in indicators
            if indicator.perspective == perspective
        ]
        groups.append((perspective, [item for item in items if item.rows]))
    return context, groups


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


def dashboard_panel(user: User, membership) -> dict | None:
    if user.municipality_id is None or membership is None:
        return None
    return {"municipality": membership.municipality}
