"""Billing runs: draft annual-fee invoices of a season's members for a year, and draft
travel-cost invoices for approved costs not yet invoiced. Idempotent and safe to run twice at
once: each membership is handled under its row lock, and the database refuses a second annual-fee
invoice or a travel cost on two invoices."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from municipalities.models import Membership, MembershipStatus, Season, User

from ..models import (
    FeeSchedule,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    TravelCost,
    TravelCostStatus,
)
from ..money import cents
from .checks import travel_cost_date_problem
from .fees import MissingData, population_for_fee, tier_for, vat_rate_on
from .issuing import default_series


@dataclass
class RunResult:
    fee_invoices_created: int = 0
    fee_invoices_existing: int = 0
    travel_invoices_touched: int = 0
    travel_lines_added: int = 0
    problems: list[str] = field(default_factory=list)


def members_in_year(season: Season, year: int):
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        Membership.objects.filter(season=season, joined_on__lte=end)
        .filter(Q(status=MembershipStatus.ACTIVE) | Q(ended_on__gte=start))
        .select_related("municipality", "season")
        .order_by("municipality__code")
    )


def billing_run(*, season: Season, year: int) -> RunResult:
    if year not in season.years:
        raise ValidationError(
            _("The season %(season)s covers %(years)s, not %(year)d.")
            % {"season": season.slug, "years": "–".join(map(str, season.years)), "year": year}
        )
    result = RunResult()
    schedule = FeeSchedule.objects.filter(season=season).prefetch_related("tiers").first()
    for membership in members_in_year(season, year):
        label = f"{membership.municipality.name_fi} ({membership.municipality.code})"
        if schedule is None:
            missing = _("the season has no fee schedule; add it in the admin")
            result.problems.append(f"{label}: {missing}")
            continue
        try:
            created = _annual_fee_draft(membership, schedule, year)
        except MissingData as missing:
            result.problems.append(f"{label}: {missing}")
        else:
            if created:
                result.fee_invoices_created += 1
            else:
                result.fee_invoices_existing += 1
        for cost, problem in travel_costs_refused(membership=membership):
            result.problems.append(
                _("%(membership)s: travel cost %(cost)s not invoiced: %(problem)s")
                % {"membership": label, "cost": cost, "problem": problem}
            )
        added = travel_cost_drafts(membership=membership)
        if added:
            result.travel_invoices_touched += 1
            result.travel_lines_added += added
    return result


def line_unit(language: str) -> str:
    """The unit of a one-off invoice line in the invoice's language (fi "kpl", sv "st"), stored
    on the line as printed; the Finvoice maps each of them to the UN/ECE code C62."""
    with translation.override(language):
        return pgettext("invoice unit", "pcs")


def _fee_description(year: int, figure, tier, language: str) -> tuple[str, str]:
    with translation.override(language):
        description = _("USO network participation fee %(year)d") % {"year": year}
        details = _("Population on %(date)s: %(population)s (tier %(tier)s inhabitants)") % {
            "date": figure.reference_date.strftime("%d.%m.%Y"),
            "population": f"{figure.population:,}".replace(",", " "),
            "tier": tier.label,
        }
    return description, details


@transaction.atomic
def _annual_fee_draft(membership: Membership, schedule: FeeSchedule, year: int) -> bool:
    Membership.objects.select_for_update().get(pk=membership.pk)
    exists = (
        Invoice.objects.filter(membership=membership, year=year, kind=InvoiceKind.ANNUAL_FEE)
        .exclude(status=InvoiceStatus.CREDITED)
        .exists()
    )
    if exists:
        return False
    figure = population_for_fee(membership, year)
    tier = tier_for(schedule, figure.population)
    period_end = datetime.date(year, 12, 31)
    rate = vat_rate_on(period_end)  # supply date of a period fee: the end of the period
    fee = cents(tier.annual_fee)
    if not schedule.amounts_exclude_vat:
        fee = cents(fee * 100 / (100 + rate))
    description, details = _fee_description(
        year, figure, tier, membership.municipality.preferred_language
    )
    invoice = Invoice.objects.create(
        kind=InvoiceKind.ANNUAL_FEE, membership=membership, year=year, series=default_series()
    )
    InvoiceLine.objects.create(
        invoice=invoice,
        position=1,
        description=description,
        details=details,
        quantity=Decimal("1"),
        unit=line_unit(membership.municipality.preferred_language),
        unit_price=fee,
        net=fee,
        vat_rate=rate,
        supply_date=period_end,
        period_start=datetime.date(year, 1, 1),
        period_end=period_end,
        population=figure.population,
        population_date=figure.reference_date,
        tier=tier.label,
    )
    return True


def _uninvoiced(membership: Membership) -> list[TravelCost]:
    return list(
        TravelCost.objects.filter(
            membership=membership, status=TravelCostStatus.APPROVED, invoice_lines__isnull=True
        )
        .select_related("membership__season")
        .order_by("date", "pk")
    )


def travel_costs_refused(*, membership: Membership) -> list[tuple[TravelCost, str]]:
    """Approved travel costs that are never invoiced as they are: dated in the future or
    outside the membership's season (entered before the rule existed)."""
    return [
        (cost, problem)
        for cost in _uninvoiced(membership)
        if (problem := travel_cost_date_problem(cost)) is not None
    ]


@transaction.atomic
def travel_cost_drafts(*, membership: Membership) -> int:
    """Put the membership's approved, uninvoiced travel costs on its draft travel invoice
    (those dated within its season and not in the future)."""
    Membership.objects.select_for_update().get(pk=membership.pk)
    costs = [cost for cost in _uninvoiced(membership) if travel_cost_date_problem(cost) is None]
    if not costs:
        return 0
    invoice = Invoice.objects.filter(
        membership=membership, kind=InvoiceKind.TRAVEL_COSTS, status=InvoiceStatus.DRAFT
    ).first()
    if invoice is None:
        invoice = Invoice.objects.create(
            kind=InvoiceKind.TRAVEL_COSTS,
            membership=membership,
            year=max(cost.date for cost in costs).year,
            series=default_series(),
        )
    position = (invoice.lines.aggregate(last=Max("position"))["last"] or 0) + 1
    language = membership.municipality.preferred_language
    for cost in costs:
        with translation.override(language):
            description = _("Travel costs %(date)s: %(description)s") % {
                "date": formats.date_format(cost.date, "j.n.Y"),
                "description": cost.description,
            }
        InvoiceLine.objects.create(
            invoice=invoice,
            position=position,
            description=description[:300],
            details=cost.traveller,
            quantity=Decimal("1"),
            unit=line_unit(language),
            unit_price=cost.net_amount,
            net=cost.net_amount,
            vat_rate=vat_rate_on(cost.date),  # the travel date is the supply date
            supply_date=cost.date,
            travel_cost=cost,
        )
        cost.status = TravelCostStatus.INVOICED
        cost.save(update_fields=["status"])
        position += 1
    return len(costs)


def travel_cost_approve(*, cost: TravelCost, actor: User) -> TravelCost:
    from django.utils import timezone

    if not actor.has_perm("billing.change_travelcost") or actor.municipality_id is not None:
        raise ValidationError(_("Only staff approve travel costs."))
    if cost.status != TravelCostStatus.RECORDED:
        raise ValidationError(_("Only a recorded travel cost can be approved."))
    cost.status = TravelCostStatus.APPROVED
    cost.approved_by = actor
    cost.approved_at = timezone.now()
    cost.full_clean()
    cost.save()
    return cost
