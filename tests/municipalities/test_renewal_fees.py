"""The fee on an offer is the fee the billing run charges.

Billing charges year Y by the official population on 31 December of Y-1 (`billing.services.
population_for_fee`). An offer is computed by the same functions (`billing.services.
offer_fee_quote`, registered for renewal); when the figure billing will use is not published yet,
the offer uses the latest earlier one and says so on the page and the letter (`is_estimate`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from billing import services as billing
from billing.models import InvoiceLine
from municipalities.models import PopulationFigure
from municipalities.renewal import services

from ..billing.factories import billing_world
from ..conftest import client_for

pytestmark = pytest.mark.django_db


def _figure(municipality, year: int, population: int) -> None:
    PopulationFigure.objects.update_or_create(
        municipality=municipality,
        reference_date=datetime.date(year, 12, 31),
        defaults={"population": population, "source": "Statistics Finland"},
    )


def _join(offer, network, day: datetime.date):
    return services.offer_join(
        offer=offer,
        decision_reference="KH 1.12.2022 § 1",
        decision_date=day,
        business_id="0158221-7",
        einvoice_address="003701582217",
        einvoice_operator="003721291126",
        by=network.contact_a,
    )


def test_the_offer_fee_is_the_fee_billing_charges_across_a_tier_boundary(network):
    # given Ylöjärvi with 8 950 inhabitants on 31.12.2021 and 9 100 on 31.12.2022: the two
    # figures fall in different tiers (8 000 € up to 8 999, 11 000 € from 9 000)
    billing_world(network, population_a=8950)
    _figure(network.municipality_a, 2021, 8950)
    _figure(network.municipality_a, 2022, 9100)
    season = services.season_create_next(source=network.membership_a.season)

    # when the offer is sent (both figures published) and the municipality joins
    offer, _ = services.offer_send(season=season, municipality=network.municipality_a, sent_by=None)
    fees = {fee.year: fee for fee in offer.fees.all()}

    # then 2023 is offered by the latest figure, 31.12.2022, as billing will use it: 11 000 €
    assert (fees[2023].population, fees[2023].population_date) == (
        9100,
        datetime.date(2022, 12, 31),
    )
    assert (fees[2023].annual_fee, fees[2023].tier_label) == (Decimal("11000.00"), "9 000–45 000")
    assert not fees[2023].is_estimate
    # 2024 is billed by 31.12.2023, not published: the offer's estimate says which figure it used
    assert fees[2024].is_estimate and fees[2024].billed_on_date == datetime.date(2023, 12, 31)
    assert fees[2024].annual_fee == Decimal("11000.00")

    _join(offer, network, datetime.date(2022, 12, 1))
    billing.billing_run(season=season, year=2023)
    line = InvoiceLine.objects.get(invoice__membership__season=season, invoice__year=2023)
    assert (line.net, line.population, line.population_date, line.tier) == (
        fees[2023].annual_fee,
        fees[2023].population,
        fees[2023].population_date,
        fees[2023].tier_label,
    )


def test_an_estimate_is_said_on_the_offer_and_billing_then_uses_the_published_figure(network):
    # given only the 31.12.2021 figure (8 950) when the offer is sent
    billing_world(network, population_a=8950)
    _figure(network.municipality_a, 2021, 8950)
    season = services.season_create_next(source=network.membership_a.season)
    offer, _ = services.offer_send(season=season, municipality=network.municipality_a, sent_by=None)
    fee_2023 = offer.fees.get(year=2023)
    assert (fee_2023.annual_fee, fee_2023.is_estimate) == (Decimal("8000.00"), True)

    # the offer page explains that the fee is by the population of 31.12.2022
    page = client_for(network, "contact_a").get(
        reverse("municipalities:offer_detail", args=[offer.pk])
    )
    assert "31.12.2022" in page.content.decode()

    # when the 31.12.2022 figure (9 100) is published and billing runs
    _figure(network.municipality_a, 2022, 9100)
    _join(offer, network, datetime.date(2022, 12, 1))
    billing.billing_run(season=season, year=2023)

    # then billing charges the published figure's tier, which a new quote states exactly
    line = InvoiceLine.objects.get(invoice__membership__season=season, invoice__year=2023)
    assert line.net == Decimal("11000.00")
    quote = billing.offer_fee_quote(network.municipality_a, season, 2023)
    assert (quote.annual_fee, quote.is_estimate) == (line.net, False)
