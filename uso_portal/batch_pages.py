"""The pages of the document batches (`uso_portal/batches.py`): the staff's progress page and
the admin of batches (started from the add form, resumed with an action, never edited)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .batches import DocumentBatch, DocumentBatchRunner, StoredDocument, batch_lease, open_stored


def progress_page(
    request: HttpRequest, batch: DocumentBatch, template: str, **extra
) -> HttpResponse:
    """The progress page (`template` extends `batches/progress.html`); htmx polls its partial."""
    if request.headers.get("HX-Request") == "true":
        template = "batches/progress.html#progress"
    abandoned = batch.is_abandoned()
    context = {
        "batch": batch,
        "abandoned": abandoned,
        "last_sign_of_life": batch.lease_expires_at - batch_lease() if abandoned else None,
        **extra,
    }
    return render(request, template, context)


def document_response(document: StoredDocument, filename: str) -> FileResponse:
    return FileResponse(
        open_stored(document),
        as_attachment=True,
        filename=filename,
        content_type="application/pdf",
    )


class DocumentBatchAdmin(admin.ModelAdmin):
    """A batch is started by the add form (`start_batch`) and followed on its progress page;
    nothing is changed or deleted by hand. Subclasses set `runner`, `progress_url_name`, the
    add form's `add_fields`, and `start_batch(request, form)`."""

    runner: DocumentBatchRunner
    progress_url_name: str
    add_fields: list[str] = ["season"]
    list_display = ["__str__", "status", "total", "ready", "failed", "attempts", "created_at",
                    "progress"]  # fmt: skip
    list_filter = ["status", "season"]
    actions = ["resume"]

    def start_batch(self, request, form) -> DocumentBatch:
        raise NotImplementedError

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [field.name for field in self.model._meta.fields]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return [field.name for field in self.model._meta.fields if field.name != "id"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        batch = self.start_batch(request, form)
        obj.pk, obj.created_at = batch.pk, batch.created_at

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse(self.progress_url_name, args=[obj.pk]))

    def has_resume_permission(self, request) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.add_{opts.model_name}")

    @admin.action(
        description=_("Resume the selected batches (abandoned, failed or with failed reports)"),
        permissions=["resume"],
    )
    def resume(self, request, queryset) -> None:
        resumed = 0
        for batch in queryset:
            try:
                self.runner.resume(batch=batch)
            except ValidationError as error:
                self.message_user(
                    request, f"#{batch.pk}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                resumed += 1
        message = ngettext(
            "%(count)d batch of reports queued again.",
            "%(count)d batches of reports queued again.",
            resumed,
        ) % {"count": resumed}
        self.message_user(request, message)

    @admin.display(description=_("progress"))
    def progress(self, batch: DocumentBatch) -> str:
        url = reverse(self.progress_url_name, args=[batch.pk])
        return format_html('<a href="{}">{} %</a>', url, batch.progress_percent)


class StoredDocumentAdmin:
    """Read-only rows with a download link (a mixin before the scoped admin)."""

    readonly_fields: list[str] = []

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def download_url(self, document) -> str:
        raise NotImplementedError

    @admin.display(description=_("PDF"))
    def download(self, document) -> str:
        if document.status != "ready":
            return "–"
        return format_html('<a href="{}">{}</a>', self.download_url(document), _("Download"))
