"""What billing refuses before it does anything irreversible, each with a message that says what
is wrong and where to fix it: travel-cost dates, hand-entered invoice lines, and everything the
documents of an invoice need (checked before the number is taken)."""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ..documents import Party, Seller
from ..models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, TravelCost
from ..money import cents
from .fees import MissingData, vat_rate_on


def _day(value) -> str:
    return value.strftime("%d.%m.%Y")


def _amount(value: Decimal) -> str:
    return formats.number_format(value, 2)


def travel_cost_date_problem(cost: TravelCost) -> str | None:
    """A travel cost happened on a day of its membership's season, and not after today."""
    if cost.date > timezone.localdate():
        return _("The travel date %(date)s is in the future.") % {"date": _day(cost.date)}
    season = cost.membership.season
    if not season.contains(cost.date):
        return _(
            "The travel date %(date)s is outside the season %(season)s of the membership "
            "(%(start)s–%(end)s)."
        ) % {
            "date": _day(cost.date),
            "season": season.slug,
            "start": _day(season.start_date),
            "end": _day(season.end_date),
        }
    return None


def line_problems(line: InvoiceLine, *, of_draft: bool = False) -> dict[str, str]:
    """The problems of an invoice line by field: {field name: message}; empty when it is fine.

    Net = quantity × unit price to the cent (rounded half up); the VAT rate is the general rate
    in force on the supply date, or 0 % with an exemption reason (a credit note may also use
    the rates of the invoice it credits).
    """
    problems: dict[str, str] = {}
    invoice = line.invoice if line.invoice_id else None
    if invoice is not None and invoice.pk and _is_issued(invoice):
        problems["invoice"] = _("The lines of an issued invoice never change; credit it instead.")
    if line.quantity is not None and line.unit_price is not None and line.net is not None:
        expected = cents(line.quantity * line.unit_price)
        if expected != line.net:
            problems["net"] = _(
                "Quantity × unit price is %(expected)s, not the net amount %(net)s."
            ) % {"expected": _amount(expected), "net": _amount(line.net)}
    reason = (line.vat_exemption_reason or "").strip()
    if line.vat_rate is None:
        return problems
    if line.vat_rate == 0:
        if not reason:
            problems["vat_exemption_reason"] = _(
                "0 % VAT needs an exemption reason (the provision of the VAT Act)."
            )
        return problems
    if reason:
        problems["vat_exemption_reason"] = _("Only a line with 0 % VAT has an exemption reason.")
    if line.supply_date is None:
        return problems
    try:
        in_force = vat_rate_on(line.supply_date)
    except MissingData as missing:
        problems["supply_date"] = str(missing)
        return problems
    if line.vat_rate != in_force and line.vat_rate not in _credited_rates(invoice):
        problems["vat_rate"] = _(
            "The VAT rate in force on %(date)s is %(rate)s %%, not %(given)s %%."
        ) % {
            "date": _day(line.supply_date),
            "rate": formats.number_format(in_force.normalize()),
            "given": formats.number_format(line.vat_rate.normalize()),
        }
    return problems


def _is_issued(invoice: Invoice) -> bool:
    return Invoice.objects.filter(pk=invoice.pk).exclude(status=InvoiceStatus.DRAFT).exists()


def _credited_rates(invoice: Invoice | None) -> set[Decimal]:
    if invoice is None or invoice.kind != InvoiceKind.CREDIT_NOTE:
        return set()
    if not invoice.credited_invoice_id:
        return set()
    return set(
        InvoiceLine.objects.filter(invoice_id=invoice.credited_invoice_id).values_list(
            "vat_rate", flat=True
        )
    )


def lines_problems(invoice: Invoice, rows: list[InvoiceLine]) -> list[str]:
    """Every problem of the draft's lines, as sentences naming the line."""
    problems = []
    for row in rows:
        row.invoice = invoice  # the draft being issued (locked); no query per line
        for message in line_problems(row, of_draft=True).values():
            problems.append(
                _("Line %(position)d: %(problem)s") % {"position": row.position, "problem": message}
            )
    return problems


def party_problems(*, where: str, seller: Seller, buyer: Party) -> list[str]:
    """What the seller and buyer details lack for the PDF and the Finvoice message.

    `where` names the municipality; every message starts with it.
    """
    problems = []
    if buyer.einvoice_address and not buyer.einvoice_operator:
        problems.append(
            _(
                "%(municipality)s: the municipality has an e-invoice address but no e-invoice "
                "operator ID; add it in the admin (Municipalities) or remove the address."
            )
            % {"municipality": where}
        )
    if buyer.einvoice_operator and not buyer.einvoice_address:
        problems.append(
            _(
                "%(municipality)s: the municipality has an e-invoice operator ID but no e-invoice "
                "address; add it in the admin (Municipalities)."
            )
            % {"municipality": where}
        )
    required = [
        (seller.name, _("name")),
        (seller.business_id, _("business ID")),
        (seller.iban, _("IBAN")),
        (seller.bic, _("BIC")),
        (seller.street and seller.postal_code and seller.city, _("address")),
    ]
    if buyer.einvoice_address:  # the message goes through the operators: the sender's address
        required += [
            (seller.einvoice_address, _("e-invoice address")),
            (seller.einvoice_operator, _("e-invoice operator ID")),
        ]
    if missing := [label for value, label in required if not value]:
        problems.append(
            _(
                "%(municipality)s: the seller details have no %(fields)s; add them in the admin "
                "(Seller details)."
            )
            % {"municipality": where, "fields": ", ".join(str(label) for label in missing)}
        )
    return problems
