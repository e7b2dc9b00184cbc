"""The situational-analysis reports of a season's members, produced as one background batch.

A `ReportBatch` is the work (who started it, its progress, its lease); a `Report` is one member's
PDF of a season, kept under MEDIA_ROOT/private and replaced when a later batch renders it again.
The models live here and are imported by `analysis.models`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality, Season
from municipalities.scoping import MunicipalityScopedQuerySet


class ReportBatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Rendering failed")


class ReportBatch(models.Model):
    """All members' reports of a season. Resumable: a run renders only the reports of the batch
    that are not ready, the counters are counted from the reports, and a running batch renews
    its lease after every report (a batch whose lease has expired was abandoned by a worker that
    died and is queued again by the stale-lease sweep)."""

    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportBatchStatus.choices,
        default=ReportBatchStatus.QUEUED,
    )
    total = models.PositiveIntegerField(_("reports"), default=0)
    ready = models.PositiveIntegerField(_("ready"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    message = models.TextField(_("message"), blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("runs"), default=0)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("analysis report batch")
        verbose_name_plural = _("analysis report batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.season.slug} #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (ReportBatchStatus.QUEUED, ReportBatchStatus.RUNNING)

    @property
    def progress_percent(self) -> int:
        if not self.total:
            return 100 if self.status == ReportBatchStatus.FINISHED else 0
        return round(100 * (self.ready + self.failed) / self.total)


class Report(models.Model):
    """One member's situational-analysis report of a season, in the municipality's language."""

    MUNICIPALITY_PATH = "municipality"

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="analysis_reports",
    )
    season = models.ForeignKey(
        Season, verbose_name=_("season"), on_delete=models.PROTECT, related_name="+"
    )
    batch = models.ForeignKey(
        ReportBatch,
        verbose_name=_("batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    language = models.CharField(_("language"), max_length=5)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    file = models.CharField(_("file"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    error = models.TextField(_("error"), blank=True)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("analysis report")
        verbose_name_plural = _("analysis reports")
        ordering = ["season", "municipality__name_fi"]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "municipality"], name="analysis_report_one_per_season"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(file=""),
                name="analysis_report_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.season.slug}"
