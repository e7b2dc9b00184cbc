"""All members' situational-analysis reports of a season as one background batch (writes).

`report_batch_start` records the batch and a pending `Report` per member in one transaction and
hands the batch to the task worker after commit (the immediate backend runs it at once in tests
and `make run`). Running, leases, resuming and the stored files are the shared document batch's
(`uso_portal/batches.py`); what is the analysis' own is which reports a season has, their names
and how one is rendered (`analysis.reports.report_pdf_for`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from municipalities.models import Membership, Season, User
from uso_portal.batches import DocumentBatchRunner, batch_lease, document_deleted, remove_file

from .batch_models import Report, ReportBatch

__all__ = ["document_deleted", "remove_file"]


def report_name(report: Report) -> str:
    return f"analysis/{report.season.slug}/{report.municipality.code}.pdf"


def _render(report: Report) -> bytes:
    from . import reports  # at call time: a test may replace report_pdf_for

    return reports.report_pdf_for(report.municipality, report.season, report.language)


def _task():
    from .tasks import render_report_batch

    return render_report_batch


RUNNER = DocumentBatchRunner(
    name="analysis report batch",
    batch_model=ReportBatch,
    document_model=Report,
    render=_render,
    file_name=report_name,
    task=_task,
    select=("municipality", "season"),
    order_by=("municipality__code",),
)

lease = batch_lease
left_of = RUNNER.left_of
render_report = RUNNER.render_document
report_batch_run = RUNNER.run
abandoned_batches = RUNNER.abandoned
resume_abandoned = RUNNER.resume_abandoned


@transaction.atomic
def report_batch_start(*, season: Season, actor: User) -> ReportBatch:
    """Queue the reports of every member of the season (each in its municipality's language)."""
    Season.objects.select_for_update().get(pk=season.pk)  # one start at a time per season
    RUNNER.refuse_if_running(season=season)
    memberships = list(
        Membership.objects.filter(season=season).select_related("municipality").order_by("pk")
    )
    if not memberships:
        raise ValidationError(_("The season has no members: there are no reports to produce."))
    batch = ReportBatch.objects.create(season=season, created_by=actor)
    existing = {report.municipality_id: report for report in Report.objects.filter(season=season)}
    reports = []
    for membership in memberships:
        municipality = membership.municipality
        report = existing.get(municipality.pk) or Report(municipality=municipality, season=season)
        report.language = municipality.preferred_language or settings.LANGUAGE_CODE
        reports.append(report)
    return RUNNER.start(batch, reports)


def report_batch_resume(*, batch: ReportBatch, reason: str = "") -> ReportBatch:
    """Queue an abandoned or failed batch again; it continues where it stopped."""
    return RUNNER.resume(batch=batch, reason=reason)
