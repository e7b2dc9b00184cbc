"""The analysis report batches: their progress page (staff) and the reports' downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from uso_portal.batch_pages import document_response, progress_page

from .batch_models import Report, ReportBatch, ReportStatus


@login_required
@require_safe
def report_batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("analysis.view_reportbatch"):
        raise PermissionDenied
    batch = get_object_or_404(ReportBatch.objects.select_related("season"), pk=pk)
    return progress_page(request, batch, "analysis/report_batch_progress.html")


@login_required
@require_safe
def report_download(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """A member's stored report: its contact, the consultants responsible, network staff."""
    report = Report.objects.get_visible_or_404(
        request.user, pk=pk, municipality__code=code, status=ReportStatus.READY
    )
    name = f"tilanneanalyysi-{report.municipality.code}-{report.season.slug}.pdf"
    return document_response(report, name)
