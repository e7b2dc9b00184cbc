"""The analysis report batches: their progress page (staff) and the reports' downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from billing.storage import get_document_storage

from .batch_models import Report, ReportBatch, ReportBatchStatus, ReportStatus
from .batches import lease


@login_required
@require_safe
def report_batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("analysis.view_reportbatch"):
        raise PermissionDenied
    batch = get_object_or_404(ReportBatch.objects.select_related("season"), pk=pk)
    template = "analysis/report_batch_progress.html"
    if request.headers.get("HX-Request") == "true":
        template += "#progress"
    abandoned = (
        batch.status == ReportBatchStatus.RUNNING
        and batch.lease_expires_at is not None
        and batch.lease_expires_at < timezone.now()
    )
    context = {
        "batch": batch,
        "abandoned": abandoned,
        "last_sign_of_life": batch.lease_expires_at - lease() if abandoned else None,
    }
    return render(request, template, context)


@login_required
@require_safe
def report_download(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """A member's stored report: its contact, the consultants responsible, network staff."""
    report = Report.objects.get_visible_or_404(
        request.user, pk=pk, municipality__code=code, status=ReportStatus.READY
    )
    storage = get_document_storage()
    if not storage.exists(report.file):
        raise Http404("The report's file is missing; produce the season's reports again.")
    name = f"tilanneanalyysi-{report.municipality.code}-{report.season.slug}.pdf"
    return FileResponse(
        storage.open(report.file, "rb"),
        as_attachment=True,
        filename=name,
        content_type="application/pdf",
    )
