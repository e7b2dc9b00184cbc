"""Invoices in the portal and staff downloads of billing documents."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from municipalities.models import Season
from municipalities.selectors import membership_current_for
from uso_portal.uploads import serve_private

from . import selectors
from .exports import MissingDocuments, export_files, register_invoices, zip_bytes
from .models import BatchStatus, BillingBatch
from .services.batches import lease


@login_required
@require_safe
def invoice_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    invoices = selectors.invoice_list_for(user=user)
    membership = membership_current_for(user=user) if user.is_municipal_contact else None
    context = {
        "invoices": invoices,
        "schedule": selectors.fee_schedule_for(membership),
        "membership": membership,
    }
    return render(request, "billing/invoice_list.html", context)


@login_required
@require_safe
def invoice_pdf(request: HttpRequest, pk: int) -> FileResponse:
    invoice = selectors.invoice_for(user=request.user, pk=pk)
    return serve_private(
        invoice.pdf, filename=f"{invoice.number}.pdf", content_type="application/pdf"
    )


def _require_billing_staff(request: HttpRequest) -> None:
    if not selectors.can_see_all(request.user):
        raise PermissionDenied


@login_required
@require_safe
def invoice_finvoice(request: HttpRequest, pk: int) -> FileResponse:
    _require_billing_staff(request)
    invoice = selectors.invoice_for(user=request.user, pk=pk)
    return serve_private(
        invoice.finvoice, filename=f"{invoice.number}.xml", content_type="application/xml"
    )


@login_required
@require_safe
def export_zip(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    _require_billing_staff(request)
    season = get_object_or_404(Season, slug=slug)
    try:
        files = export_files(register_invoices(season, year, user=request.user))
    except MissingDocuments as missing:
        # all or nothing, as billing_export: the invoices to render again are named
        text = _("Nothing exported: the documents of these invoices are missing:")
        lines = "".join(f"{item}\n" for item in missing.missing)
        return HttpResponse(f"{text}\n{lines}", status=409, content_type="text/plain")
    content = zip_bytes(files)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="invoices-{slug}-{year}.zip"'
    return response


@login_required
@require_safe
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    _require_billing_staff(request)
    batch = get_object_or_404(BillingBatch.objects.select_related("season"), pk=pk)
    template = "billing/batch_progress.html"
    if request.headers.get("HX-Request") == "true":
        template += "#progress"
    abandoned = (
        batch.status == BatchStatus.RUNNING
        and batch.lease_expires_at is not None
        and batch.lease_expires_at < timezone.now()
    )
    context = {
        "batch": batch,
        "abandoned": abandoned,
        "last_sign_of_life": batch.lease_expires_at - lease() if abandoned else None,
        "invoice_ids": ",".join(str(pk) for pk in batch.invoice_ids),
    }
    return render(request, template, context)
