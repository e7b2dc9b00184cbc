"""Issuing invoices: gapless numbers, the frozen snapshot, documents, credit notes, lifecycle.

Issuing is one short transaction: lock the series' counter row, take its number, freeze the
content. A rollback gives the number back, so committed numbers are gapless. The PDF and the
Finvoice message are rendered after the commit and stored with their SHA-256; a failed render
leaves the issued invoice intact with "rendering failed" and can be retried.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from municipalities.models import Membership, User

from .. import duedate
from ..barcode import virtual_barcode
from ..documents import InvoiceDocument, Line, Party, Seller, VatBreakdown
from ..models import (
    DocumentStatus,
    Invoice,
    InvoiceKind,
    InvoiceSeries,
    InvoiceStatus,
    SellerSettings,
)
from ..money import ZERO, cents, vat_amount
from ..reference import reference_from_number, rf_from_reference

logger = logging.getLogger(__name__)
BARCODE_LIMIT = Decimal("999999.99")


def default_series() -> InvoiceSeries:
    return InvoiceSeries.objects.get(code="uso")


def seller_snapshot() -> Seller:
    settings_row = SellerSettings.objects.first()
    if settings_row is None:
        raise ValidationError(_("Enter the seller details in the admin before issuing invoices."))
    return Seller(
        name=settings_row.name,
        business_id=settings_row.business_id,
        vat_id=settings_row.vat_id,
        street=settings_row.street,
        postal_code=settings_row.postal_code,
        city=settings_row.city,
        einvoice_address=settings_row.einvoice_address,
        einvoice_operator=settings_row.einvoice_operator,
        contact_name=settings_row.contact_name,
        email=settings_row.email,
        phone=settings_row.phone,
        iban=settings_row.iban.replace(" ", ""),
        bic=settings_row.bic,
        home_town=settings_row.city,
    )


def buyer_snapshot(membership: Membership) -> Party:
    municipality = membership.municipality
    if not (municipality.billing_street_address and municipality.billing_postal_code):
        raise ValidationError(
            _("%(municipality)s has no billing address; add it in the admin.")
            % {"municipality": municipality.name_fi}
        )
    return Party(
        name=municipality.name_sv
        if municipality.preferred_language == "sv" and municipality.name_sv
        else municipality.name_fi,
        business_id=municipality.business_id,
        vat_id=f"FI{municipality.business_id.replace('-', '')}" if municipality.business_id else "",
        street=municipality.billing_street_address,
        postal_code=municipality.billing_postal_code,
        city=municipality.billing_post_office,
        einvoice_address=municipality.einvoice_address,
        einvoice_operator=municipality.einvoice_operator,
    )


def totals(lines: list[Line]) -> tuple[tuple[VatBreakdown, ...], Decimal, Decimal, Decimal]:
    """VAT per rate on the summed net amounts, rounded half up (spec §5.5)."""
    bases: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        bases[line.vat_rate] += line.net
    breakdown = tuple(
        VatBreakdown(rate=rate, base=cents(base), vat=vat_amount(base, rate))
        for rate, base in sorted(bases.items())
    )
    net = cents(sum((row.base for row in breakdown), ZERO))
    vat = cents(sum((row.vat for row in breakdown), ZERO))
    return breakdown, net, vat, net + vat


def _lines(invoice: Invoice) -> list[Line]:
    lines = []
    for row in invoice.lines.order_by("position"):
        line_vat = vat_amount(row.net, row.vat_rate)
        lines.append(
            Line(
                position=row.position,
                description=row.description,
                details=row.details,
                quantity=row.quantity,
                unit=row.unit,
                unit_price=row.unit_price,
                net=row.net,
                vat_rate=row.vat_rate,
                vat=line_vat,
                gross=row.net + line_vat,
                period_start=row.period_start,
                period_end=row.period_end,
                supply_date=row.supply_date,
            )
        )
    return lines


@transaction.atomic
def invoice_issue(*, invoice: Invoice, actor: User, today: datetime.date | None = None) -> Invoice:
    """Issue a draft: number, dates, reference and frozen content, in one short transaction."""
    invoice = (
        Invoice.objects.select_for_update()
        .select_related("membership__municipality", "membership__season")
        .get(pk=invoice.pk)
    )
    if invoice.status != InvoiceStatus.DRAFT:
        raise ValidationError(
            _("Invoice %(number)s is already issued.") % {"number": invoice.number}
        )
    lines = _lines(invoice)
    if not lines:
        raise ValidationError(_("An invoice needs at least one line."))
    seller = seller_snapshot()
    buyer = buyer_snapshot(invoice.membership)
    breakdown, net, vat, gross = totals(lines)
    credit = invoice.kind == InvoiceKind.CREDIT_NOTE
    if credit != (gross < 0) and gross != 0:
        raise ValidationError(_("An invoice totals more than zero and a credit note less."))
    original = None
    if credit:
        original = Invoice.objects.select_for_update().get(pk=invoice.credited_invoice_id)
        if original.status in (InvoiceStatus.DRAFT, InvoiceStatus.CREDITED):
            raise ValidationError(_("Only an issued, not yet credited invoice can be credited."))

    series = InvoiceSeries.objects.select_for_update().get(pk=invoice.series_id)
    number = series.format(series.next_number)
    InvoiceSeries.objects.filter(pk=series.pk).update(next_number=F("next_number") + 1)

    invoice_date = today or timezone.localdate()
    due = duedate.due_date(invoice_date, SellerSettings.objects.get().payment_term_days)
    reference = reference_from_number(number)
    barcode = ""
    if not credit and ZERO <= gross <= BARCODE_LIMIT:
        barcode = virtual_barcode(iban=seller.iban, amount=gross, reference=reference, due_date=due)
    municipality = invoice.membership.municipality
    language = municipality.preferred_language
    with translation.override(language):
        penalty = _("Penalty interest according to the Interest Act.")
    starts = [line.period_start for line in lines if line.period_start]
    ends = [line.period_end for line in lines if line.period_end]
    document = InvoiceDocument(
        kind=invoice.kind,
        number=number,
        invoice_date=invoice_date,
        due_date=due,
        reference=reference,
        rf_reference=rf_from_reference(reference),
        virtual_barcode=barcode,
        seller=seller,
        buyer=buyer,
        buyer_reference=invoice.membership.buyer_reference,
        lines=tuple(lines),
        vat_breakdown=breakdown,
        net_total=net,
        vat_total=vat,
        gross_total=gross,
        language=language,
        period_start=min(starts) if starts else None,
        period_end=max(ends) if ends else None,
        payment_term_days=(due - invoice_date).days,
        penalty_interest=penalty,
        original_number=original.number if original else "",
        original_date=original.invoice_date if original else None,
        notes=invoice.notes,
        season=invoice.membership.season.slug,
    )
    invoice.number = number
    invoice.invoice_date = invoice_date
    invoice.due_date = due
    invoice.reference = reference
    invoice.rf_reference = document.rf_reference
    invoice.snapshot = document.to_snapshot()
    invoice.net_total, invoice.vat_total, invoice.gross_total = net, vat, gross
    invoice.status = InvoiceStatus.ISSUED
    invoice.document_status = DocumentStatus.PENDING
    invoice.issued_at = timezone.now()
    invoice.issued_by = actor
    invoice.save()
    if original is not None:
        original.status = InvoiceStatus.CREDITED
        original.save(update_fields=["status"])
    return invoice


def render_documents(invoice: Invoice) -> bytes | None:
    """Render and store the PDF and the Finvoice message once; returns the PDF or None."""
    from ..rendering import render_pair

    if invoice.document_status == DocumentStatus.READY:
        return None
    try:
        pdf, xml = render_pair(
            invoice.snapshot, message_id=f"{invoice.number}-1", timestamp=invoice.issued_at
        )
    except Exception as error:
        logger.exception("rendering invoice %s failed", invoice.number)
        Invoice.objects.filter(pk=invoice.pk).update(
            document_status=DocumentStatus.FAILED, render_error=f"{type(error).__name__}: {error}"
        )
        invoice.refresh_from_db()
        return None
    store_documents(invoice, pdf, xml)
    return pdf


def store_documents(invoice: Invoice, pdf: bytes, xml: bytes) -> None:
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(pdf), save=False)
    invoice.finvoice.save(f"{invoice.number}.xml", ContentFile(xml), save=False)
    invoice.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    invoice.finvoice_sha256 = hashlib.sha256(xml).hexdigest()
    invoice.document_status = DocumentStatus.READY
    invoice.render_error = ""
    invoice.save(
        update_fields=[
            "pdf",
            "finvoice",
            "pdf_sha256",
            "finvoice_sha256",
            "document_status",
            "render_error",
        ]
    )


@transaction.atomic
def credit_note_create(*, original: Invoice, actor: User, reason: str = "") -> Invoice:
    """A draft credit note of the whole invoice: the same lines with negative amounts."""
    original = Invoice.objects.select_for_update().get(pk=original.pk)
    if original.kind == InvoiceKind.CREDIT_NOTE:
        raise ValidationError(_("A credit note cannot be credited."))
    if original.status in (InvoiceStatus.DRAFT, InvoiceStatus.CREDITED):
        raise ValidationError(_("Only an issued, not yet credited invoice can be credited."))
    if Invoice.objects.filter(credited_invoice=original).exists():
        raise ValidationError(
            _("Invoice %(number)s already has a credit note.") % {"number": original.number}
        )
    credit = Invoice.objects.create(
        kind=InvoiceKind.CREDIT_NOTE,
        membership=original.membership,
        year=original.year,
        series=original.series,
        credited_invoice=original,
        notes=reason,
    )
    with translation.override(original.membership.municipality.preferred_language):
        prefix = _("Credit")
    for line in original.lines.order_by("position"):
        credit.lines.create(
            position=line.position,
            description=f"{prefix}: {line.description}"[:300],
            details=line.details,
            quantity=-line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            net=-line.net,
            vat_rate=line.vat_rate,
            supply_date=line.supply_date,
            period_start=line.period_start,
            period_end=line.period_end,
        )
    return credit


def invoice_mark_sent(*, invoice: Invoice, on: datetime.date, channel: str) -> Invoice:
    if invoice.status != InvoiceStatus.ISSUED:
        raise ValidationError(_("Only an issued invoice is marked sent."))
    invoice.status, invoice.sent_on, invoice.sent_channel = InvoiceStatus.SENT, on, channel
    invoice.save(update_fields=["status", "sent_on", "sent_channel"])
    return invoice


def invoice_mark_paid(*, invoice: Invoice, on: datetime.date, amount: Decimal) -> Invoice:
    if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.SENT):
        raise ValidationError(_("Only an issued or sent invoice is marked paid."))
    if invoice.kind == InvoiceKind.CREDIT_NOTE:
        raise ValidationError(_("A credit note is not paid."))
    invoice.status, invoice.paid_on, invoice.paid_amount = InvoiceStatus.PAID, on, cents(amount)
    invoice.save(update_fields=["status", "paid_on", "paid_amount"])
    return invoice
