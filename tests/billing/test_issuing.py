"""Issuing: numbers, references, due dates, snapshots, immutability, credit notes, documents."""

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from pypdf import PdfReader

from billing import services
from billing.documents import InvoiceDocument
from billing.finvoice import validate_finvoice
from billing.models import ImmutableInvoice, Invoice, InvoiceLine, InvoiceStatus, SellerSettings
from billing.reference import is_valid_reference

from .factories import billing_world

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 10)  # 10.12.2026 + 21 days = 31.12.2026, a banking day


@pytest.fixture
def drafts(network):
    billing_world(network)
    services.billing_run(season=network.membership_a.season, year=2021)
    return network


def issue(network, municipality="a", today=DAY):
    membership = network.membership_a if municipality == "a" else network.membership_b
    draft = Invoice.objects.get(membership=membership, kind="annual_fee")
    return services.invoice_issue(invoice=draft, actor=network.finance, today=today)


def test_issuing_gives_number_reference_dates_and_totals(drafts):
    invoice = issue(drafts)

    assert invoice.number == "1000001"
    assert invoice.reference == "10000016"
    assert is_valid_reference(invoice.reference)
    assert invoice.rf_reference.startswith("RF")
    assert (invoice.invoice_date, invoice.due_date) == (DAY, datetime.date(2026, 12, 31))
    assert (invoice.net_total, invoice.vat_total, invoice.gross_total) == (
        Decimal("11000.00"),
        Decimal("2640.00"),  # 24 % in force at the end of 2021
        Decimal("13640.00"),
    )
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.issued_by == drafts.finance


def test_numbers_are_consecutive_and_drafts_have_none(drafts):
    draft = Invoice.objects.get(membership=drafts.membership_b)
    assert draft.number is None
    first, second = issue(drafts, "a"), issue(drafts, "b")
    assert (first.number, second.number) == ("1000001", "1000002")


def test_due_date_rolls_to_the_next_banking_day(drafts):
    # 3.12.2026 + 21 days = Christmas Eve → the next banking day is Monday 28.12.2026
    invoice = issue(drafts, today=datetime.date(2026, 12, 3))
    assert invoice.due_date == datetime.date(2026, 12, 28)


def test_the_payment_term_is_a_setting(drafts):
    SellerSettings.objects.update(payment_term_days=14)
    invoice = issue(drafts, today=datetime.date(2027, 1, 15))
    assert invoice.due_date == datetime.date(2027, 1, 29)


def test_snapshot_freezes_seller_buyer_and_lines(drafts):
    invoice = issue(drafts)
    # when the seller and the municipality change afterwards
    SellerSettings.objects.update(name="Uusi Nimi Oy", iban="FI4950009420028730")
    drafts.municipality_a.billing_street_address = "Muuttunut katu 1"
    drafts.municipality_a.save()
    # then the issued content is what it was
    document = InvoiceDocument.from_snapshot(Invoice.objects.get(pk=invoice.pk).snapshot)
    assert document.seller.name == "Esimerkki Konsultointi Oy"
    assert document.seller.iban == "FI2112345600000785"
    assert (document.buyer.name, document.buyer.street) == ("Ylöjärvi", "Kuruntie 14")
    assert document.buyer.business_id == "0158221-7"
    assert document.buyer_reference == drafts.membership_a.buyer_reference
    assert [line.net for line in document.lines] == [Decimal("11000.00")]
    assert document.virtual_barcode.startswith("4")
    assert len(document.virtual_barcode) == 54


def test_an_issued_invoice_cannot_be_changed_or_deleted(drafts):
    invoice = issue(drafts)
    invoice.notes = "muutettu"
    with pytest.raises(ImmutableInvoice):
        invoice.save()
    with pytest.raises(ImmutableInvoice):
        Invoice.objects.get(pk=invoice.pk).delete()
    line = InvoiceLine.objects.get(invoice=invoice)
    line.net = Decimal("1.00")
    with pytest.raises(ImmutableInvoice):
        line.save()
    with pytest.raises(ImmutableInvoice):
        line.delete()
    with pytest.raises(ValidationError):
        services.invoice_issue(invoice=invoice, actor=drafts.finance)
    # the lifecycle still moves
    invoice.refresh_from_db()
    services.invoice_mark_sent(invoice=invoice, on=DAY, channel="einvoice")
    services.invoice_mark_paid(invoice=invoice, on=DAY, amount=invoice.gross_total)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount) == (InvoiceStatus.PAID, Decimal("13640.00"))


def test_a_draft_can_be_edited_and_deleted(drafts):
    draft = Invoice.objects.get(membership=drafts.membership_a)
    draft.notes = "Huomio"
    draft.save()
    draft.delete()
    assert not Invoice.objects.filter(pk=draft.pk).exists()


