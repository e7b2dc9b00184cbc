"""Reads of the billing app. Every selector takes the acting user."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from municipalities import scoping
from municipalities.models import Membership, User

from .models import FeeSchedule, Invoice, InvoiceKind, InvoiceStatus


def can_see_all(user: User) -> bool:
    """Billing staff (network staff, finance): every municipality's invoices."""
    return scoping.sees_all(user, Invoice)


def invoice_list_for(*, user: User) -> QuerySet[Invoice]:
    """Issued invoices the user sees by `Invoice`'s rule (a contact's own municipality's, every
    one for billing staff); staff without the permission to read invoices are refused."""
    if user.municipality_id is None and not scoping.may_view(user, Invoice):
        raise PermissionDenied
    return (
        Invoice.objects.visible_to(user)
        .exclude(status=InvoiceStatus.DRAFT)
        .select_related("membership__municipality", "membership__season", "credited_invoice")
        .order_by("-invoice_date", "-number")
    )


def invoice_for(*, user: User, pk: int) -> Invoice:
    try:
        return invoice_list_for(user=user).get(pk=pk)
    except Invoice.DoesNotExist as error:
        raise Http404("No such invoice.") from error


def fee_schedule_for(membership: Membership | None) -> FeeSchedule | None:
    if membership is None:
        return None
    return FeeSchedule.objects.filter(season=membership.season).prefetch_related("tiers").first()


def fee_schedule_list_with_lock(schedules: QuerySet[FeeSchedule]) -> QuerySet[FeeSchedule]:
    """Schedules with `is_locked` (see `services.schedule_is_locked`) in the same query."""
    issued = Invoice.objects.filter(membership__season_id=OuterRef("season_id")).exclude(
        status=InvoiceStatus.DRAFT
    )
    return schedules.annotate(is_locked=Exists(issued))


def dashboard_panel(user: User, membership: Membership | None) -> dict | None:
    if user.municipality_id is None:
        return None
    # One query: a municipality has a few invoices a year, so all of them (a few columns; the
    # issued snapshot above all stays in the database) give both the latest and the open total.
    columns = ("pk", "number", "kind", "gross_total", "due_date", "status")
    invoices = list(invoice_list_for(user=user).select_related(None).only(*columns))
    open_total = sum(
        (
            invoice.gross_total
            for invoice in invoices
            if invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.SENT)
            and invoice.kind in (InvoiceKind.ANNUAL_FEE, InvoiceKind.TRAVEL_COSTS)
        ),
        Decimal("0.00"),
    )
    return {"invoices": invoices[:3], "open_total": open_total}
