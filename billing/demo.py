"""Demo billing: fictional seller details, the 2021-2022 fee schedule, a few travel costs and the
issued invoices of 2021 (the 2022 drafts are left for staff to make and issue); then the current
season's (dated from the day load_demo runs): its fee invoices issued up to the current year, paid
but one overdue, and a recent travel-cost invoice of Ylöjärvi. Idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from municipalities.demo import DemoContext, current_season, register_demo_step
from municipalities.demo_dates import DemoCalendar
from municipalities.models import Membership, PopulationFigure, Season, User

from . import services
from .models import (
    FeeSchedule,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    SellerSettings,
    SendChannel,
    TravelCost,
    TravelCostStatus,
)
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
    demo_seller()
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


def demo_seller() -> None:
    """The fictional seller on every demo invoice."""
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


# The current season's member whose fee of the current year is left unpaid past its due date.
OVERDUE_CODE = "562"
DEMO_POPULATION_SOURCE = (
    "Demo: the latest official figure (Statistics Finland) carried forward; not an official figure"
)


def fee_invoice_date(calendar: DemoCalendar, year: int) -> datetime.date:
    """Annual fees are invoiced on 15 February, or 35 days before the demo's day when that is
    earlier (so that an unpaid one is past its due date)."""
    return min(datetime.date(year, 2, 15), calendar.today - datetime.timedelta(days=35))


@register_demo_step(80, "current season: billing")
def load_current_billing(context: DemoContext) -> None:
    season = current_season(context)
    if season is None:
        return
    calendar = DemoCalendar.on(context.today)
    year = context.today.year
    demo_seller()
    schedule, created = FeeSchedule.objects.get_or_create(season=season)
    if created:
        for low, high, fee in TIERS:
            schedule.tiers.create(min_population=low, max_population=high, annual_fee=fee)
    if (
        Invoice.objects.filter(membership__season=season, year=year)
        .exclude(status=InvoiceStatus.DRAFT)
        .exists()
    ):
        context.say(f"Current billing: the {year} invoices of {season.slug} are already issued.")
        return
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    overdue = set(
        Membership.objects.filter(season=season, municipality__code=OVERDUE_CODE).values_list(
            "pk", flat=True
        )
    )
    # The current year's fees (an earlier year of the season is left for finance to invoice).
    _population_figures(season, year)
    run = services.billing_run(season=season, year=year)
    result = issue_drafts(
        season=season, year=year, actor=admin, today=fee_invoice_date(calendar, year)
    )
    problems = run.problems + result.problems
    for invoice in result.issued:
        _lifecycle(invoice, calendar, overdue=invoice.membership_id in overdue)
    issued = result.issued
    if _current_travel_costs(season, calendar):
        run = services.billing_run(season=season, year=year)
        result = issue_drafts(season=season, year=year, actor=admin, today=calendar.ago(3))
        problems += run.problems + result.problems
        issued += result.issued
    rendered, render_problems = render_in_processes(issued) if context.render_documents else (0, [])
    context.say(
        f"Current billing: {len(issued)} invoices of {year} issued in {season.slug} "
        f"({rendered} PDFs); {len(problems) + len(render_problems)} problem(s)."
    )


def _population_figures(season: Season, year: int) -> None:
    """The fee of `year` needs the population on 31.12. of the year before; where the bundled
    data has none yet, the latest official figure is carried forward and labelled as such."""
    reference_date = datetime.date(year - 1, 12, 31)
    members = Membership.objects.filter(season=season).values_list("municipality_id", flat=True)
    have = set(
        PopulationFigure.objects.filter(
            municipality_id__in=members, reference_date=reference_date
        ).values_list("municipality_id", flat=True)
    )
    latest = {}
    for figure in PopulationFigure.objects.filter(
        municipality_id__in=members, reference_date__lt=reference_date
    ).order_by("reference_date"):
        latest[figure.municipality_id] = figure.population
    PopulationFigure.objects.bulk_create(
        PopulationFigure(
            municipality_id=municipality_id,
            reference_date=reference_date,
            population=population,
            source=DEMO_POPULATION_SOURCE,
        )
        for municipality_id, population in latest.items()
        if municipality_id not in have
    )


def _lifecycle(invoice: Invoice, calendar: DemoCalendar, *, overdue: bool) -> None:
    """Sent as e-invoices on the invoice date; paid a few days before the due date, except the
    overdue one (and what is not due yet)."""
    services.invoice_mark_sent(
        invoice=invoice, on=invoice.invoice_date, channel=SendChannel.EINVOICE
    )
    paid_on = min(invoice.due_date - datetime.timedelta(days=3), calendar.today)
    if overdue or invoice.kind != InvoiceKind.ANNUAL_FEE or invoice.due_date > calendar.today:
        return
    services.invoice_mark_paid(invoice=invoice, on=paid_on, amount=invoice.gross_total)


def _current_travel_costs(season: Season, calendar: DemoCalendar) -> int:
    """Ylöjärvi's consultant's travel to its workshop held this season (approved, uninvoiced)."""
    membership = Membership.objects.filter(season=season, municipality__code="980").first()
    day = calendar.ago(12)
    if membership is None or not season.contains(day) or day.year != calendar.today.year:
        return 0
    staff = User.objects.filter(email="staff@example.fi").first()
    consultant = membership.responsible_consultant
    created = 0
    for description, amount in [
        ("Junaliput Helsinki–Tampere–Helsinki", Decimal("92.40")),
        ("Taksi Tampere–Ylöjärvi", Decimal("48.90")),
    ]:
        _cost, was_created = TravelCost.objects.get_or_create(
            membership=membership,
            description=description,
            date=day,
            defaults={
                "traveller": consultant.get_full_name() if consultant else "Konsultti",
                "net_amount": amount,
                "status": TravelCostStatus.APPROVED,
                "recorded_by": consultant or staff,
                "approved_by": staff,
                "approved_at": datetime.datetime(
                    day.year, day.month, day.day, 12, tzinfo=datetime.UTC
                ),
            },
        )
        created += was_created
    return created
