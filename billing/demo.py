"""Demo billing: fictional seller details, the 2021-2022 fee schedule, a few travel costs and the
issued invoices of 2021 (the 2022 drafts are left for staff to make and issue). Idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from municipalities.demo import DemoContext, register_demo_step
from municipalities.models import Membership, Season, User

from . import services
from .models import FeeSchedule, Invoice, SellerSettings, TravelCost, TravelCostStatus
from .services.batches import issue_drafts, render_in_processes

TIERS = [
    (0, 8999, Decimal("8000.00")),
    (9000, 45000, Decimal("11000.00")),
    (45001, None, Decimal("16000.00")),
]
TRAVEL = [
    ("980", datetime.date(2021, 4, 20), "Junaliput Helsinki–Tampere–Helsinki", Decimal("84.60")),
    ("980", datetime.date(2021, 4, 20), "Taksi Tampere–Ylöjärvi", Decimal("46.30")),
    ("562", datetime.date(2021, 9, 14), "Kilometrikorvaus 2 × 172 km", Decimal("158.24")),
    ("186", datetime.date(2021, 10, 5), "Hotelliyö ja junaliput", Decimal("212.00")),
]


@register_demo_step(40, "billing")
def load_billing_demo(context: DemoContext) -> None:
    SellerSettings.objects.get_or_create(
        singleton=True,
        defaults={
            "name": "USO-verkosto / Esimerkki Konsultointi Oy (demo)",
            "business_id": "1234567-1",
            "vat_id": "FI12345671",
            "street": "Esimerkkikatu 1",
            "postal_code": "00100",
            "city": "Helsinki",
            "iban": "FI2112345600000785",
            "bic": "NDEAFIHH",
            "einvoice_address": "003712345671",
            "einvoice_operator": "DEMOFIHH",
            "contact_name": "Laskutus",
            "email": "laskutus@example.fi",
            "phone": "+358 40 000 0000",
        },
    )
    season = Season.objects.get(slug="2021-2022")
    schedule, created = FeeSchedule.objects.get_or_create(season=season)
    if created:
        for low, high, fee in TIERS:
            schedule.tiers.create(min_population=low, max_population=high, annual_fee=fee)
    _travel_costs(season)
    if (
        Invoice.objects.filter(membership__season=season, year=2021)
        .exclude(status="draft")
        .exists()
    ):
        context.say("Billing: the 2021 invoices are already issued.")
        return
    run = services.billing_run(season=season, year=2021)
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    result = issue_drafts(season=season, year=2021, actor=admin, today=datetime.date(2021, 2, 15))
    rendered, problems = render_in_processes(result.issued)
    context.say(
        f"Billing: {len(result.issued)} invoices of 2021 issued ({rendered} PDFs); "
        f"{len(run.problems) + len(result.problems) + len(problems)} problem(s)."
    )


def _travel_costs(season: Season) -> None:
    staff = User.objects.filter(email="staff@example.fi").first()
    for code, day, description, amount in TRAVEL:
        membership = Membership.objects.filter(season=season, municipality__code=code).first()
        if (
            membership is None
            or TravelCost.objects.filter(membership=membership, description=description).exists()
        ):
            continue
        consultant = membership.responsible_consultant
        TravelCost.objects.create(
            membership=membership,
            date=day,
            traveller=consultant.get_full_name() if consultant else "Konsultti",
            description=description,
            net_amount=amount,
            status=TravelCostStatus.APPROVED,
            recorded_by=consultant or staff,
            approved_by=staff,
            approved_at=datetime.datetime(day.year, day.month, day.day, 12, tzinfo=datetime.UTC),
        )
