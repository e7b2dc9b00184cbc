"""Admin of the analysis report batches and their reports (imported by `analysis.admin`).

A batch is started here ("add": choose the season) and runs in the background; its reports are
read-only rows with a download link. Nothing is edited or deleted by hand: the services decide.
The shared parts are `uso_portal/batch_pages.py`'s.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from municipalities.models import Membership
from uso_portal.batch_pages import DocumentBatchAdmin, StoredDocumentAdmin
from uso_portal.scoped_admin import ScopedAdmin

from .batch_models import Report, ReportBatch
from .batches import RUNNER, report_batch_start


class ReportBatchForm(forms.ModelForm):
    class Meta:
        model = ReportBatch
        fields = ["season"]

    def clean_season(self):
        season = self.cleaned_data["season"]
        try:
            RUNNER.refuse_if_running(season=season)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        if not Membership.objects.filter(season=season).exists():
            raise ValidationError(_("The season has no members: there are no reports to produce."))
        return season


@admin.register(ReportBatch)
class ReportBatchAdmin(DocumentBatchAdmin):
    runner = RUNNER
    progress_url_name = "analysis:report_batch_progress"
    list_select_related = ["season"]
    form = ReportBatchForm

    def start_batch(self, request, form) -> ReportBatch:
        return report_batch_start(season=form.cleaned_data["season"], actor=request.user)


@admin.register(Report)
class ReportAdmin(StoredDocumentAdmin, ScopedAdmin):
    list_display = ["municipality", "season", "status", "language", "size", "rendered_at",
                    "download"]  # fmt: skip
    list_select_related = ["municipality", "season"]
    list_filter = ["season", "status", "language"]
    search_fields = ["municipality__name_fi", "municipality__name_sv", "municipality__code"]
    readonly_fields = [field.name for field in Report._meta.fields]

    def download_url(self, report: Report) -> str:
        return reverse("analysis:report_download", args=[report.municipality.code, report.pk])
