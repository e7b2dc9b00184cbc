"""Deleting billing rows without breaking what the rest relies on: every admin delete (the
object's page, "Delete selected", an inline's delete box) goes through these.

- A draft's travel costs go back to "approved" when the draft or its line is deleted, so they
  are invoiced on the next draft (never "invoiced" without a line).
- Issued invoices and their lines are never deleted (credit notes correct them).
- A fee schedule is frozen once the season's first invoice is issued; a VAT rate in force on the
  supply date of an issued line is part of that invoice's record; the default series and any
  series with invoices stay.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    FeeSchedule,
    Invoice,
    InvoiceLine,
    InvoiceSeries,
    InvoiceStatus,
    TravelCost,
    TravelCostStatus,
    VatRate,
)
from .fees import schedule_is_locked

DEFAULT_SERIES = "uso"


def _release(costs) -> int:
    released = 0
    for cost in costs.filter(status=TravelCostStatus.INVOICED):
        cost.status = TravelCostStatus.APPROVED
        cost.save(update_fields=["status"])
        released += 1
    return released


def invoice_delete_problem(invoice: Invoice) -> str | None:
    if invoice.status != InvoiceStatus.DRAFT:
        return _("Invoice %(number)s is issued; issued invoices are never deleted (credit it).") % {
            "number": invoice.number
        }
    return None


@transaction.atomic
def invoice_draft_delete(*, invoice: Invoice) -> int:
    """Delete a draft and its lines; its travel costs become "approved" again. Returns how many
    travel costs were released."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if problem := invoice_delete_problem(invoice):
        raise ValidationError(problem)
    released = _release(TravelCost.objects.filter(invoice_lines__invoice=invoice))
    invoice.lines.all().delete()
    invoice.delete()
    return released


def line_delete_problem(line: InvoiceLine) -> str | None:
    if line.invoice.status != InvoiceStatus.DRAFT:
        return _("The lines of issued invoice %(number)s are never deleted.") % {
            "number": line.invoice.number
        }
    return None


@transaction.atomic
def invoice_line_delete(*, line: InvoiceLine) -> None:
    """Delete a draft's line; its travel cost becomes "approved" again."""
    Invoice.objects.select_for_update().get(pk=line.invoice_id)
    line = InvoiceLine.objects.select_related("invoice").get(pk=line.pk)
    if problem := line_delete_problem(line):
        raise ValidationError(problem)
    if line.travel_cost_id:
        _release(TravelCost.objects.filter(pk=line.travel_cost_id))
    line.delete()


def fee_schedule_delete_problem(schedule: FeeSchedule) -> str | None:
    if schedule_is_locked(schedule):
        return _("The fee schedule of %(season)s is frozen: invoices of the season are issued.") % {
            "season": schedule.season.slug
        }
    return None


@transaction.atomic
def fee_schedule_delete(*, schedule: FeeSchedule) -> None:
    schedule = FeeSchedule.objects.select_related("season").get(pk=schedule.pk)
    if problem := fee_schedule_delete_problem(schedule):
        raise ValidationError(problem)
    schedule.delete()


def vat_rate_in_use(rate: VatRate) -> bool:
    """Whether an issued invoice has a line supplied while this rate was in force."""
    following = VatRate.objects.filter(valid_from__gt=rate.valid_from).order_by("valid_from")
    lines = InvoiceLine.objects.filter(supply_date__gte=rate.valid_from).exclude(
        invoice__status=InvoiceStatus.DRAFT
    )
    if (upto := following.values_list("valid_from", flat=True).first()) is not None:
        lines = lines.filter(supply_date__lt=upto)
    return lines.exists()


def vat_rate_delete_problem(rate: VatRate) -> str | None:
    if vat_rate_in_use(rate):
        return _(
            "The VAT rate %(rate)s %% from %(date)s is the rate of issued invoices; it stays."
        ) % {"rate": rate.rate, "date": rate.valid_from.strftime("%d.%m.%Y")}
    return None


@transaction.atomic
def vat_rate_delete(*, rate: VatRate) -> None:
    if problem := vat_rate_delete_problem(rate):
        raise ValidationError(problem)
    rate.delete()


def series_delete_problem(series: InvoiceSeries) -> str | None:
    if series.code == DEFAULT_SERIES:
        return _("The series %(code)s numbers every invoice; it stays.") % {"code": series.code}
    if Invoice.objects.filter(series=series).exists():
        return _("The series %(code)s has invoices; it stays.") % {"code": series.code}
    return None


@transaction.atomic
def series_delete(*, series: InvoiceSeries) -> None:
    if problem := series_delete_problem(series):
        raise ValidationError(problem)
    series.delete()
