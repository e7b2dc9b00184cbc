"""Fees by population tier and dated VAT rates."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from municipalities.models import Membership, Municipality, PopulationFigure, Season
from municipalities.renewal.hooks import FeeQuote, FeeUnavailable

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


def fee_population_date(year: int) -> datetime.date:
    """The fee for year Y uses the official population on 31 December of Y-1."""
    return datetime.date(year - 1, 12, 31)


def population_for_fee(membership: Membership, year: int) -> PopulationFigure:
    """The fee for year Y uses the official population on 31 December of Y-1."""
    return population_for_fee_of(membership.municipality_id, year)


def population_for_fee_of(municipality_id: int, year: int) -> PopulationFigure:
    reference_date = fee_population_date(year)
    figure = PopulationFigure.objects.filter(
        municipality_id=municipality_id, reference_date=reference_date
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


# --- For renewal offers (registered with municipalities.renewal.hooks in BillingConfig.ready) ----


def offer_fee_quote(municipality: Municipality, season: Season, year: int) -> FeeQuote:
    """The annual fee of `year` as the billing run will compute it (`population_for_fee_of`,
    `tier_for`). While the population figure the run will use (31.12. of the year before) is not
    yet published, the latest earlier official figure stands in and the quote is an estimate
    (`FeeQuote.is_estimate`); the offer says so."""
    schedule = FeeSchedule.objects.filter(season=season).prefetch_related("tiers").first()
    if schedule is None:
        raise FeeUnavailable(
            _("The season %(season)s has no fee schedule.") % {"season": season.slug}
        )
    billed_on = fee_population_date(year)
    try:
        figure = population_for_fee_of(municipality.pk, year)
    except MissingData:
        figure = (
            PopulationFigure.objects.filter(
                municipality_id=municipality.pk, reference_date__lt=billed_on
            )
            .order_by("-reference_date")
            .first()
        )
    if figure is None:
        raise FeeUnavailable(
            _("%(municipality)s has no official population figure.")
            % {"municipality": municipality.name}
        )
    try:
        tier = tier_for(schedule, figure.population)
    except MissingData as missing:
        raise FeeUnavailable(str(missing)) from missing
    return FeeQuote(
        year=year,
        population=figure.population,
        population_date=figure.reference_date,
        tier_label=tier.label,
        annual_fee=tier.annual_fee,
        billed_on_date=billed_on,
    )


@transaction.atomic
def fee_schedule_carry_over(source: Season, target: Season) -> FeeSchedule | None:
    """Copy the source season's fee schedule and tiers to the target season as new, editable
    rows; nothing when the target has one already or the source has none."""
    if FeeSchedule.objects.filter(season=target).exists():
        return None
    old = FeeSchedule.objects.filter(season=source).prefetch_related("tiers").first()
    if old is None:
        return None
    schedule = FeeSchedule(season=target, amounts_exclude_vat=old.amounts_exclude_vat)
    schedule.full_clean()
    schedule.save()
    for tier in old.tiers.all():
        copy = FeeTier(
            schedule=schedule,
            min_population=tier.min_population,
            max_population=tier.max_population,
            annual_fee=tier.annual_fee,
        )
        copy.full_clean()
        copy.save()
    return schedule
