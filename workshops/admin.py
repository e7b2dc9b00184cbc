from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from municipalities.models import Season
from uso_portal.history import HistoryAdmin
from uso_portal.scoped_admin import ScopedAdmin, ScopedTabularInline

from . import services
from .models import (
    Comment,
    Deliverable,
    QuotaGrant,
    Workshop,
    WorkshopAudience,
    WorkshopStatus,
    WorkshopTopic,
    WorkshopTransition,
)
from .selectors import quota_for


def _download_link(deliverable: Deliverable) -> str:
    url = reverse("workshops:deliverable_download", args=[deliverable.pk])
    return format_html('<a href="{}">{}</a>', url, deliverable.filename)


class WorkshopAdminForm(forms.ModelForm):
    audiences = forms.MultipleChoiceField(
        label=_("Audiences"), choices=WorkshopAudience.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Workshop
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose the fields)

    def clean(self):
        data = super().clean()
        membership = data.get("membership")
        if self.instance.pk is None and membership is not None:
            quota = quota_for(membership)
            if quota.remaining <= 0:
                self.add_error("membership", services.quota_used_error(quota.total))
        return data


class TransitionInline(ScopedTabularInline):
    model = WorkshopTransition
    extra = 0
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")


class DeliverableInline(ScopedTabularInline):
    model = Deliverable
    extra = 0
    fields = ["kind", "title", "download", "uploaded_by", "uploaded_at"]
    readonly_fields = ["download", "uploaded_by", "uploaded_at"]
    can_delete = False  # on the Deliverables page, which keeps a reported workshop's report

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # uploads go through the portal, which records who uploaded

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    @admin.display(description=_("file"))
    def download(self, deliverable: Deliverable) -> str:
        return _download_link(deliverable)


class CommentInline(ScopedTabularInline):
    model = Comment
    extra = 0
    fields = ["created_at", "author", "body"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(Workshop)
class WorkshopAdmin(HistoryAdmin):
    form = WorkshopAdminForm
    list_display = [
        "title",
        "municipality",
        "season",
        "kind",
        "status",
        "responsible_consultant",
        "starts_at",
        "portal_link",
    ]
    list_select_related = [
        "membership__municipality",
        "membership__season",
        "responsible_consultant",
    ]
    list_filter = [
        "membership__season",
        "status",
        "kind",
        ("responsible_consultant", admin.RelatedOnlyFieldListFilter),
        ("membership__municipality", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "membership__municipality__name_fi", "membership__municipality__code"]
    autocomplete_fields = ["membership", "responsible_consultant"]
    readonly_fields = ["status", "proposed_by", "created_at", "updated_at"]
    date_hierarchy = "starts_at"
    inlines = [TransitionInline, DeliverableInline, CommentInline]
    actions = ["cancel_workshops"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "membership",
                    "status",
                    "title",
                    "kind",
                    "topic",
                    "topic_other",
                    "audiences",
                ]
            },
        ),
        (
            _("Content"),
            {"fields": ["goals", "description", "responsible_consultant", "expected_participants"]},
        ),
        (_("Date and place"), {"fields": [("starts_at", "ends_at"), "place", "online_link"]}),
        (_("Record"), {"fields": ["proposed_by", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("municipality"), ordering="membership__municipality__name_fi")
    def municipality(self, workshop: Workshop) -> str:
        return workshop.membership.municipality.name

    @admin.display(description=_("season"), ordering="membership__season__start_date")
    def season(self, workshop: Workshop) -> str:
        return workshop.membership.season.slug

    @admin.display(description=_("portal"))
    def portal_link(self, workshop: Workshop) -> str:
        url = reverse("workshops:workshop_detail", args=[workshop.pk])
        return format_html('<a href="{}">{}</a>', url, _("open"))

    def save_model(self, request, obj, form, change) -> None:
        data = {
            name: form.cleaned_data[name]
            for name in services.EDITABLE_FIELDS
            if name in form.cleaned_data
        }
        try:
            if change:
                services.workshop_update(workshop=obj, actor=request.user, **data)
            else:
                saved = services.workshop_propose(
                    membership=obj.membership, actor=request.user, **data
                )
                obj.pk = saved.pk
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error

    def changelist_view(self, request, extra_context=None):
        seasons = Season.objects.order_by("-start_date")
        return super().changelist_view(request, {**(extra_context or {}), "seasons": seasons})

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting would silently give the membership its workshop back and lose the record:
        # a workshop is cancelled (the action below), which tells the other side.
        return False

    @admin.action(description=_("Cancel the selected workshops"), permissions=["change"])
    def cancel_workshops(self, request, queryset):
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Cancel workshops"),
                "workshops": queryset.select_related("membership__municipality"),
                "action": "cancel_workshops",
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/workshops/workshop/cancel_confirmation.html", context
            )
        cancelled = 0
        for workshop in queryset.order_by("pk"):
            try:
                services.workshop_transition(
                    workshop=workshop, to_status=WorkshopStatus.CANCELLED, actor=request.user
                )
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{workshop}: {reason}", messages.ERROR)
            else:
                cancelled += 1
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "%(count)d workshop cancelled; the other side is told by e-mail.",
                    "%(count)d workshops cancelled; the other side is told by e-mail.",
                    cancelled,
                )
                % {"count": cancelled},
                messages.SUCCESS,
            )
        return None


