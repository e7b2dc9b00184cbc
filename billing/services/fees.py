"""Fees by population tier and dated VAT rates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from municipalities.models import Membership, PopulationFigure

from ..models import FeeSchedule, FeeTier, Invoice, InvoiceStatus, VatRate


class MissingData(Exception):
    """Something needed to invoice a membership is missing; the message says what."""


def vat_rate_on(day: datetime.date) -> Decimal:
    """The general VAT rate in force on a day (dated data)."""
    rate = VatRate.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if rate is None:
        raise MissingData(
            _("No VAT rate is in force on %(date)s.") % {"date": day.strftime("%d.%m.%Y")}
        )
    return rate.rate


def tier_for(schedule: FeeSchedule, population: int) -> FeeTier:
    for tier in schedule.tiers.all():
        if tier.contains(population):
            return tier
    raise MissingData(
        _("The fee schedule of %(season)s has no tier for a population of %(population)d.")
        % {"season": schedule.season.slug, "population": population}
    )


def population_for_fee(membership: Membership, year: int) -> PopulationFigure:
    """The fee for year Y uses the official population on 31 December of Y-1."""
    reference_date = datetime.date(year - 1, 12, 31)
    figure = PopulationFigure.objects.filter(
        municipality_id=membership.municipality_id, reference_date=reference_date
    ).first()
    if figure is None:
        raise MissingData(
            _("no official population on %(date)s; add the population figure in the admin")
            % {"date": reference_date.strftime("%d.%m.%Y")}
        )
    return figure


def schedule_is_locked(schedule: FeeSchedule) -> bool:
    """A season's fee schedule is frozen once the season's first invoice is issued."""
    return (
        Invoice.objects.filter(membership__season_id=schedule.season_id)
        .exclude(status=InvoiceStatus.DRAFT)
        .exists()
    )


def check_tiers(tiers: list[tuple[int, int | None]]) -> None:
    """Tiers (min, max) cover 0… without gaps or overlaps, the last one open-ended."""
    ordered = sorted(tiers)
    expected_start = 0
    for index, (low, high) in enumerate(ordered):
        if low != expected_start:
            raise ValidationError(
                _("The tiers must cover every population without gaps or overlaps (check %(low)d).")
                % {"low": low}
            )
        last = index == len(ordered) - 1
        if high is None and not last:
            raise ValidationError(_("Only the highest tier may be open-ended."))
        if high is not None:
            expected_start = high + 1
    if ordered and ordered[-1][1] is not None:
        raise ValidationError(_("The highest tier must be open-ended (no upper bound)."))
