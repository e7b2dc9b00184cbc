"""The members' season reports as one background batch, or one member's on demand (writes).

`season_report_batch_start` records the batch and a pending `SeasonReport` per membership in one
transaction and hands the batch to the task worker after commit (the immediate backend runs it
at once in tests and `make run`). Running, leases, resuming after a killed worker and the stored
files are the shared document batch's (`uso_portal/batches.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from municipalities.models import Membership, Season, User
from uso_portal.batches import DocumentBatchRunner

from ..models import SeasonReport, SeasonReportBatch


def report_name(report: SeasonReport) -> str:
    membership = report.membership
    return f"season-reports/{membership.season.slug}/{membership.municipality.code}.pdf"


def _render(report: SeasonReport) -> bytes:
    from . import render  # at call time: a test may replace season_report_pdf

    return render.season_report_pdf(report.membership, report.language)


def _task():
    from .tasks import render_season_report_batch

    return render_season_report_batch


RUNNER = DocumentBatchRunner(
    name="season report batch",
    batch_model=SeasonReportBatch,
    document_model=SeasonReport,
    render=_render,
    file_name=report_name,
    task=_task,
    select=("membership__municipality", "membership__season"),
    order_by=("membership__municipality__code",),
)


def check_startable(*, season: Season, membership: Membership | None = None) -> None:
    """Why a batch cannot start (a ValidationError), before anything is written."""
    RUNNER.refuse_if_running(season=season)
    if membership is not None and membership.season_id != season.pk:
        raise ValidationError(_("The member is not a member of this season."))
    if membership is None and not Membership.objects.filter(season=season).exists():
        raise ValidationError(_("The season has no members: there are no reports to produce."))


@transaction.atomic
def season_report_batch_start(
    *, season: Season, actor: User, membership: Membership | None = None
) -> SeasonReportBatch:
    """Queue the season report of every member of the season, or of `membership` alone, each in
    its municipality's language; a ready report stays downloadable until it is replaced."""
    Season.objects.select_for_update().get(pk=season.pk)  # one start at a time per season
    check_startable(season=season, membership=membership)
    memberships = Membership.objects.filter(season=season).select_related("municipality")
    if membership is not None:
        memberships = memberships.filter(pk=membership.pk)
    batch = SeasonReportBatch.objects.create(season=season, membership=membership, created_by=actor)
    existing = {
        report.membership_id: report
        for report in SeasonReport.objects.filter(membership__in=memberships)
    }
    reports = []
    for member in memberships.order_by("pk"):
        report = existing.get(member.pk) or SeasonReport(membership=member)
        report.language = member.municipality.preferred_language or settings.LANGUAGE_CODE
        reports.append(report)
    return RUNNER.start(batch, reports)


def season_report_batch_resume(*, batch: SeasonReportBatch, reason: str = "") -> SeasonReportBatch:
    """Queue an abandoned or failed batch again; it continues where it stopped."""
    return RUNNER.resume(batch=batch, reason=reason)
