"""Invoices in the portal: who sees which, the document downloads, the export, the dashboard."""

import datetime
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from billing import services
from billing.models import (
    BatchStatus,
    BillingBatch,
    Invoice,
    InvoiceKind,
    TravelCost,
    TravelCostStatus,
)

from ..conftest import client_for
from .factories import billing_world

pytestmark = pytest.mark.django_db

INCLUSIVE = (
    "The bounds are inclusive: a municipality of exactly 9 000 or exactly 45 000 inhabitants "
    "pays the middle fee. The experts' travel costs are invoiced at actual cost."
)


def make_billable(network) -> None:
    """Seller, the season's fee schedule, addresses and the populations of 2020 (B has exactly
    9 000 inhabitants, the middle tier's lower bound)."""
    billing_world(network, population_b=9000)


def travel_draft(network, membership, amount="84.60") -> Invoice:
    TravelCost.objects.create(
        membership=membership,
        date=datetime.date(2021, 4, 20),
        traveller="Aino Asiantuntija",
        description="Junaliput",
        net_amount=Decimal(amount),
        status=TravelCostStatus.APPROVED,
        recorded_by=network.consultant,
        approved_by=network.staff,
        approved_at=datetime.datetime(2021, 4, 21, 12, tzinfo=datetime.UTC),
    )
    services.travel_cost_drafts(membership=membership)
    return Invoice.objects.get(membership=membership, kind=InvoiceKind.TRAVEL_COSTS, status="draft")


def issue(network, draft: Invoice, *, render: bool = True) -> Invoice:
    invoice = services.invoice_issue(
        invoice=draft, actor=network.finance, today=datetime.date(2021, 2, 15)
    )
    if render:
        services.render_documents(invoice)
    return invoice


@dataclass
class Billed:
    fee_a: Invoice
    fee_b: Invoice
    draft_a: Invoice


@pytest.fixture
def billed(network) -> Billed:
    """A's and B's annual fees of 2021 issued with their documents; A's travel costs a draft."""
    make_billable(network)
    services.billing_run(season=network.membership_a.season, year=2021)
    fees = Invoice.objects.filter(kind=InvoiceKind.ANNUAL_FEE)
    fee_a = issue(network, fees.get(membership=network.membership_a))
    fee_b = issue(network, fees.get(membership=network.membership_b))
    return Billed(fee_a=fee_a, fee_b=fee_b, draft_a=travel_draft(network, network.membership_a))


def listed(response) -> set[int]:
    return {invoice.pk for invoice in response.context["invoices"]}


def test_a_contact_sees_only_their_municipalitys_issued_invoices(network, billed):
    # when
    response = client_for(network, "contact_a").get(reverse("billing:invoice_list"))

    # then
    assert response.status_code == 200
    assert listed(response) == {billed.fee_a.pk}
    assert billed.fee_b.number not in response.text
    with translation.override(response["Content-Language"]):
        assert str(billed.fee_a.get_status_display()) in response.text
        assert (
            formats.number_format(billed.fee_a.gross_total, 2, force_grouping=True) in response.text
        )
    assert billed.fee_a.gross_total == Decimal("13640.00")
    assert billed.fee_a.due_date.strftime("%-d.%-m.%Y") in response.text
    assert reverse("billing:invoice_pdf", args=[billed.fee_a.pk]) in response.text


def test_the_pdf_download_returns_the_stored_pdf(network, billed):
    # when
    url = reverse("billing:invoice_pdf", args=[billed.fee_a.pk])
    response = client_for(network, "contact_a").get(url)

    # then
    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert content == billed.fee_a.pdf.read()
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert billed.fee_a.number in text


def test_another_municipalitys_contact_cannot_download_the_pdf(network, billed):
    url = reverse("billing:invoice_pdf", args=[billed.fee_a.pk])
    assert client_for(network, "contact_b").get(url).status_code == 404
    draft_url = reverse("billing:invoice_pdf", args=[billed.draft_a.pk])
    assert client_for(network, "contact_a").get(draft_url).status_code == 404


@pytest.mark.parametrize("persona", ["finance", "staff"])
def test_billing_staff_see_every_issued_invoice(network, billed, persona):
    response = client_for(network, persona).get(reverse("billing:invoice_list"))
    assert response.status_code == 200
    assert listed(response) == {billed.fee_a.pk, billed.fee_b.pk}
    assert network.municipality_b.name in response.text


def test_a_consultant_may_not_list_invoices(network, billed):
    response = client_for(network, "consultant").get(reverse("billing:invoice_list"))
    assert response.status_code == 403


