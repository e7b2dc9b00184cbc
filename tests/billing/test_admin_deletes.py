"""Every delete path of the billing admin, walked as a superuser, keeps billing's invariants:
no travel cost "invoiced" without a line, no gap in the invoice numbers, nothing issued lost,
the frozen fee schedule, the VAT rates of issued invoices, the series and batches kept.

Paths: each object's delete page, "Delete selected" over all rows and over the rows that may go,
and the delete boxes of the inlines (invoice lines, fee tiers). A billing model registered in
the admin without a case here fails the first test.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from billing import services
from billing.models import (
    BatchKind,
    BatchStatus,
    BillingBatch,
    FeeSchedule,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSeries,
    InvoiceStatus,
    SellerSettings,
    TravelCost,
    TravelCostStatus,
    VatRate,
)
from tests.auth import login

from ..municipalities.factories import SeasonFactory, StaffUserFactory
from .factories import billing_world, fee_schedule
from .test_admin import change_form_data

pytestmark = pytest.mark.django_db


@dataclass
class World:
    issued: dict[int, int]  # issued invoice pk -> its number of lines
    travel_draft: Invoice
    travel_costs: list[TravelCost]
    locked_schedule: FeeSchedule
    used_rate: VatRate


def cost(network, membership, description: str, status=TravelCostStatus.APPROVED) -> TravelCost:
    approved = status != TravelCostStatus.RECORDED
    return TravelCost.objects.create(
        membership=membership,
        date=datetime.date(2021, 4, 20),
        traveller="Aino Asiantuntija",
        description=description,
        net_amount=Decimal("84.60"),
        status=status,
        recorded_by=network.consultant,
        approved_by=network.staff if approved else None,
        approved_at=datetime.datetime(2021, 4, 21, 12, tzinfo=datetime.UTC) if approved else None,
    )


@pytest.fixture
def world(network) -> World:
    """Issued invoices (one credited by a draft credit note), a draft travel-cost invoice with
    two costs, an annual-fee draft, a finished batch, a frozen and an open fee schedule, the
    dated VAT rates, the series (one unused) and the seller."""
    billing_world(network)
    season = network.membership_a.season
    services.billing_run(season=season, year=2021)
    fee_a = Invoice.objects.get(membership=network.membership_a, kind=InvoiceKind.ANNUAL_FEE)
    issued_a = services.invoice_issue(invoice=fee_a, actor=network.finance)
    services.render_documents(issued_a)
    travel_a = [cost(network, network.membership_a, f"Junaliput {n}") for n in (1, 2)]
    services.travel_cost_drafts(membership=network.membership_a)
    travel_a_draft = Invoice.objects.get(kind=InvoiceKind.TRAVEL_COSTS)
    issued_travel = services.invoice_issue(invoice=travel_a_draft, actor=network.finance)
    services.render_documents(issued_travel)
    services.credit_note_create(original=issued_a, actor=network.finance, reason="Väärin")
    costs = [cost(network, network.membership_b, f"Taksi {n}") for n in (1, 2)]
    services.travel_cost_drafts(membership=network.membership_b)
    cost(network, network.membership_b, "Kirjattu", TravelCostStatus.RECORDED)
    BillingBatch.objects.create(
        kind=BatchKind.ISSUE,
        season=season,
        year=2021,
        status=BatchStatus.FINISHED,
        created_by=network.finance,
    ).invoices.add(issued_a)
    fee_schedule(
        SeasonFactory(
            slug="2023-2024",
            start_date=datetime.date(2023, 1, 1),
            end_date=datetime.date(2024, 12, 31),
        )
    )
    InvoiceSeries.objects.create(code="spare", prefix="9", width=6)
    return World(
        issued={issued_a.pk: 1, issued_travel.pk: 2},
        travel_draft=Invoice.objects.get(kind=InvoiceKind.TRAVEL_COSTS, status="draft"),
        travel_costs=costs + travel_a,
        locked_schedule=FeeSchedule.objects.get(season=season),
        used_rate=VatRate.objects.filter(valid_from__lte=datetime.date(2021, 4, 20)).first(),
    )


def check_invariants(world: World) -> None:
    # no travel cost "invoiced" without a line, none on a line but not "invoiced"
    for travel in TravelCost.objects.all():
        on_line = InvoiceLine.objects.filter(travel_cost=travel).exists()
        assert (travel.status == TravelCostStatus.INVOICED) == on_line, travel
    # numbers gapless: exactly 1 .. next-1 of the series, each once
    series = InvoiceSeries.objects.get(code="uso")
    numbers = sorted(Invoice.objects.exclude(number=None).values_list("number", flat=True))
    assert numbers == [series.format(n) for n in range(1, series.next_number)]
    # nothing issued lost: the invoices, their lines, their documents
    for pk, lines in world.issued.items():
        invoice = Invoice.objects.get(pk=pk)
        assert invoice.status != InvoiceStatus.DRAFT
        assert invoice.lines.count() == lines
        assert services.documents_problem(invoice) is None
    # what issued invoices rest on
    assert world.locked_schedule.tiers.count() == 3
    assert FeeSchedule.objects.filter(pk=world.locked_schedule.pk).exists()
    assert VatRate.objects.filter(pk=world.used_rate.pk, rate=world.used_rate.rate).exists()
    assert SellerSettings.objects.exists()
    assert InvoiceSeries.objects.filter(code="uso").exists()
    assert BillingBatch.objects.filter(invoices__isnull=False).exists()


def billing_admins():
    return sorted(
        (model for model in admin.site._registry if model._meta.app_label == "billing"),
        key=lambda model: model.__name__,
    )


@pytest.fixture
def superuser(network):
    from django.test import Client

    return login(Client(), StaffUserFactory(is_superuser=True))


def test_every_billing_admin_has_delete_paths_walked(world):
    walked = {case.values[0] for case in MODEL_CASES}
    assert {model.__name__ for model in billing_admins()} == walked


MODEL_CASES = [pytest.param(model.__name__, id=model.__name__) for model in billing_admins()]


def model_named(name: str):
    return next(model for model in billing_admins() if model.__name__ == name)


def url(model, view: str, *args) -> str:
    return reverse(f"admin:billing_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("name", [case.values[0] for case in MODEL_CASES])
def test_each_objects_delete_page_keeps_the_invariants(world, superuser, name):
    model = model_named(name)
    objects = list(model.objects.all())
    assert objects, f"the world has no {name}"
    for obj in objects:
        # when
        page = superuser.get(url(model, "delete", obj.pk))
        response = superuser.post(url(model, "delete", obj.pk), {"post": "yes"})

        # then: deleted, or refused with a page (never a 500)
        assert page.status_code in (200, 403, 302), (obj, page.status_code)
        assert response.status_code in (200, 302, 403), (obj, response.status_code)
        check_invariants(world)


@pytest.mark.parametrize("name", [case.values[0] for case in MODEL_CASES])
def test_delete_selected_keeps_the_invariants(world, superuser, name):
    model = model_named(name)
    model_admin = admin.site._registry[model]
    changelist = url(model, "changelist")
    everything = list(model.objects.values_list("pk", flat=True))
    related = getattr(model_admin, "delete_select_related", ())
    deletable = [
        obj.pk
        for obj in model.objects.select_related(*related)
        if not hasattr(model_admin, "delete_problem") or model_admin.delete_problem(obj) is None
    ]
    for selection in (everything, deletable):
        # when
        response = superuser.post(
            changelist,
            {"action": "delete_selected", "_selected_action": selection, "post": "yes"},
        )

        # then: deleted, or refused with a page (never a 500)
        assert response.status_code in (200, 302, 403), response.status_code
        check_invariants(world)


def test_deleting_the_draft_travel_invoice_releases_its_costs(world, superuser, network):
    # when
    superuser.post(url(Invoice, "delete", world.travel_draft.pk), {"post": "yes"})

    # then the costs are "approved" again and go on the next draft
    assert not Invoice.objects.filter(pk=world.travel_draft.pk).exists()
    for travel in world.travel_costs[:2]:
        travel.refresh_from_db()
        assert travel.status == TravelCostStatus.APPROVED
    assert services.travel_cost_drafts(membership=network.membership_b) == 2
    check_invariants(world)


def test_delete_selected_of_drafts_releases_their_costs(world, superuser, network):
    drafts = list(Invoice.objects.filter(status=InvoiceStatus.DRAFT).values_list("pk", flat=True))
    superuser.post(
        url(Invoice, "changelist"),
        {"action": "delete_selected", "_selected_action": drafts, "post": "yes"},
    )
    assert not Invoice.objects.filter(status=InvoiceStatus.DRAFT).exists()
    assert services.travel_cost_drafts(membership=network.membership_b) == 2
    check_invariants(world)


def test_an_invoice_line_deleted_in_the_inline_releases_its_cost(world, superuser):
    # given the draft travel invoice's change form
    change = url(Invoice, "change", world.travel_draft.pk)
    data = change_form_data(superuser.get(change))
    first = world.travel_draft.lines.order_by("position").first()

    # when its first line is deleted there
    response = superuser.post(change, {**data, "lines-0-DELETE": "on"})

    # then
    assert response.status_code == 302
    assert not InvoiceLine.objects.filter(pk=first.pk).exists()
    first.travel_cost.refresh_from_db()
    assert first.travel_cost.status == TravelCostStatus.APPROVED
    check_invariants(world)


def test_lines_of_issued_invoices_are_not_deleted_through_the_line_admin(world, superuser):
    lines = InvoiceLine.objects.filter(invoice_id__in=world.issued)
    response = superuser.post(
        url(InvoiceLine, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(lines.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == 200  # the "cannot delete" page, naming why
    assert response.context["perms_lacking"] or response.context["protected"]
    assert lines.count() == 3
    check_invariants(world)


def test_the_tiers_of_a_frozen_schedule_are_not_deleted_in_its_inline(world, superuser):
    change = url(FeeSchedule, "change", world.locked_schedule.pk)
    data = change_form_data(superuser.get(change))
    response = superuser.post(change, {**data, "tiers-0-DELETE": "on"})
    assert response.status_code == 403
    check_invariants(world)
