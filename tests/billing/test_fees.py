"""Fees by population tier (Y−1 population), dated VAT rates, billing runs and travel costs."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from billing import services
from billing.models import FeeTier, Invoice, InvoiceLine, TravelCostStatus
from municipalities.models import PopulationFigure

from ..municipalities.factories import MembershipFactory, SeasonFactory
from .factories import TravelCostFactory, billing_world, fee_schedule

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("population", "fee"),
    [
        (1, "8000.00"),
        (8999, "8000.00"),
        (9000, "11000.00"),
        (45000, "11000.00"),
        (45001, "16000.00"),
        (658457, "16000.00"),
    ],
)
def test_tier_boundaries(network, population, fee):
    schedule = fee_schedule(network.membership_a.season)
    assert services.tier_for(schedule, population).annual_fee == Decimal(fee)


def test_exactly_nine_and_forty_five_thousand_are_in_the_middle_tier(network):
    schedule = fee_schedule(network.membership_a.season)
    middle = services.tier_for(schedule, 9000)
    assert services.tier_for(schedule, 45000) == middle
    assert middle.label == "9 000–45 000"


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        ("1994-06-01", "22.00"),
        ("2010-06-30", "22.00"),
        ("2010-07-01", "23.00"),
        ("2012-12-31", "23.00"),
        ("2013-01-01", "24.00"),
        ("2021-12-31", "24.00"),
        ("2024-08-31", "24.00"),
        ("2024-09-01", "25.50"),
        ("2027-01-15", "25.50"),
    ],
)
def test_vat_rate_in_force_on_a_day(db, day, rate):
    assert services.vat_rate_on(datetime.date.fromisoformat(day)) == Decimal(rate)


def test_no_vat_rate_before_the_first_one(db):
    with pytest.raises(services.MissingData):
        services.vat_rate_on(datetime.date(1990, 1, 1))


def test_fee_uses_the_population_of_the_previous_year_end(network):
    # given 8 950 inhabitants on 31.12.2020 and 9 100 on 31.12.2021
    billing_world(network, population_a=8950)
    PopulationFigure.objects.create(
        municipality=network.municipality_a,
        reference_date=datetime.date(2021, 12, 31),
        population=9100,
        source="x",
    )
    PopulationFigure.objects.create(
        municipality=network.municipality_b,
        reference_date=datetime.date(2021, 12, 31),
        population=9100,
        source="x",
    )
    # when both years are run
    services.billing_run(season=network.membership_a.season, year=2021)
    services.billing_run(season=network.membership_a.season, year=2022)
    # then 2021 uses 31.12.2020 (small tier) and 2022 uses 31.12.2021 (middle tier)
    lines = {
        line.invoice.year: line
        for line in InvoiceLine.objects.filter(
            invoice__membership=network.membership_a
        ).select_related("invoice")
    }
    assert (lines[2021].net, lines[2021].population, lines[2021].population_date) == (
        Decimal("8000.00"),
        8950,
        datetime.date(2020, 12, 31),
    )
    assert (lines[2022].net, lines[2022].population) == (Decimal("11000.00"), 9100)
    assert lines[2021].tier == "0–8 999"
    # the supply date is the end of the invoiced period, which fixes the VAT rate
    assert (lines[2021].supply_date, lines[2021].vat_rate) == (
        datetime.date(2021, 12, 31),
        Decimal("24.00"),
    )


def test_a_missing_population_figure_is_named_and_not_invoiced(network):
    billing_world(network)
    PopulationFigure.objects.filter(municipality=network.municipality_b).delete()

    result = services.billing_run(season=network.membership_a.season, year=2021)

    assert result.fee_invoices_created == 1
    assert len(result.problems) == 1
    assert "Orivesi (562)" in result.problems[0]
    assert "31.12.2020" in result.problems[0]
    assert not Invoice.objects.filter(membership=network.membership_b).exists()


def test_a_season_without_a_fee_schedule_is_reported(network):
    billing_world(network)
    network.membership_a.season.fee_schedule.delete()
    result = services.billing_run(season=network.membership_a.season, year=2021)
    assert len(result.problems) == 2
    assert not Invoice.objects.exists()


def test_year_outside_the_season_is_refused(network):
    billing_world(network)
    with pytest.raises(ValidationError):
        services.billing_run(season=network.membership_a.season, year=2023)


def test_billing_run_is_idempotent(network):
    billing_world(network)
    first = services.billing_run(season=network.membership_a.season, year=2021)
    second = services.billing_run(season=network.membership_a.season, year=2021)
    assert (
        first.fee_invoices_created,
        second.fee_invoices_created,
        second.fee_invoices_existing,
    ) == (2, 0, 2)
    assert Invoice.objects.count() == 2


def test_one_annual_fee_invoice_per_membership_and_year_is_a_database_rule(network):
    billing_world(network)
    services.billing_run(season=network.membership_a.season, year=2021)
    existing = Invoice.objects.get(membership=network.membership_a)
    with (
        transaction.atomic(),
        pytest.raises(IntegrityError, match="invoice_annual_fee_once_per_year|UNIQUE"),
    ):
        Invoice.objects.create(
            kind="annual_fee", membership=network.membership_a, year=2021, series=existing.series
        )


def test_fee_amounts_including_vat_are_converted(network):
    billing_world(network)
    schedule = network.membership_a.season.fee_schedule
    schedule.amounts_exclude_vat = False
    schedule.save()
    services.billing_run(season=network.membership_a.season, year=2021)
    line = InvoiceLine.objects.get(invoice__membership=network.membership_a)
    assert line.net == Decimal("8870.97")  # 11 000 / 1.24, rounded half up


def test_approved_travel_costs_are_invoiced_once(network):
    billing_world(network)
    season = SeasonFactory(
        slug="2023-2024",
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2024, 12, 31),
    )
    membership = MembershipFactory(municipality=network.municipality_a, season=season)
    recorded = TravelCostFactory(membership=membership, recorded_by=network.consultant)
    approved = services.travel_cost_approve(
        cost=TravelCostFactory(
            membership=membership,
            recorded_by=network.consultant,
            date=datetime.date(2024, 9, 2),
        ),
        actor=network.staff,
    )
    # when the travel costs are drafted twice
    services.travel_cost_drafts(membership=membership)
    services.travel_cost_drafts(membership=membership)
    # then only the approved cost is on one travel-cost invoice, at the VAT rate of its date
    line = InvoiceLine.objects.get(travel_cost__isnull=False)
    assert line.travel_cost == approved
    assert line.vat_rate == Decimal("25.50")
    assert line.supply_date == datetime.date(2024, 9, 2)
    assert line.invoice.kind == "travel_costs"
    approved.refresh_from_db()
    recorded.refresh_from_db()
    assert (approved.status, recorded.status) == (
        TravelCostStatus.INVOICED,
        TravelCostStatus.RECORDED,
    )
    with (
        transaction.atomic(),
        pytest.raises(IntegrityError, match="travel_cost_invoiced_once|UNIQUE"),
    ):
        InvoiceLine.objects.create(
            invoice=line.invoice,
            position=9,
            description="x",
            unit_price=1,
            net=1,
            vat_rate=24,
            supply_date=line.supply_date,
            travel_cost=approved,
        )


def test_only_staff_approve_and_only_once(network):
    billing_world(network)
    cost = TravelCostFactory(membership=network.membership_a, recorded_by=network.consultant)
    with pytest.raises(ValidationError):
        services.travel_cost_approve(cost=cost, actor=network.contact_a)
    services.travel_cost_approve(cost=cost, actor=network.finance)
    with pytest.raises(ValidationError):
        services.travel_cost_approve(cost=cost, actor=network.finance)


@pytest.mark.parametrize(
    ("tiers", "ok"),
    [
        ([(0, 8999), (9000, 45000), (45001, None)], True),
        ([(0, 8999), (9001, 45000), (45001, None)], False),  # gap
        ([(0, 9000), (9000, 45000), (45001, None)], False),  # overlap
        ([(0, 8999), (9000, 45000)], False),  # no open top
        ([(1, 8999), (9000, None)], False),  # does not start at zero
        ([(0, None), (9000, None)], False),  # open tier below another
    ],
)
def test_tier_sets_are_checked(tiers, ok):
    if ok:
        services.check_tiers(tiers)
    else:
        with pytest.raises(ValidationError):
            services.check_tiers(tiers)


def test_tier_bounds_are_ordered_in_the_database(network):
    schedule = fee_schedule(network.membership_a.season)
    with transaction.atomic(), pytest.raises(IntegrityError, match="fee_tier_bounds_ordered"):
        FeeTier.objects.create(
            schedule=schedule, min_population=500000, max_population=10, annual_fee=1
        )