@pytest.mark.parametrize("name", ["invoice_list", "invoice_pdf"])
def test_anonymous_is_sent_to_login(network, billed, name):
    url = reverse(f"billing:{name}", args=[] if name == "invoice_list" else [billed.fee_a.pk])
    response = client_for(network, "anonymous").get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("finance", 200), ("staff", 200), ("contact_a", 403), ("consultant", 403)],
)
def test_the_finvoice_download_is_for_billing_staff(network, billed, persona, status):
    url = reverse("billing:invoice_finvoice", args=[billed.fee_a.pk])
    response = client_for(network, persona).get(url)
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == billed.fee_a.finvoice.read()


def test_the_zip_export_holds_the_register_and_the_documents(network, billed):
    # when
    url = reverse("billing:export_zip", args=["2021-2022", 2021])
    response = client_for(network, "finance").get(url)

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    numbers = sorted([billed.fee_a.number, billed.fee_b.number])
    assert sorted(archive.namelist()) == sorted(
        ["register.csv", "register.xlsx"]
        + [f"pdf/{number}.pdf" for number in numbers]
        + [f"finvoice/{number}.xml" for number in numbers]
    )
    register = archive.read("register.csv").decode("utf-8-sig").splitlines()
    assert [row.split(";")[0] for row in register[1:]] == numbers
    assert archive.read(f"pdf/{billed.fee_a.number}.pdf") == billed.fee_a.pdf.read()
    assert client_for(network, "contact_a").get(url).status_code == 403


def test_the_batch_progress_page_and_its_htmx_fragment(network):
    # given
    batch = BillingBatch.objects.create(
        season=network.membership_a.season,
        year=2021,
        status=BatchStatus.RUNNING,
        total=4,
        issued=4,
        rendered=2,
        created_by=network.finance,
    )
    client = client_for(network, "finance")
    url = reverse("billing:batch_progress", args=[batch.pk])

    # when
    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})

    # then
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.text
    assert 'id="batch-progress"' in page.text
    assert fragment.text.lstrip().startswith('<section id="batch-progress"')
    assert "<html" not in fragment.text
    assert "<h1" not in fragment.text
    assert 'value="50"' in fragment.text
    assert f'hx-get="{url}"' in fragment.text
    assert client_for(network, "contact_a").get(url).status_code == 403


def test_the_fee_table_says_the_tier_bounds_are_inclusive(network, billed):
    # when
    response = client_for(network, "contact_a").get(reverse("billing:invoice_list"))

    # then
    assert response.context["schedule"].season == network.membership_a.season
    text = response.text
    for label in ("0–8 999", "9 000–45 000", "45 001–"):
        assert label in text
    with translation.override(response["Content-Language"]):
        note = translation.gettext(INCLUSIVE)
        fee = formats.number_format(Decimal("11000.00"), 2, force_grouping=True)
    assert note in text
    assert fee in text


@pytest.mark.parametrize("persona", ["contact_a", "finance"])
def test_the_invoice_list_query_count_is_constant(network, persona, django_assert_max_num_queries):
    # given: one issued invoice with its documents, a draft
    make_billable(network)
    issue(network, travel_draft(network, network.membership_a))
    client = client_for(network, persona)
    url = reverse("billing:invoice_list")
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)

    # when: 49 more, a credit note among them
    for _ in range(48):
        issue(network, travel_draft(network, network.membership_a), render=False)
    original = Invoice.objects.filter(status="issued").first()
    issue(network, services.credit_note_create(original=original, actor=network.finance))
    travel_draft(network, network.membership_a)

    # then
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["invoices"]) == 50
    assert original.number in response.text


def test_the_admin_invoice_changelist_query_count_is_constant(
    network, django_assert_max_num_queries
):
    make_billable(network)
    issue(network, travel_draft(network, network.membership_a))
    client = client_for(network, "finance")
    url = reverse("admin:billing_invoice_changelist")
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(48):
        issue(network, travel_draft(network, network.membership_b), render=False)
    travel_draft(network, network.membership_a)  # and a draft
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 50


def test_the_dashboard_shows_the_invoices_panel_to_a_contact(network, billed):
    # when
    response = client_for(network, "contact_a").get(reverse("municipalities:dashboard"))

    # then
    assert response.status_code == 200
    assert 'id="invoices-panel-heading"' in response.text
    assert billed.fee_a.number in response.text
    assert billed.fee_b.number not in response.text
    assert reverse("billing:invoice_list") in response.text
    with translation.override(response["Content-Language"]):
        assert (
            formats.number_format(billed.fee_a.gross_total, 2, force_grouping=True) in response.text
        )
