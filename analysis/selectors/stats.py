"""The statistics of a comparison: medians with their coverage, ranks, the position against a
median, changes over the years and the five-year trend. Exact `Decimal` arithmetic throughout."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..models import Direction

# "Near the median": the difference is at most 2 % of the median's magnitude, or at most half a
# unit of the indicator's last shown decimal (so that two values shown alike are never called
# above and below). Beyond that a value is above or below; the comparison uses the exact values,
# so a value above the median is never called below it.
NEAR_SHARE = Decimal("0.02")
TREND_YEARS = 5  # the trend is fitted over the last five years and needs a value in each


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


class Position(models.TextChoices):
    ABOVE = "above", _("above the median")
    NEAR = "near", _("near the median")
    BELOW = "below", _("below the median")


class Assessment(models.TextChoices):
    """What a position means given the indicator's direction (the colour of a cell)."""

    GOOD = "good", _("better")
    NEUTRAL = "neutral", _("neutral")
    BAD = "bad", _("weaker")


def near_tolerance(median: Decimal, decimals: int) -> Decimal:
    return max(abs(median) * NEAR_SHARE, Decimal(1).scaleb(-decimals) / 2)


def position_of(value: Decimal | None, median: Decimal | None, decimals: int) -> Position | None:
    if value is None or median is None:
        return None
    difference = value - median
    tolerance = near_tolerance(median, decimals)
    if difference > tolerance:
        return Position.ABOVE
    if difference < -tolerance:
        return Position.BELOW
    return Position.NEAR


def assess(position: Position | None, direction: str) -> Assessment | None:
    if position is None:
        return None
    if position == Position.NEAR or direction == Direction.NEUTRAL:
        return Assessment.NEUTRAL
    above = position == Position.ABOVE
    return Assessment.GOOD if above == (direction == Direction.HIGHER_IS_BETTER) else Assessment.BAD


def change_over(points: dict[int, Decimal], year: int | None, years: int) -> Decimal | None:
    """The value of `year` minus the value `years` earlier; None when either is missing."""
    if year is None or year not in points or year - years not in points:
        return None
    return points[year] - points[year - years]


@dataclass(frozen=True)
class Trend:
    """The least-squares line through the last five years' values: a trend, not a forecast."""

    first_year: int
    last_year: int
    slope: Decimal  # per year
    start: Decimal  # the line's value in first_year
    end: Decimal  # and in last_year

    def assessment(self, direction: str, decimals: int) -> Assessment:
        flat = abs(self.end - self.start) <= near_tolerance(self.start, decimals)
        if direction == Direction.NEUTRAL or flat:
            return Assessment.NEUTRAL
        rising = self.slope > 0
        return (
            Assessment.GOOD
            if rising == (direction == Direction.HIGHER_IS_BETTER)
            else Assessment.BAD
        )


def trend_of(points: dict[int, Decimal]) -> Trend | None:
    """The trend over the last `TREND_YEARS` years up to the latest value; None unless every one
    of those years has a value."""
    if not points:
        return None
    last = max(points)
    years = list(range(last - TREND_YEARS + 1, last + 1))
    if any(year not in points for year in years):
        return None
    n = Decimal(len(years))
    mean_x = sum(Decimal(y) for y in years) / n
    mean_y = sum(points[y] for y in years) / n
    sxx = sum((Decimal(y) - mean_x) ** 2 for y in years)
    sxy = sum((Decimal(y) - mean_x) * (points[y] - mean_y) for y in years)
    slope = sxy / sxx
    at = lambda year: mean_y + slope * (Decimal(year) - mean_x)  # noqa: E731
    return Trend(years[0], years[-1], slope, at(years[0]), at(years[-1]))
