"""Admin of the season report batches and the season reports (imported by `usage.admin`).

Staff with the permission to add batches start one here ("add": the season, and a member to
produce only its report on demand) and follow it on its progress page; the reports are
read-only rows with a download link. The shared parts are `uso_portal/batch_pages.py`'s.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from uso_portal.batch_pages import DocumentBatchAdmin, StoredDocumentAdmin
from uso_portal.scoped_admin import ScopedAdmin, ScopedAdminMixin

from ..models import SeasonReport, SeasonReportBatch
from .batches import RUNNER, check_startable, season_report_batch_start
from .selectors import season_report_url


class SeasonReportBatchForm(forms.ModelForm):
    class Meta:
        model = SeasonReportBatch
        fields = ["season", "membership"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = self.fields["membership"].queryset  # the admin's scoped choices
        members = members.select_related("municipality", "season")
        self.fields["membership"].queryset = members.order_by("season", "municipality__name_fi")

    def clean(self):
        cleaned = super().clean()
        season = cleaned.get("season")
        if season is not None:
            try:
                check_startable(season=season, membership=cleaned.get("membership"))
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return cleaned


@admin.register(SeasonReportBatch)
class SeasonReportBatchAdmin(ScopedAdminMixin, DocumentBatchAdmin):
    runner = RUNNER
    progress_url_name = "season_reports:progress"
    add_fields = ["season", "membership"]
    list_select_related = ["season"]
    form = SeasonReportBatchForm

    def start_batch(self, request, form) -> SeasonReportBatch:
        data = form.cleaned_data
        return season_report_batch_start(
            season=data["season"], membership=data.get("membership"), actor=request.user
        )


@admin.register(SeasonReport)
class SeasonReportAdmin(StoredDocumentAdmin, ScopedAdmin):
    list_display = ["membership", "status", "language", "size", "rendered_at", "download"]
    list_select_related = ["membership__municipality", "membership__season"]
    list_filter = ["membership__season", "status", "language"]
    search_fields = [
        "membership__municipality__name_fi",
        "membership__municipality__name_sv",
        "membership__municipality__code",
    ]
    readonly_fields = [field.name for field in SeasonReport._meta.fields]

    def download_url(self, report: SeasonReport) -> str:
        return season_report_url(report)
