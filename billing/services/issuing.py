"""Issuing invoices: gapless numbers, the frozen snapshot, credit notes, lifecycle.

Issuing is one short transaction: lock the series' counter row, build the would-be content with
the next number and check everything the documents need (the lines, the parties, the Finvoice
message against its schema, the PDF's barcode), and only then take the number and freeze the
content. A refusal or a rollback gives the number back, so committed numbers are gapless and no
number is spent on an invoice whose documents could never be made. The PDF and the Finvoice
message are rendered after the commit (`services.documents`).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from municipalities.models import Membership, Municipality, User

from .. import duedate
from ..barcode import virtual_barcode
from ..documents import InvoiceDocument, Line, Party, Seller, VatBreakdown
from ..models import (
    DocumentStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSeries,
    InvoiceStatus,
    SellerSettings,
)
from ..money import ZERO, cents, vat_amount
from ..reference import reference_from_number, rf_from_reference
from .checks import lines_problems, party_problems

logger = logging.getLogger(__name__)
BARCODE_LIMIT = Decimal("999999.99")


class AlreadyIssued(ValidationError):
    """The draft was issued meanwhile (by another worker or request): nothing to do."""


def where(municipality: Municipality) -> str:
    """How a refusal names the municipality: "Ylöjärvi (980)"."""
    return f"{municipality.name_fi} ({municipality.code})"


def default_series() -> InvoiceSeries:
    return InvoiceSeries.objects.get(code="uso")


def seller_snapshot(settings_row: SellerSettings | None = None) -> Seller:
    settings_row = settings_row or SellerSettings.objects.first()
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
    """VAT per rate on the summed net amounts, rounded half up (spec §5.5); the exemption
    reasons of the 0 % lines go with their row of the breakdown."""
    bases: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    reasons: dict[Decimal, list[str]] = defaultdict(list)
    for line in lines:
        bases[line.vat_rate] += line.net
        if line.vat_exemption_reason and line.vat_exemption_reason not in reasons[line.vat_rate]:
            reasons[line.vat_rate].append(line.vat_exemption_reason)
    breakdown = tuple(
        VatBreakdown(
            rate=rate,
            base=cents(base),
            vat=vat_amount(base, rate),
            exemption_reason="; ".join(reasons[rate]),
        )
        for rate, base in sorted(bases.items())
    )
    net = cents(sum((row.base for row in breakdown), ZERO))
    vat = cents(sum((row.vat for row in breakdown), ZERO))
    return breakdown, net, vat, net + vat


def _lines(rows: list[InvoiceLine]) -> list[Line]:
    lines = []
    for row in rows:
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
                vat_exemption_reason=row.vat_exemption_reason,
            )
        )
    return lines


@transaction.atomic
def invoice_issue(*, invoice: Invoice, actor: User, today: datetime.date | None = None) -> Invoice:
    """Issue a draft: number, dates, reference and frozen content, in one short transaction.

    Refuses (ValidationError naming the municipality and what is missing) before the number is
    taken; `AlreadyIssued` when the draft was issued meanwhile.
    """
    invoice = (
        Invoice.objects.select_for_update()
        .select_related("membership__municipality", "membership__season")
        .get(pk=invoice.pk)
    )
    if invoice.status != InvoiceStatus.DRAFT:
        raise AlreadyIssued(_("Invoice %(number)s is already issued.") % {"number": invoice.number})
    municipality = invoice.membership.municipality
    name = where(municipality)
    rows = list(invoice.lines.order_by("position"))
    if not rows:
        raise ValidationError(
            _("%(municipality)s: an invoice needs at least one line.") % {"municipality": name}
        )
    seller_row = SellerSettings.objects.first()
    seller = seller_snapshot(seller_row)
    buyer = buyer_snapshot(invoice.membership)
    problems = [
        _("%(municipality)s: %(problem)s") % {"municipality": name, "problem": problem}
        for problem in lines_problems(invoice, rows)
    ]
    problems += party_problems(where=name, seller=seller, buyer=buyer)
    if problems:
        raise ValidationError(problems)
    lines = _lines(rows)
    breakdown, net, vat, gross = totals(lines)
    credit = invoice.kind == InvoiceKind.CREDIT_NOTE
    if credit != (gross < 0) and gross != 0:
        raise ValidationError(
            _("%(municipality)s: an invoice totals more than zero and a credit note less.")
            % {"municipality": name}
        )
    original = None
    if credit:
        original = Invoice.objects.select_for_update().get(pk=invoice.credited_invoice_id)
        if original.status in (InvoiceStatus.DRAFT, InvoiceStatus.CREDITED):
            raise ValidationError(_("Only an issued, not yet credited invoice can be credited."))

    series = InvoiceSeries.objects.select_for_update().get(pk=invoice.series_id)
    number = series.format(series.next_number)  # taken below, once the content is known good

    invoice_date = today or timezone.localdate()
    due = duedate.due_date(invoice_date, seller_row.payment_term_days)
    reference = reference_from_number(number)
    barcode = ""
    if not credit and ZERO <= gross <= BARCODE_LIMIT:
        barcode = virtual_barcode(iban=seller.iban, amount=gross, reference=reference, due_date=due)
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
    issued_at = timezone.now()
    snapshot = document.to_snapshot()
    check_documents(snapshot, where=name, message_id=f"{number}-1", timestamp=issued_at)

    InvoiceSeries.objects.filter(pk=series.pk).update(next_number=F("next_number") + 1)
    invoice.number = number
    invoice.invoice_date = invoice_date
    invoice.due_date = due
    invoice.reference = reference
    invoice.rf_reference = document.rf_reference
    invoice.snapshot = snapshot
    invoice.net_total, invoice.vat_total, invoice.gross_total = net, vat, gross
    invoice.status = InvoiceStatus.ISSUED
    invoice.document_status = DocumentStatus.PENDING
    invoice.issue_error = ""
    invoice.issued_at = issued_at
    invoice.issued_by = actor
    invoice.save()
    if original is not None:
        original.status = InvoiceStatus.CREDITED
        original.save(update_fields=["status"])
    return invoice


def check_documents(snapshot: dict, *, where: str, message_id: str, timestamp) -> None:
    """The documents of a would-be snapshot can be made: the Finvoice message builds and
    validates against the schema, and the PDF's content (barcode, formatting) builds. The PDF
    is laid out only once, after the commit (the expensive part)."""
    from ..finvoice import FinvoiceInvalid, build_validated_finvoice
    from ..pdf import invoice_context

    document = InvoiceDocument.from_snapshot(snapshot)  # exactly what the renderer will read
    try:
        build_validated_finvoice(document, message_id=message_id, timestamp=timestamp)
    except FinvoiceInvalid as invalid:
        raise ValidationError(
            _("%(municipality)s: the Finvoice message would be invalid: %(errors)s")
            % {"municipality": where, "errors": "; ".join(invalid.errors)}
        ) from invalid
    try:
        invoice_context(document)
    except ValueError as error:
        raise ValidationError(
            _("%(municipality)s: the PDF cannot be made: %(error)s")
            % {"municipality": where, "error": error}
        ) from error


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
            vat_exemption_reason=line.vat_exemption_reason,
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
