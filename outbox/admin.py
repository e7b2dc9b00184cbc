from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by the services; staff see and send again."""

    list_display = [
        "created_at",
        "recipient",
        "subject",
        "kind",
        "status",
        "attempts",
        "short_error",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "kind", "language", "sensitive"]
    search_fields = ["recipient", "subject", "about_label", "kind"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fieldsets = [
        (None, {"fields": ["recipient", "subject", "language", "kind", "about"]}),
        (
            _("Delivery"),
            {
                "fields": [
                    "status",
                    "attempts",
                    "last_error",
                    "next_attempt_at",
                    "claimed_until",
                    "created_at",
                    "sent_at",
                    "message_id",
                    "resend_of",
                    "resent_by",
                    "resent_at",
                ]
            },
        ),
        (_("Content"), {"fields": ["shown_text", "attachment_names"]}),
    ]
    # everything is shown, nothing is edited: a message is a record of what was sent
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("about_type", "resend_of", "resent_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("outbox.resend_message")

    @admin.display(description=_("last error"))
    def short_error(self, message: Message) -> str:
        error = message.last_error
        return error if len(error) <= 80 else f"{error[:79]}…"

    @admin.display(description=_("about"))
    def about(self, message: Message) -> str:
        if not message.about_label:
            return "–"
        if message.about_type_id and message.about_id:
            model = message.about_type.model_class()
            try:
                url = reverse(
                    f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                    args=[message.about_id],
                )
            except (NoReverseMatch, AttributeError):
                url = None
            if url:
                return format_html('<a href="{}">{}</a>', url, message.about_label)
        return message.about_label

    @admin.display(description=_("text"))
    def shown_text(self, message: Message) -> str:
        if message.sensitive:
            return _("Not shown: the message contains a one-time link.")
        return message.text or "–"

    @admin.display(description=_("attachments"))
    def attachment_names(self, message: Message) -> str:
        return ", ".join(item["filename"] for item in message.attachments) or "–"

    @admin.action(description=_("Send again"), permissions=["resend"])
    def send_again(self, request, queryset) -> None:
        again = 0
        for message in queryset.order_by("pk"):
            try:
                services.message_resend(message=message, actor=request.user)
            except ValidationError as error:
                self.message_user(
                    request, f"{message.recipient}: {' '.join(error.messages)}", messages.ERROR
                )
            else:
                again += 1
        if again:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message queued to be sent again.",
                    "%(count)d messages queued to be sent again.",
                    again,
                )
                % {"count": again},
                messages.SUCCESS,
            )