def test_issuing_needs_seller_details_and_a_billing_address(drafts):
    drafts.municipality_a.billing_street_address = ""
    drafts.municipality_a.save()
    with translation.override("en"), pytest.raises(ValidationError, match="billing address"):
        issue(drafts)
    assert Invoice.objects.get(membership=drafts.membership_a).status == "draft"
    SellerSettings.objects.all().delete()
    with pytest.raises(ValidationError):
        issue(drafts, "b")


def test_a_refused_issue_uses_no_number(drafts):
    drafts.municipality_a.billing_street_address = ""
    drafts.municipality_a.save()
    with pytest.raises(ValidationError):
        issue(drafts, "a")
    assert issue(drafts, "b").number == "1000001"


def test_credit_note_references_the_original_and_negates_it(drafts):
    original = issue(drafts)
    credit = services.credit_note_create(
        original=original, actor=drafts.finance, reason="Väärä väestöluokka"
    )
    assert credit.status == "draft" and credit.credited_invoice == original

    credit = services.invoice_issue(invoice=credit, actor=drafts.finance, today=DAY)

    assert credit.number == "1000002"
    assert credit.gross_total == -original.gross_total
    assert credit.snapshot["original_number"] == original.number
    assert credit.snapshot["virtual_barcode"] == ""
    original.refresh_from_db()
    assert original.status == InvoiceStatus.CREDITED
    with pytest.raises(ValidationError):
        services.credit_note_create(original=original, actor=drafts.finance)
    # the fee can now be invoiced again, correctly
    result = services.billing_run(season=drafts.membership_a.season, year=2021)
    assert result.fee_invoices_created == 1


def test_credit_notes_cannot_be_credited_or_paid(drafts):
    credit = services.invoice_issue(
        invoice=services.credit_note_create(original=issue(drafts), actor=drafts.finance),
        actor=drafts.finance,
    )
    with pytest.raises(ValidationError):
        services.credit_note_create(original=credit, actor=drafts.finance)
    with pytest.raises(ValidationError):
        services.invoice_mark_paid(invoice=credit, on=DAY, amount=Decimal("1"))


def test_vat_is_computed_per_rate_on_the_summed_lines(drafts):
    draft = Invoice.objects.get(membership=drafts.membership_a)
    line = draft.lines.get()
    line.unit_price = line.net = Decimal("10.02")
    line.vat_rate = Decimal("25.5")
    line.supply_date = datetime.date(2024, 12, 31)  # 25.5 % in force
    line.save()
    for position in (2, 3):
        draft.lines.create(
            position=position,
            description="x",
            unit_price=Decimal("10.02"),
            net=Decimal("10.02"),
            vat_rate=Decimal("25.5"),
            supply_date=line.supply_date,
        )
    invoice = services.invoice_issue(invoice=draft, actor=drafts.finance, today=DAY)
    assert (invoice.net_total, invoice.vat_total) == (Decimal("30.06"), Decimal("7.67"))


def test_documents_are_rendered_once_and_stored_with_their_hash(drafts):
    invoice = issue(drafts)
    pdf = services.render_documents(invoice)
    invoice.refresh_from_db()
    assert invoice.document_status == "ready"
    stored = invoice.pdf.read()
    assert stored == pdf
    assert hashlib.sha256(stored).hexdigest() == invoice.pdf_sha256
    text = PdfReader(io.BytesIO(stored)).pages[0].extract_text()
    for expected in (
        invoice.number,
        "100 00016",
        "FI21 1234 5600 0007 85",
        "31.12.2026",
        "13 640,00",
        invoice.snapshot["virtual_barcode"],
    ):
        assert expected in text, expected
    xml = invoice.finvoice.read()
    validate_finvoice(xml)
    assert hashlib.sha256(xml).hexdigest() == invoice.finvoice_sha256
    # a second call renders nothing: documents are served from storage
    assert services.render_documents(invoice) is None


def test_a_failed_render_keeps_the_invoice_and_can_be_retried(drafts, monkeypatch):
    invoice = issue(drafts)

    def broken(*args, **kwargs):
        raise RuntimeError("font missing")

    monkeypatch.setattr("billing.rendering.render_pair", broken)
    assert services.render_documents(invoice) is None
    invoice.refresh_from_db()
    assert (invoice.status, invoice.document_status) == ("issued", "failed")
    assert "font missing" in invoice.render_error
    monkeypatch.undo()
    assert services.render_documents(invoice) is not None
    invoice.refresh_from_db()
    assert invoice.document_status == "ready" and invoice.render_error == ""
