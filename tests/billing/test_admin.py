"""The billing admin: frozen issued invoices, the actions, fee schedules, travel costs."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from billing import services
from billing.models import (
    BatchStatus,
    BillingBatch,
    DocumentStatus,
    FeeSchedule,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    TravelCost,
    TravelCostStatus,
)
from municipalities.models import Season
from tests.auth import login

from ..conftest import client_for
from ..municipalities.factories import StaffUserFactory
from .factories import billing_world

pytestmark = pytest.mark.django_db

TIERS = [(0, 8999, "8000.00"), (9000, 45000, "11000.00"), (45001, None, "16000.00")]


@pytest.fixture
def drafts(network) -> dict[str, Invoice]:
    """Seller, fee schedule, addresses and populations; the 2021 annual-fee drafts of A and B."""
    billing_world(network)
    services.billing_run(season=network.membership_a.season, year=2021)
    fees = Invoice.objects.filter(kind=InvoiceKind.ANNUAL_FEE)
    return {
        "a": fees.get(membership=network.membership_a),
        "b": fees.get(membership=network.membership_b),
    }


def issued(network, draft: Invoice) -> Invoice:
    invoice = services.invoice_issue(invoice=draft, actor=network.finance)
    services.render_documents(invoice)
    return invoice


def act(client, model: str, action: str, *objects):
    selected = {"action": action, "_selected_action": [obj.pk for obj in objects]}
    return client.post(reverse(f"admin:billing_{model}_changelist"), selected)


def change_form_data(response) -> dict:
    """The POST data of an admin change form as rendered (main form, inlines, management)."""
    all_forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        all_forms += [*inline.formset.forms, inline.formset.management_form]
    data = {}
    for form in all_forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field, forms.FileField):
                continue
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value not in (None, False):
                data[form.add_prefix(name)] = value
    return data


def test_every_model_of_the_app_is_registered():
    from django.apps import apps

    registered = {m for m in admin.site._registry if m._meta.app_label == "billing"}
    models = apps.get_app_config("billing").get_models()
    # The history models are shown by SimpleHistoryAdmin's history view of their model.
    assert {m for m in models if not issubclass(m, HistoricalChanges)} == registered


# --- Issued invoices are frozen ---------------------------------------------------------------


def test_an_issued_invoice_is_read_only_and_never_deleted(network, drafts):
    # given
    invoice = issued(network, drafts["a"])
    client = client_for(network, "finance")
    url = reverse("admin:billing_invoice_change", args=[invoice.pk])
    page = client.get(url)
    superuser = client_for(network, "anonymous")
    login(superuser, StaffUserFactory(is_superuser=True))
    delete_url = reverse("admin:billing_invoice_delete", args=[invoice.pk])

    # when
    changed = client.post(url, {**change_form_data(page), "notes": "Muutettu"})
    deleted = superuser.post(delete_url, {"post": "yes"})

    # then
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert changed.status_code == 403
    assert superuser.get(delete_url).status_code == deleted.status_code == 403
    invoice.refresh_from_db()
    assert (invoice.notes, invoice.status) == ("", InvoiceStatus.ISSUED)


def test_a_draft_can_be_edited_and_deleted(network, drafts):
    # given
    draft = drafts["a"]
    client = client_for(network, "finance")
    url = reverse("admin:billing_invoice_change", args=[draft.pk])

    # when
    edited = client.post(url, {**change_form_data(client.get(url)), "notes": "Lisätieto"})
    superuser = StaffUserFactory(is_superuser=True)
    login(client, superuser)
    deleted = client.post(reverse("admin:billing_invoice_delete", args=[draft.pk]), {"post": "yes"})

    # then
    assert edited.status_code == 302
    assert deleted.status_code == 302
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    assert Invoice.history.filter(id=draft.pk, notes="Lisätieto").exists()


# --- Invoice actions --------------------------------------------------------------------------


def test_the_issue_action_issues_drafts_and_the_export_action_zips_them(
    network, drafts, django_capture_on_commit_callbacks
):
    # when: the numbers in the request, the documents by a task (at once in tests)
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client_for(network, "finance"), "invoice", "issue", drafts["a"], drafts["b"])

    # then
    batch = BillingBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:batch_progress", args=[batch.pk])
    assert (batch.kind, batch.status, batch.total, batch.rendered) == ("render", "finished", 2, 2)
    invoices = list(Invoice.objects.filter(pk__in=[drafts["a"].pk, drafts["b"].pk]))
    assert sorted(invoice.number for invoice in invoices) == ["1000001", "1000002"]
    for invoice in invoices:
        assert invoice.status == InvoiceStatus.ISSUED
        assert invoice.issued_by_id == network.finance.pk
        assert invoice.document_status == DocumentStatus.READY
        assert invoice.pdf.read().startswith(b"%PDF")
    exported = act(client_for(network, "finance"), "invoice", "export_zip", *invoices)
    assert exported["Content-Type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(exported.content)).namelist())
    assert {"register.csv", "register.xlsx", f"pdf/{invoices[0].number}.pdf"} <= names
    assert len(names) == 2 + 2 * len(invoices)


def test_the_credit_action_drafts_a_credit_note_that_credits_when_issued(network, drafts):
    # given
    original = issued(network, drafts["a"])
    client = client_for(network, "finance")

    # when
    act(client, "invoice", "credit", original)
    credit = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    draft_status = credit.status
    act(client, "invoice", "issue", credit)

    # then
    assert draft_status == InvoiceStatus.DRAFT
    assert credit.credited_invoice == original
    credit.refresh_from_db()
    original.refresh_from_db()
    assert credit.status == InvoiceStatus.ISSUED
    assert credit.gross_total == -original.gross_total == Decimal("-13640.00")
    assert credit.net_total < 0
    assert credit.vat_total < 0
    assert original.status == InvoiceStatus.CREDITED


def test_mark_sent_and_mark_paid_move_the_lifecycle(network, drafts):
    # given
    invoice = issued(network, drafts["a"])
    client = client_for(network, "finance")

    # when
    act(client, "invoice", "mark_sent", invoice)
    invoice.refresh_from_db()
    sent = (invoice.status, invoice.sent_on, invoice.sent_channel)
    act(client, "invoice", "mark_paid", invoice)
    invoice.refresh_from_db()

    # then
    assert sent == (InvoiceStatus.SENT, timezone.localdate(), "einvoice")
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.paid_on == timezone.localdate()
    assert invoice.paid_amount == invoice.gross_total


def test_issue_in_background_redirects_to_the_progress_of_a_finished_batch(
    network, drafts, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = act(
            client_for(network, "finance"), "invoice", "issue_in_background", drafts["a"]
        )

    # then
    batch = BillingBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:batch_progress", args=[batch.pk])
    assert batch.status == BatchStatus.FINISHED
    assert batch.total == batch.issued == batch.rendered == 2
    assert not Invoice.objects.filter(status=InvoiceStatus.DRAFT).exists()


# --- Fee schedules ----------------------------------------------------------------------------


def post_schedule(network, tiers):
    """Staff add the fee schedule of a new season with these (min, max, fee) tiers."""
    season = Season.objects.create(
        slug="2023-2024", name_fi="Kausi", start_date="2023-01-01", end_date="2024-12-31"
    )
    data = {"season": season.pk, "amounts_exclude_vat": "on", "tiers-INITIAL_FORMS": "0"}
    data["tiers-TOTAL_FORMS"] = str(len(tiers))
    for index, (low, high, fee) in enumerate(tiers):
        data[f"tiers-{index}-min_population"] = low
        data[f"tiers-{index}-max_population"] = "" if high is None else high
        data[f"tiers-{index}-annual_fee"] = fee
    response = client_for(network, "staff").post(reverse("admin:billing_feeschedule_add"), data)
    return response, FeeSchedule.objects.filter(season=season).first()


@pytest.mark.parametrize(
    "tiers",
    [
        pytest.param([(0, 8999, 1), (9001, 45000, 2), (45001, None, 3)], id="gap"),
        pytest.param([(0, 9000, 1), (9000, 45000, 2), (45001, None, 3)], id="overlap"),
        pytest.param([(0, 8999, 1), (9000, 45000, 2), (45001, 99999, 3)], id="no-open-top"),
        pytest.param([(1, 8999, 1), (9000, None, 2)], id="not-from-zero"),
        pytest.param([(0, 8999, 1), ("", None, 2)], id="row-without-lower-bound"),
    ],
)
def test_a_fee_schedule_with_bad_tiers_is_refused_with_a_form_error(network, tiers):
    response, schedule = post_schedule(network, tiers)
    assert response.status_code == 200
    assert response.context["errors"]
    assert schedule is None


def test_a_fee_schedule_with_covering_tiers_is_saved(network):
    response, schedule = post_schedule(network, TIERS)
    assert response.status_code == 302
    assert [tier.label for tier in schedule.tiers.all()] == ["0–8 999", "9 000–45 000", "45 001–"]


def test_the_fee_schedule_is_frozen_once_an_invoice_is_issued(network, drafts):
    # given
    schedule = FeeSchedule.objects.get()
    client = client_for(network, "staff")
    url = reverse("admin:billing_feeschedule_change", args=[schedule.pk])
    data = change_form_data(client.get(url))
    issued(network, drafts["a"])

    # when
    response = client.post(url, {**data, "tiers-0-annual_fee": "1.00"})
    changelist = client.get(reverse("admin:billing_feeschedule_changelist"))

    # then
    assert response.status_code == 403
    assert schedule.tiers.get(min_population=0).annual_fee == Decimal("8000.00")
    assert re.search(r'class="field-locked"><img[^>]*icon-yes', changelist.text)


def test_a_frozen_schedule_gets_no_new_tier_through_the_tier_admin(network, drafts):
    schedule = FeeSchedule.objects.get()
    issued(network, drafts["a"])
    new_tier = {"schedule": schedule.pk, "min_population": 100000, "annual_fee": "1.00"}
    client_for(network, "staff").post(reverse("admin:billing_feetier_add"), new_tier)
    assert schedule.tiers.count() == 3


# --- Travel costs -----------------------------------------------------------------------------


def record_cost(network, amount: str = "84.60") -> TravelCost:
    """A consultant records a travel cost in the admin."""
    response = client_for(network, "consultant").post(
        reverse("admin:billing_travelcost_add"),
        {
            "membership": network.membership_a.pk,
            "date": "2021-04-20",
            "traveller": "Aino Asiantuntija",
            "description": "Junaliput Helsinki–Tampere–Helsinki",
            "net_amount": amount,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    return TravelCost.objects.latest("pk")


def test_a_travel_cost_records_who_added_it_and_who_approved_it(network):
    # given
    cost = record_cost(network)
    recorded = (cost.recorded_by, cost.status, cost.approved_by)

    # when
    act(client_for(network, "finance"), "travelcost", "approve", cost)

    # then
    assert recorded == (network.consultant, TravelCostStatus.RECORDED, None)
    cost.refresh_from_db()
    assert (cost.status, cost.approved_by) == (TravelCostStatus.APPROVED, network.finance)
    assert cost.approved_at is not None


def test_invoice_now_issues_approved_costs_once(
    network, drafts, django_capture_on_commit_callbacks
):
    # given
    cost, other = record_cost(network), record_cost(network, "46.30")
    client = client_for(network, "finance")
    act(client, "travelcost", "approve", cost, other)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "travelcost", "invoice_now", cost, other)
        act(client, "travelcost", "invoice_now", cost, other)

    # then
    invoice = Invoice.objects.get(kind=InvoiceKind.TRAVEL_COSTS)
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.document_status == DocumentStatus.READY
    assert sorted(line.travel_cost_id for line in invoice.lines.all()) == [cost.pk, other.pk]
    assert invoice.net_total == Decimal("130.90")
    cost.refresh_from_db()
    assert cost.status == TravelCostStatus.INVOICED
    assert cost.invoice_lines.count() == 1


# --- Permissions ------------------------------------------------------------------------------


def test_a_consultant_adds_travel_costs_but_sees_no_invoices(network, drafts):
    # given
    finance, client = client_for(network, "finance"), client_for(network, "consultant")
    changelist = reverse("admin:billing_invoice_changelist")
    change = reverse("admin:billing_invoice_change", args=[drafts["a"].pk])

    # when
    act(client, "travelcost", "approve", record_cost(network))

    # then
    assert client.get(reverse("admin:billing_travelcost_add")).status_code == 200
    assert client.get(changelist).status_code == client.get(change).status_code == 403
    assert finance.get(changelist).status_code == 200
    assert not TravelCost.objects.filter(status=TravelCostStatus.APPROVED).exists()
