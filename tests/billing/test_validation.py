"""What billing refuses before anything irreversible: incomplete master data before the number
is taken, hand-entered lines that do not add up or carry the wrong VAT, travel costs dated in the
future or outside the season, credit notes in bulk. Each refusal names what is wrong."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from lxml import etree
from pypdf import PdfReader

from billing import services
from billing.models import (
    DocumentStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSeries,
    InvoiceStatus,
    SellerSettings,
    TravelCost,
    TravelCostStatus,
)
from billing.services.batches import issue_drafts

from ..conftest import client_for
from .factories import billing_world
from .test_admin import act, change_form_data

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 10)


@pytest.fixture
def drafts(network):
    billing_world(network)
    services.billing_run(season=network.membership_a.season, year=2021)
    return network


def draft_of(network, municipality="a") -> Invoice:
    membership = network.membership_a if municipality == "a" else network.membership_b
    return Invoice.objects.get(membership=membership, kind=InvoiceKind.ANNUAL_FEE)


def refusal(network, municipality="a") -> list[str]:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.invoice_issue(invoice=draft_of(network, municipality), actor=network.finance)
    return refused.value.messages


def next_number() -> int:
    """The counter of the series (numbers 1000001, 1000002, …)."""
    return InvoiceSeries.objects.get(code="uso").next_number


# --- Master data: checked before the number is taken -------------------------------------------


def test_a_buyer_with_an_einvoice_address_but_no_operator_is_refused_before_the_number(drafts):
    # given Ylöjärvi's e-invoice address without its operator
    drafts.municipality_a.einvoice_operator = ""
    drafts.municipality_a.save()

    # when
    messages = refusal(drafts)

    # then the refusal names the municipality and the missing field, and costs no number
    assert messages == [
        "Ylöjärvi (980): the municipality has an e-invoice address but no e-invoice operator "
        "ID; add it in the admin (Municipalities) or remove the address."
    ]
    assert next_number() == 1
    assert draft_of(drafts).status == InvoiceStatus.DRAFT
    assert services.invoice_issue(invoice=draft_of(drafts, "b"), actor=drafts.finance).number == (
        "1000001"
    )


@pytest.mark.parametrize(
    ("field", "named"),
    [
        ("einvoice_address", "e-invoice address"),
        ("einvoice_operator", "e-invoice operator ID"),
        ("bic", "BIC"),
        ("iban", "IBAN"),
        ("business_id", "business ID"),
    ],
)
def test_seller_details_the_documents_need_are_checked_before_the_number(drafts, field, named):
    # given seller details without one field (as a direct database edit would leave them)
    SellerSettings.objects.update(**{field: ""})

    # when
    messages = refusal(drafts)

    # then
    assert messages == [
        f"Ylöjärvi (980): the seller details have no {named}; add them in the admin "
        "(Seller details)."
    ]
    assert next_number() == 1


def test_a_buyer_without_an_einvoice_address_needs_no_seller_einvoice_details(drafts):
    # given a municipality invoiced on paper and a seller without e-invoicing
    drafts.municipality_a.einvoice_address = drafts.municipality_a.einvoice_operator = ""
    drafts.municipality_a.save()
    SellerSettings.objects.update(einvoice_address="", einvoice_operator="")

    # when
    invoice = services.invoice_issue(invoice=draft_of(drafts), actor=drafts.finance)
    services.render_documents(invoice)

    # then both documents are made (the Finvoice without transmission details)
    assert invoice.document_status == DocumentStatus.READY
    assert b"MessageTransmissionDetails" not in invoice.finvoice.read()


def test_a_finvoice_that_would_not_validate_is_refused_before_the_number(drafts):
    # given a business ID too short for the payment order (entered past its validator)
    SellerSettings.objects.update(business_id="123-4")

    # when
    messages = refusal(drafts)

    # then the schema's complaint is named and no number is spent
    assert len(messages) == 1
    assert messages[0].startswith("Ylöjärvi (980): the Finvoice message would be invalid: ")
    assert "EpiBei" in messages[0]
    assert next_number() == 1


def test_a_refused_draft_in_a_bulk_run_keeps_the_reason_and_the_others_are_issued(drafts):
    # given
    drafts.municipality_a.einvoice_operator = ""
    drafts.municipality_a.save()
    season = drafts.membership_a.season

    # when
    with translation.override("en"):
        result = issue_drafts(season=season, year=2021, actor=drafts.finance)

    # then
    assert [invoice.number for invoice in result.issued] == ["1000001"]
    assert len(result.problems) == 1 and result.problems[0].startswith("Ylöjärvi (980): ")
    refused = draft_of(drafts)
    assert refused.status == InvoiceStatus.DRAFT
    assert "e-invoice operator ID" in refused.issue_error


def test_a_series_too_long_for_a_payment_reference_is_refused():
    series = InvoiceSeries(code="long", prefix="2026", width=16)
    with translation.override("en"), pytest.raises(ValidationError, match="3–19 digits"):
        series.full_clean()


# --- Hand-entered invoice lines ---------------------------------------------------------------


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def line_form(client, draft: Invoice, **changes) -> dict:
    url = reverse("admin:billing_invoice_change", args=[draft.pk])
    data = change_form_data(client.get(url))
    data.update({f"lines-0-{name}": value for name, value in changes.items()})
    return client.post(url, data)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"quantity": "2", "unit_price": "100.00", "net": "150.00"},
            "net",
            "Quantity × unit price is 200.00, not the net amount 150.00.",
            id="net-not-quantity-times-price",
        ),
        pytest.param(
            {"quantity": "3", "unit_price": "10.015", "net": "30.04"},
            "unit_price",
            "Ensure that there are no more than 2 decimal places.",
            id="sub-cent-price",
        ),
        pytest.param(
            {"vat_rate": "25.50"},
            "vat_rate",
            "The VAT rate in force on 31.12.2021 is 24 %, not 25.5 %.",
            id="rate-not-in-force",
        ),
        pytest.param(
            {"vat_rate": "0"},
            "vat_exemption_reason",
            "0 % VAT needs an exemption reason (the provision of the VAT Act).",
            id="zero-without-reason",
        ),
        pytest.param(
            {"vat_exemption_reason": "AVL 37 §"},
            "vat_exemption_reason",
            "Only a line with 0 % VAT has an exemption reason.",
            id="reason-without-zero",
        ),
    ],
)
def test_a_hand_entered_line_that_does_not_add_up_is_a_form_error(
    network, drafts, changes, field, message
):
    # given finance editing the draft's line in the admin
    client = in_english(client_for(network, "finance"))
    draft = draft_of(network)

    # when
    response = line_form(client, draft, **changes)

    # then the page answers with the error at the field; the line is as it was
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.forms[0].errors[field] == [message]
    line = draft.lines.get()
    assert (line.net, line.vat_rate, line.vat_exemption_reason) == (
        Decimal("11000.00"),
        Decimal("24.00"),
        "",
    )


def test_a_line_the_services_would_refuse_is_refused_at_issue_too(drafts):
    # given a line written past the forms (a script, an old row) with the wrong rate
    draft = draft_of(drafts)
    InvoiceLine.objects.filter(invoice=draft).update(vat_rate=Decimal("25.50"))

    # when
    messages = refusal(drafts)

    # then
    assert messages == [
        "Ylöjärvi (980): Line 1: The VAT rate in force on 31.12.2021 is 24 %, not 25.5 %."
    ]
    assert next_number() == 1


def test_the_database_refuses_a_zero_rate_without_reason_and_a_net_a_cent_off(drafts):
    from django.db import IntegrityError, transaction

    line = draft_of(drafts).lines.get()
    for values in ({"vat_rate": 0}, {"net": line.net + Decimal("0.01")}):
        with transaction.atomic(), pytest.raises(IntegrityError):
            InvoiceLine.objects.filter(pk=line.pk).update(**values)


def test_zero_vat_with_an_exemption_reason_is_printed_and_sent(network, drafts):
    # given a 0 % line with its reason, entered in the admin
    client = client_for(network, "finance")
    draft = draft_of(network)
    reason = "Arvonlisäverolain 37 §"
    response = line_form(client, draft, vat_rate="0", vat_exemption_reason=reason)
    assert response.status_code == 302

    # when
    invoice = services.invoice_issue(invoice=draft, actor=network.finance, today=DAY)
    services.render_documents(invoice)

    # then the PDF and the Finvoice carry the reason, with VAT code E
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(invoice.pdf.read())).pages)
    assert reason in text
    finvoice = etree.fromstring(invoice.finvoice.read())
    assert finvoice.findtext("InvoiceDetails/VatSpecificationDetails/VatFreeText") == reason
    assert finvoice.findtext("InvoiceDetails/VatSpecificationDetails/VatCode") == "E"
    assert finvoice.findtext("InvoiceRow/RowVatCode") == "E"
    assert invoice.vat_total == Decimal("0.00")
    # and its credit note keeps the reason
    credit = services.credit_note_create(original=invoice, actor=network.finance)
    assert credit.lines.get().vat_exemption_reason == reason


# --- Travel costs -----------------------------------------------------------------------------


def post_cost(network, day: str):
    return in_english(client_for(network, "consultant")).post(
        reverse("admin:billing_travelcost_add"),
        {
            "membership": network.membership_a.pk,
            "date": day,
            "traveller": "Aino Asiantuntija",
            "description": "Junaliput",
            "net_amount": "84.60",
        },
    )


@pytest.mark.parametrize(
    ("day", "message"),
    [
        pytest.param(
            "2031-04-20",
            "The travel date 20.04.2031 is in the future.",
            id="future",
        ),
        pytest.param(
            "2020-12-31",
            "The travel date 31.12.2020 is outside the season 2021-2022 of the membership "
            "(01.01.2021–31.12.2022).",
            id="before-the-season",
        ),
    ],
)
def test_a_travel_cost_dated_in_the_future_or_outside_the_season_is_a_form_error(
    network, day, message
):
    response = post_cost(network, day)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["date"] == [message]
    assert not TravelCost.objects.exists()


def test_a_bad_travel_cost_already_approved_is_not_invoiced_and_pulls_nothing_along(drafts):
    # given a real cost and one dated 2031 that got in before the rule
    real = services.travel_cost_approve(
        cost=TravelCost.objects.create(
            membership=drafts.membership_a,
            date=datetime.date(2021, 4, 20),
            traveller="Aino",
            description="Junaliput",
            net_amount=Decimal("84.60"),
            recorded_by=drafts.consultant,
        ),
        actor=drafts.staff,
    )
    future = TravelCost.objects.create(
        membership=drafts.membership_a,
        date=datetime.date(2031, 4, 20),
        traveller="Aino",
        description="Kirjoitusvirhe",
        net_amount=Decimal("46.30"),
        recorded_by=drafts.consultant,
        status=TravelCostStatus.APPROVED,
        approved_by=drafts.staff,
        approved_at=real.approved_at,
    )

    # when
    with translation.override("en"):
        result = services.billing_run(season=drafts.membership_a.season, year=2021)

    # then the real cost is on a 2021 draft alone, and the run names the other
    travel = Invoice.objects.get(kind=InvoiceKind.TRAVEL_COSTS)
    assert travel.year == 2021
    assert [line.travel_cost_id for line in travel.lines.all()] == [real.pk]
    assert result.problems == [
        f"Ylöjärvi (980): travel cost {future} not invoiced: "
        "The travel date 20.04.2031 is in the future."
    ]
    future.refresh_from_db()
    assert future.status == TravelCostStatus.APPROVED


def test_approving_a_travel_cost_dated_in_the_future_is_refused_with_a_message(network):
    # given a cost recorded before the rule, dated in the future
    cost = TravelCost.objects.create(
        membership=network.membership_a,
        date=datetime.date(2031, 4, 20),
        traveller="Aino",
        description="Junaliput",
        net_amount=Decimal("84.60"),
        recorded_by=network.consultant,
    )

    # when
    response = act(client_for(network, "finance"), "travelcost", "approve", cost)

    # then
    assert response.status_code == 302
    cost.refresh_from_db()
    assert cost.status == TravelCostStatus.RECORDED


# --- Credit notes are issued one by one -------------------------------------------------------


def test_a_bulk_run_never_issues_credit_note_drafts(drafts):
    # given an issued invoice and its credit note draft
    original = services.invoice_issue(invoice=draft_of(drafts), actor=drafts.finance)
    credit = services.credit_note_create(original=original, actor=drafts.finance)

    # when
    result = issue_drafts(season=drafts.membership_a.season, year=2021, actor=drafts.finance)

    # then only the other member's invoice is issued
    assert [invoice.pk for invoice in result.issued] == [draft_of(drafts, "b").pk]
    credit.refresh_from_db()
    original.refresh_from_db()
    assert credit.status == InvoiceStatus.DRAFT
    assert original.status == InvoiceStatus.ISSUED
