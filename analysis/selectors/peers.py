"""The comparison group ("similar municipalities"): a rule (population, grouping, region, fee
tier, neighbours) and the reader's changes to it (municipalities added and removed)."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality, PopulationFigure, Season

from ..models import Neighbour


class PeerGroup(models.TextChoices):
    POPULATION = "population", _("Population within ±50 %")
    GROUPING = "grouping", _("Same statistical grouping (urban / semi-urban / rural)")
    REGION = "region", _("Same region")
    FEE_TIER = "fee_tier", _("Same fee tier")
    NEIGHBOURS = "neighbours", _("Neighbouring municipalities")


DEFAULT_PEER_GROUP = PeerGroup.POPULATION
MAX_EDITS = 60  # municipalities added or removed in one request; the rest is ignored
MAX_ENTRY = 80  # characters of one name or code


@dataclass(frozen=True)
class PeerEdits:
    """The reader's changes to the group, as typed (codes or names, comma-separated)."""

    add: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()

    @classmethod
    def parse(cls, add: list[str], drop: list[str]) -> PeerEdits:
        return cls(tuple(_entries(add)), tuple(_entries(drop)))


NO_EDITS = PeerEdits()


def _entries(values: list[str]) -> list[str]:
    entries: list[str] = []
    for value in values[:MAX_EDITS]:
        for part in re.split(r"[,;\n]", value[: MAX_EDITS * MAX_ENTRY]):
            text = "".join(ch for ch in part if unicodedata.category(ch)[0] != "C").strip()
            if text and text not in entries:
                entries.append(text[:MAX_ENTRY])
    return entries[:MAX_EDITS]


@dataclass
class PeerList:
    group: str
    municipalities: list[Municipality]
    added: list[Municipality] = field(default_factory=list)
    removed: list[Municipality] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # entries that name no municipality


def latest_populations() -> dict[int, int]:
    populations: dict[int, tuple[datetime.date, int]] = {}
    for municipality_id, day, population in PopulationFigure.objects.values_list(
        "municipality_id", "reference_date", "population"
    ):
        if municipality_id not in populations or day > populations[municipality_id][0]:
            populations[municipality_id] = (day, population)
    return {key: population for key, (_day, population) in populations.items()}


def _fee_tiers(season: Season | None) -> list:
    from billing.models import FeeTier

    if season is None:
        return []
    return list(FeeTier.objects.filter(schedule__season=season))


def neighbour_ids(municipality: Municipality) -> set[int]:
    """Both directions: a border listed by either municipality's source row."""
    ids = set()
    for a, b in Neighbour.objects.filter(
        Q(municipality=municipality) | Q(neighbour=municipality)
    ).values_list("municipality_id", "neighbour_id"):
        ids.add(b if a == municipality.pk else a)
    ids.discard(municipality.pk)
    return ids


def _rule(
    municipality: Municipality,
    group: str,
    members: set[int],
    season: Season | None,
    everyone: list[Municipality],
) -> list[Municipality]:
    if group == PeerGroup.NEIGHBOURS:  # every neighbour, members too: the region around it
        ids = neighbour_ids(municipality)
        return [m for m in everyone if m.pk in ids]
    candidates = [m for m in everyone if m.pk != municipality.pk and m.pk not in members]
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
        own_tier = next((tier for tier in _fee_tiers(season) if tier.contains(own)), None)
        if own_tier is None:
            return []
        return [
            m for m in candidates if m.pk in populations and own_tier.contains(populations[m.pk])
        ]
    low, high = Decimal(own) * Decimal("0.5"), Decimal(own) * Decimal("1.5")
    return [m for m in candidates if m.pk in populations and low <= populations[m.pk] <= high]


def _lookup(everyone: list[Municipality]) -> dict[str, Municipality]:
    index: dict[str, Municipality] = {}
    for m in everyone:
        for key in (m.code, m.name_fi, m.name_sv):
            if key:
                index.setdefault(key.casefold(), m)
    return index


def peer_list(
    municipality: Municipality,
    group: str,
    members: set[int],
    season: Season | None,
    edits: PeerEdits | None = None,
) -> PeerList:
    """The group's municipalities (the municipality itself never), with the reader's edits:
    an added one joins even if the rule leaves it out, a removed one leaves; an entry that
    names no municipality is ignored and reported."""
    edits = edits or NO_EDITS
    everyone = list(Municipality.objects.order_by("name_fi"))
    chosen = _rule(municipality, group, members, season, everyone)
    index = _lookup(everyone)
    result = PeerList(group=group, municipalities=[])
    ids = {m.pk for m in chosen}
    for entry in edits.drop:
        found = index.get(entry.casefold())
        if found is None:
            result.ignored.append(entry)
        elif found.pk in ids:
            ids.discard(found.pk)
            result.removed.append(found)
    for entry in edits.add:
        found = index.get(entry.casefold())
        if found is None:
            result.ignored.append(entry)
        elif found.pk != municipality.pk and found.pk not in ids:
            ids.add(found.pk)
            result.added.append(found)
    result.municipalities = [m for m in everyone if m.pk in ids]
    return result


def peers_of(
    municipality: Municipality, group: str, members: set[int], season: Season | None
) -> list[Municipality]:
    """The rule's municipalities, without edits."""
    return peer_list(municipality, group, members, season).municipalities
