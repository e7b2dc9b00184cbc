"""All members' situational-analysis reports of a season as one background batch (writes).

`report_batch_start` records the batch and a pending `Report` per member in one transaction and
hands the batch to the task worker after commit (the immediate backend runs it at once in tests
and `make run`). `report_batch_run`, the task body, claims the batch with a lease, renders what
is not ready yet, each report stored atomically (whole or not at all) and its row updated in its
own short transaction, and renews the lease after every report. A worker that dies leaves the
batch RUNNING with an expiring lease; the stale-lease sweep (`db_worker`, `billing_resume`)
queues it again and the next run continues where it stopped. One report that fails to render is
recorded with its reason and never stops the others.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.storage import get_document_storage
from municipalities.models import Membership, Season, User
from uso_portal import leases

from .batch_models import Report, ReportBatch, ReportBatchStatus, ReportStatus

logger = logging.getLogger(__name__)

ACTIVE = (ReportBatchStatus.QUEUED, ReportBatchStatus.RUNNING)


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.BILLING_BATCH_LEASE)


def report_name(report: Report) -> str:
    return f"analysis/{report.season.slug}/{report.municipality.code}.pdf"


@transaction.atomic
def report_batch_start(*, season: Season, actor: User) -> ReportBatch:
    """Queue the reports of every member of the season (each in its municipality's language)."""
    Season.objects.select_for_update().get(pk=season.pk)  # one start at a time per season
    running = ReportBatch.objects.filter(season=season, status__in=ACTIVE).first()
    if running is not None:
        raise ValidationError(
            _("Batch #%(number)s of this season's reports is still running.")
            % {"number": running.pk}
        )
    memberships = list(
        Membership.objects.filter(season=season).select_related("municipality").order_by("pk")
    )
    if not memberships:
        raise ValidationError(_("The season has no members: there are no reports to produce."))
    batch = ReportBatch.objects.create(season=season, created_by=actor)
    existing = {report.municipality_id: report for report in Report.objects.filter(season=season)}
    for membership in memberships:
        municipality = membership.municipality
        report = existing.get(municipality.pk) or Report(municipality=municipality, season=season)
        # a ready report stays downloadable until its new version replaces it
        report.batch = batch
        report.language = municipality.preferred_language or settings.LANGUAGE_CODE
        if report.status != ReportStatus.READY:
            report.status = ReportStatus.PENDING
        report.error = ""
        report.save()
    _refresh_counts(batch)
    transaction.on_commit(lambda: _enqueue(batch))
    return batch


def _enqueue(batch: ReportBatch) -> None:
    from .tasks import render_report_batch

    result = render_report_batch.enqueue(batch.pk)
    ReportBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id))


def report_batch_run(batch_id: int) -> None:
    """The task body: render what is left of the batch, renewing its lease after every report."""
    batch = _claim(batch_id)
    if batch is None:
        return
    try:
        problems = _work(batch)
    except Exception as error:  # the batch says so; the worker goes on with other tasks
        logger.exception("analysis report batch %s failed", batch.pk)
        _finish(batch, ReportBatchStatus.FAILED, [f"{type(error).__name__}: {error}"])
    else:
        _finish(batch, ReportBatchStatus.FINISHED, problems)


def _claim(batch_id: int) -> ReportBatch | None:
    return leases.claim_batch(
        ReportBatch.objects.select_related("season"),
        batch_id,
        lease=lease(),
        running=ReportBatchStatus.RUNNING,
        done=(ReportBatchStatus.FINISHED, ReportBatchStatus.FAILED),
    )


def left_of(batch: ReportBatch):
    """The reports a run of the batch still has to render (a rerun renders the failed ones)."""
    started = batch.created_at
    return (
        Report.objects.filter(batch=batch)
        .filter(Q(rendered_at__isnull=True) | Q(rendered_at__lt=started))
        .select_related("municipality", "season")
        .order_by("municipality__code")
    )


def _work(batch: ReportBatch) -> list[str]:
    problems = []
    for report in left_of(batch):
        error = render_report(report)
        if error:
            problems.append(f"{report.municipality.name}: {error}")
        _refresh_counts(batch, renew=True)
    return problems


