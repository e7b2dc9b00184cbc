"""Announcements (news) with their attachments, and the municipalities' calendar feeds."""

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from uso_portal.scoped_admin import ScopedAdmin

from .. import emails, selectors, services
from ..models import Announcement, AnnouncementAttachment, CalendarFeed
from .common import PRIVATE_FILES, FileFormsetsMixin


class AnnouncementAttachmentInline(admin.TabularInline):
    model = AnnouncementAttachment
    extra = 0
    formfield_overrides = PRIVATE_FILES


@admin.register(Announcement)
class AnnouncementAdmin(FileFormsetsMixin, admin.ModelAdmin):
    file_deletes = {
        AnnouncementAttachment: lambda obj: services.announcement_attachment_delete(attachment=obj)
    }
    list_display = ["title_fi", "season", "kind", "published_at", "emailed_at"]
    list_select_related = ["season"]
    list_filter = ["season", "kind"]
    search_fields = ["title_fi", "title_sv", "title_en", "body_fi"]
    readonly_fields = ["published_at", "emailed_at"]
    inlines = [AnnouncementAttachmentInline]
    actions = ["publish", "publish_and_email"]

    def delete_model(self, request, obj) -> None:
        services.announcement_delete(announcement=obj)

    def delete_queryset(self, request, queryset) -> None:
        for announcement in queryset:
            services.announcement_delete(announcement=announcement)

    def _publish(self, request, queryset, email: bool) -> None:
        told = sum(services.announcement_publish(announcement=a, email=email) for a in queryset)
        self.message_user(
            request,
            _("Published; %(count)d messages to contact persons queued in the outbox.")
            % {"count": told},
        )

    @admin.action(description=_("Publish to the season's members"), permissions=["change"])
    def publish(self, request, queryset) -> None:
        self._publish(request, queryset, email=False)

    @admin.action(description=_("Publish and e-mail the contact persons"), permissions=["change"])
    def publish_and_email(self, request, queryset):
        """First a page with the recipients and the e-mail in each of their languages; the
        messages are queued (sent after commit by the outbox) only when that is confirmed."""
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Publish and e-mail the contact persons"),
                "previews": publish_previews(request.user, queryset.order_by("pk")),
                "action": "publish_and_email",
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/events/announcement/publish_confirmation.html", context
            )
        self._publish(request, queryset, email=True)
        return None


def publish_previews(user, announcements) -> list[dict]:
    """Per announcement: its recipients and the e-mail as each of their languages renders it."""
    order = [code for code, _name in settings.LANGUAGES]
    previews = []
    for announcement in announcements:
        recipients = selectors.announcement_recipients_for(user=user, announcement=announcement)
        languages = sorted({language for _address, language in recipients}, key=order.index)
        previews.append(
            {
                "announcement": announcement,
                "recipients": recipients,
                "emails": [
                    {
                        "language": language,
                        "count": sum(1 for _a, lang in recipients if lang == language),
                        "subject_and_text": emails.announcement_email_preview(
                            announcement, language=language
                        ),
                    }
                    for language in languages
                ],
            }
        )
    return previews


@admin.register(AnnouncementAttachment)
class AnnouncementAttachmentAdmin(admin.ModelAdmin):
    formfield_overrides = PRIVATE_FILES
    list_display = ["title", "announcement"]
    list_select_related = ["announcement"]
    search_fields = ["title"]

    def save_model(self, request, obj, form, change) -> None:
        services.replaced_file_delete(instance=obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj) -> None:
        services.announcement_attachment_delete(attachment=obj)

    def delete_queryset(self, request, queryset) -> None:
        for attachment in queryset:
            services.announcement_attachment_delete(attachment=attachment)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ScopedAdmin):
    list_display = ["municipality", "created_at", "created_by", "revoked_at"]
    list_select_related = ["municipality", "created_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["municipality__name_fi", "municipality__code"]
    fields = ["municipality", "created_by", "created_at", "revoked_at"]
    readonly_fields = ["created_by", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Revoke the selected feeds"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        for feed in queryset.select_related("municipality"):
            services.calendar_feed_revoke(municipality=feed.municipality)
        self.message_user(request, _("Revoked."))
