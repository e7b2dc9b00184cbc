"""The members' season reports: one PDF per membership, produced in a background batch.

A `SeasonReportBatch` is the work (the season's members, or one membership on demand); a
`SeasonReport` is one membership's latest report, kept under MEDIA_ROOT/private and replaced
when a later batch renders it again. Both are the shared document batch
(`uso_portal/batches.py`: leases, resuming after a killed worker, counters from the rows).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from municipalities.models import Membership
from municipalities.scoping import MunicipalityScopedQuerySet
from uso_portal.batches import DocumentBatch, StoredDocument


class SeasonReportBatch(DocumentBatch):
    """The season reports of a season's members, or of one membership (on demand)."""

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("only this member"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every member of the season."),
    )

    class Meta:
        verbose_name = _("season report batch")
        verbose_name_plural = _("season report batches")
        ordering = ["-created_at"]


class SeasonReport(StoredDocument):
    """One member's season report: what it received and used, in the municipality's language."""

    MUNICIPALITY_PATH = "membership__municipality"

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="season_reports",
    )
    batch = models.ForeignKey(
        SeasonReportBatch,
        verbose_name=_("batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("season report")
        verbose_name_plural = _("season reports")
        ordering = ["membership__season", "membership__municipality__name_fi"]
        constraints = [
            models.UniqueConstraint(fields=["membership"], name="season_report_one_per_member"),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | ~models.Q(file=""),
                name="season_report_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return str(self.membership)

    @property
    def municipality(self):
        return self.membership.municipality
