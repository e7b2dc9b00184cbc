"""Admin of the analysis report batches and their reports (imported by `analysis.admin`).

A batch is started here ("add": choose the season) and runs in the background; its reports are
read-only rows with a download link. Nothing is edited or deleted by hand: the services decide.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from municipalities.models import Membership
from uso_portal.scoped_admin import ScopedAdmin

from .batch_models import Report, ReportBatch, ReportBatchStatus, ReportStatus
from .batches import report_batch_resume, report_batch_start


class ReportBatchForm(forms.ModelForm):
    class Meta:
        model = ReportBatch
        fields = ["season"]

    def clean_season(self):
        season = self.cleaned_data["season"]
        running = ReportBatch.objects.filter(
            season=season, status__in=[ReportBatchStatus.QUEUED, ReportBatchStatus.RUNNING]
        ).first()
        if running is not None:
            raise ValidationError(
                _("Batch #%(number)s of this season's reports is still running."),
                params={"number": running.pk},
            )
        if not Membership.objects.filter(season=season).exists():
            raise ValidationError(_("The season has no members: there are no reports to produce."))
        return season


@admin.register(ReportBatch)
class ReportBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "total", "ready", "failed", "attempts", "created_at",
                    "progress"]  # fmt: skip
    list_select_related = ["season"]
    list_filter = ["status", "season"]
    actions = ["resume"]
    form = ReportBatchForm

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [field.name for field in ReportBatch._meta.fields]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["season"]
        return [field.name for field in ReportBatch._meta.fields if field.name != "id"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        batch = report_batch_start(season=form.cleaned_data["season"], actor=request.user)
        obj.pk, obj.created_at = batch.pk, batch.created_at

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("analysis:report_batch_progress", args=[obj.pk]))

    def has_resume_permission(self, request) -> bool:
        return request.user.has_perm("analysis.add_reportbatch")

    @admin.action(
        description=_("Resume the selected batches (abandoned, failed or with failed reports)"),
        permissions=["resume"],
    )
    def resume(self, request, queryset) -> None:
        resumed = 0
        for batch in queryset:
            try:
                report_batch_resume(batch=batch)
            except ValidationError as error:
                self.message_user(
                    request, f"#{batch.pk}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                resumed += 1
        message = _("%(count)d batch(es) of reports queued again.") % {"count": resumed}
        self.message_user(request, message)

    @admin.display(description=_("progress"))
    def progress(self, batch: ReportBatch) -> str:
        url = reverse("analysis:report_batch_progress", args=[batch.pk])
        return format_html('<a href="{}">{} %</a>', url, batch.progress_percent)


@admin.register(Report)
class ReportAdmin(ScopedAdmin):
    list_display = ["municipality", "season", "status", "language", "size", "rendered_at",
                    "download"]  # fmt: skip
    list_select_related = ["municipality", "season"]
    list_filter = ["season", "status", "language"]
    search_fields = ["municipality__name_fi", "municipality__name_sv", "municipality__code"]
    readonly_fields = [field.name for field in Report._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("PDF"))
    def download(self, report: Report) -> str:
        if report.status != ReportStatus.READY:
            return "–"
        url = reverse("analysis:report_download", args=[report.municipality.code, report.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))