@admin.register(WorkshopTopic)
class WorkshopTopicAdmin(admin.ModelAdmin):
    list_display = ["name_fi", "season", "position"]
    list_select_related = ["season"]
    list_filter = ["season"]
    search_fields = ["name_fi", "name_sv", "name_en"]


@admin.register(QuotaGrant)
class QuotaGrantAdmin(ScopedAdmin):
    list_display = ["membership", "extra", "reason", "granted_by", "granted_at"]
    list_select_related = ["membership__municipality", "membership__season", "granted_by"]
    list_filter = ["membership__season"]
    search_fields = [
        "membership__municipality__name_fi",
        "membership__municipality__code",
        "reason",
    ]
    autocomplete_fields = ["membership"]
    fields = ["membership", "extra", "reason"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a grant is a record; correct it with another grant

    def save_model(self, request, obj, form, change) -> None:
        grant = services.quota_grant(
            membership=obj.membership, extra=obj.extra, reason=obj.reason, actor=request.user
        )
        obj.pk = grant.pk


@admin.register(Deliverable)
class DeliverableAdmin(ScopedAdmin):
    list_display = ["title", "workshop", "kind", "uploaded_by", "uploaded_at", "download"]
    list_select_related = ["workshop", "uploaded_by"]
    list_filter = ["kind"]
    search_fields = ["title", "workshop__title"]
    # the file is replaced by uploading a new deliverable in the portal (who uploaded is kept)
    exclude = ["file"]
    readonly_fields = ["workshop", "download", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        problems = [p for obj in objs for p in services.deliverable_delete_problems(obj)]
        return deleted, counts, perms_needed, [*protected, *problems]

    def delete_model(self, request, obj) -> None:
        services.deliverable_delete(deliverable=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for deliverable in queryset.select_related("workshop"):
            services.deliverable_delete(deliverable=deliverable, actor=request.user)

    @admin.display(description=_("download"))
    def download(self, deliverable: Deliverable) -> str:
        return _download_link(deliverable)


@admin.register(Comment)
class CommentAdmin(ScopedAdmin):
    list_display = ["workshop", "author", "created_at", "body"]
    list_select_related = ["workshop", "author"]
    search_fields = ["body", "workshop__title"]
    readonly_fields = ["workshop", "author", "created_at", "body"]

    # A comment is what one side told the other (and was e-mailed): a record, read-only.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WorkshopTransition)
class WorkshopTransitionAdmin(ScopedAdmin):
    list_display = ["workshop", "from_status", "to_status", "by", "at"]
    list_select_related = ["workshop", "by"]
    list_filter = ["to_status"]
    search_fields = ["workshop__title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