def render_report(report: Report) -> str:
    """Render and store one report; returns the reason it failed ('' when it is ready).

    A report that fails keeps the file of its earlier version (still READY and downloadable)
    and says why the new one failed; one without an earlier version is FAILED."""
    from .reports import report_pdf_for

    try:
        pdf = report_pdf_for(report.municipality, report.season, report.language)
        name = get_document_storage().save(report_name(report), ContentFile(pdf))
    except Exception as error:  # recorded on the report; the next report goes on
        logger.exception("analysis report %s failed", report.pk)
        reason = f"{type(error).__name__}: {error}".replace("\n", " ")[:500]
        status = ReportStatus.READY if report.file else ReportStatus.FAILED
        Report.objects.filter(pk=report.pk).update(
            status=status, error=reason, rendered_at=timezone.now()
        )
        return reason
    Report.objects.filter(pk=report.pk).update(
        status=ReportStatus.READY, file=name, size=len(pdf), error="", rendered_at=timezone.now()
    )
    if report.file and report.file != name:
        remove_file(report.file)  # the earlier version, now replaced
    return ""


def remove_file(name: str) -> None:
    """Delete a stored report file; a missing one or a storage error is logged, not raised."""
    try:
        get_document_storage().delete(name)
    except OSError:
        logger.warning("analysis report file %s could not be removed", name, exc_info=True)


def report_deleted(sender, instance: Report, **kwargs) -> None:
    """A deleted report (its municipality deleted, or staff in the admin) takes its file along,
    once the deletion has committed (a rolled-back delete keeps it)."""
    if instance.file:
        transaction.on_commit(lambda: remove_file(instance.file))


def _counts(batch: ReportBatch) -> dict[str, int]:
    done = Q(rendered_at__gte=batch.created_at)  # by this batch (a report is in one batch)
    return Report.objects.filter(batch=batch).aggregate(
        total=Count("pk"),
        ready=Count("pk", filter=done & Q(error="")),
        failed=Count("pk", filter=done & ~Q(error="")),
    )


def _refresh_counts(batch: ReportBatch, *, renew: bool = False) -> None:
    counts = _counts(batch)
    if renew:
        counts["lease_expires_at"] = batch.lease_expires_at = timezone.now() + lease()
    ReportBatch.objects.filter(pk=batch.pk).update(**counts)
    for name, value in counts.items():
        setattr(batch, name, value)


def _finish(batch: ReportBatch, status: str, problems: list[str]) -> None:
    ReportBatch.objects.filter(pk=batch.pk).update(
        status=status,
        message="\n".join(problems),
        finished_at=timezone.now(),
        lease_expires_at=None,
        **_counts(batch),
    )


def abandoned_batches(now: datetime.datetime | None = None):
    return leases.expired_batches(ReportBatch.objects, running=ReportBatchStatus.RUNNING, now=now)


@transaction.atomic
def report_batch_resume(*, batch: ReportBatch, reason: str = "") -> ReportBatch:
    """Queue an abandoned or failed batch again; it continues where it stopped."""
    batch = ReportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == ReportBatchStatus.FINISHED and not batch.failed:
        raise ValidationError(_("The batch is finished; there is nothing left to do."))
    expired = batch.lease_expires_at is not None and batch.lease_expires_at < timezone.now()
    if batch.status == ReportBatchStatus.RUNNING and not expired:
        raise ValidationError(_("The batch is running; its worker is alive."))
    leases.task_abandon(batch.task_id, reason=reason or "LeaseExpired: the batch was resumed")
    if batch.status == ReportBatchStatus.FINISHED:  # again for the failed ones
        Report.objects.filter(batch=batch).exclude(error="").update(rendered_at=None)
    batch.status = ReportBatchStatus.QUEUED
    batch.lease_expires_at = None
    batch.save(update_fields=["status", "lease_expires_at"])
    transaction.on_commit(lambda: _enqueue(batch))
    return batch


def resume_abandoned(now: datetime.datetime | None = None) -> list[ReportBatch]:
    """The stale-lease rule for report batches (called by billing's `sweep`)."""
    resumed = []
    for batch in abandoned_batches(now).order_by("pk"):
        reason = f"LeaseExpired: report batch {batch.pk} showed no sign of life; worker stopped."
        try:
            resumed.append(report_batch_resume(batch=batch, reason=reason))
        except ValidationError:  # resumed or finished meanwhile
            continue
        logger.warning("analysis report batch %s was abandoned; queued again", batch.pk)
    return resumed
