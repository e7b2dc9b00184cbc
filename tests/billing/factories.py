"""Billing fixtures: seller, fee schedule, population figures and addresses of a network."""

import datetime
import hashlib
from decimal import Decimal

import factory

from billing.models import FeeSchedule, InvoiceSeries, SellerSettings, TravelCost, TravelCostStatus
from municipalities.models import PopulationFigure

TIERS = [
    (0, 8999, Decimal("8000.00")),
    (9000, 45000, Decimal("11000.00")),
    (45001, None, Decimal("16000.00")),
]


def seller() -> SellerSettings:
    return SellerSettings.objects.get_or_create(
        singleton=True,
        defaults={
            "name": "Esimerkki Konsultointi Oy",
            "business_id": "1234567-1",
            "vat_id": "FI12345671",
            "street": "Esimerkkikatu 1",
            "postal_code": "00100",
            "city": "Helsinki",
            "iban": "FI2112345600000785",
            "bic": "NDEAFIHH",
            "einvoice_address": "003712345671",
            "einvoice_operator": "003721291126",
        },
    )[0]


def fee_schedule(season) -> FeeSchedule:
    schedule, created = FeeSchedule.objects.get_or_create(season=season)
    if created:
        for low, high, fee in TIERS:
            schedule.tiers.create(min_population=low, max_population=high, annual_fee=fee)
    return schedule


def billable(
    municipality, population: int | None = 33352, year: int = 2020, business_id="0158221-7"
):
    """Give a municipality what invoicing needs: address, e-invoice address, population."""
    municipality.billing_street_address = "Kuruntie 14"
    municipality.billing_postal_code = "33470"
    municipality.billing_post_office = municipality.name_fi.upper()
    if business_id and not municipality.business_id:
        municipality.business_id = business_id
    if municipality.business_id:
        municipality.einvoice_address = "0037" + municipality.business_id.replace("-", "")
        municipality.einvoice_operator = "003723327487"
    municipality.save()
    if population is not None:
        PopulationFigure.objects.update_or_create(
            municipality=municipality,
            reference_date=datetime.date(year, 12, 31),
            defaults={"population": population, "source": "Statistics Finland"},
        )
    return municipality


def billing_world(network, population_a=33352, population_b=9008):
    seller()
    fee_schedule(network.membership_a.season)
    billable(network.municipality_a, population_a, business_id="0158221-7")
    billable(network.municipality_b, population_b, business_id="0151789-6")
    return network


FINVOICE_BYTES = b"<Finvoice/>"


def series() -> InvoiceSeries:
    return InvoiceSeries.objects.get(code="uso")


class TravelCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TravelCost

    date = datetime.date(2021, 4, 20)
    traveller = "Aino Laaksonen"
    description = factory.Sequence(lambda n: f"Junaliput {n}")
    net_amount = Decimal("84.60")
    status = TravelCostStatus.RECORDED


def stored_invoice(membership, number: str = "1000001", **fields):
    """An issued invoice written directly, with stored (tiny) documents: for access tests."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from billing.models import Invoice

    from ..events.factories import PDF_BYTES

    invoice = Invoice.objects.create(
        kind="annual_fee",
        membership=membership,
        year=2021,
        series=series(),
        status="issued",
        number=number,
        invoice_date=datetime.date(2021, 2, 15),
        due_date=datetime.date(2021, 3, 8),
        reference="10000016",
        net_total=Decimal("11000.00"),
        vat_total=Decimal("2640.00"),
        gross_total=Decimal("13640.00"),
        issued_at=timezone.now(),
        document_status="ready",
        snapshot={"buyer": {"name": membership.municipality.name_fi, "business_id": ""}},
        **fields,
    )
    invoice.pdf.save(f"{number}.pdf", ContentFile(PDF_BYTES), save=False)
    invoice.finvoice.save(f"{number}.xml", ContentFile(FINVOICE_BYTES), save=False)
    invoice.pdf_sha256 = hashlib.sha256(PDF_BYTES).hexdigest()
    invoice.finvoice_sha256 = hashlib.sha256(FINVOICE_BYTES).hexdigest()
    invoice.save()
    return invoice
