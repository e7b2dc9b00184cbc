"""The season report batches' progress page (staff) and the reports' downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from uso_portal.batch_pages import document_response, progress_page
from uso_portal.batches import DocumentStatus

from ..models import SeasonReport, SeasonReportBatch


@login_required
@require_safe
def season_report_batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("usage.view_seasonreportbatch"):
        raise PermissionDenied
    batch = get_object_or_404(
        SeasonReportBatch.objects.select_related("season", "membership__municipality"), pk=pk
    )
    return progress_page(request, batch, "usage/season_report_batch_progress.html")


@login_required
@require_safe
def season_report_download(request: HttpRequest, pk: int) -> FileResponse:
    """A member's stored season report: its contacts, its consultant, network staff."""
    reports = SeasonReport.objects.select_related("membership__municipality", "membership__season")
    report = reports.get_visible_or_404(request.user, pk=pk, status=DocumentStatus.READY)
    membership = report.membership
    name = f"kausiraportti-{membership.municipality.code}-{membership.season.slug}.pdf"
    return document_response(report, name)
