"""The situational-analysis reports of a season's members, produced as one background batch.

A `ReportBatch` is the work (who started it, its progress, its lease); a `Report` is one member's
PDF of a season, kept under MEDIA_ROOT/private and replaced when a later batch renders it again.
Both are the shared document batch (`uso_portal/batches.py`). The models live here and are
imported by `analysis.models`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality, Season
from municipalities.scoping import MunicipalityScopedQuerySet
from uso_portal.batches import BatchStatus, DocumentBatch, DocumentStatus, StoredDocument

ReportBatchStatus = BatchStatus
ReportStatus = DocumentStatus


class ReportBatch(DocumentBatch):
    """All members' reports of a season (resumable: see `uso_portal/batches.py`)."""

    class Meta:
        verbose_name = _("analysis report batch")
        verbose_name_plural = _("analysis report batches")
        ordering = ["-created_at"]


class Report(StoredDocument):
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
