"""Events, their series and materials in the admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from municipalities.models import Season
from uso_portal.scoped_admin import ScopedTabularInline

from .. import exports, services
from ..models import Event, EventKind, EventMaterial, EventSeries, Registration
from ..staff_views import XLSX
from .common import PRIVATE_FILES, FileFormsetsMixin, refusals


class EventAdminForm(forms.ModelForm):
    confirm_over_quota = forms.BooleanField(
        label=_("Confirm exceeding the season's quota"),
        required=False,
        help_text=_("Needed only when the season already has its quota of events of this kind."),
    )

    class Meta:
        model = Event
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose the fields)

    def clean(self):
        data = super().clean()
        season, kind, status = data.get("season"), data.get("kind"), data.get("status")
        if season and kind and status and not data.get("confirm_over_quota"):
            previous = (
                Event.objects.filter(pk=self.instance.pk).first() if self.instance.pk else None
            )
            problem = services.quota_problem(
                season=season, kind=kind, status=status, pk=self.instance.pk, previous=previous
            )
            if problem:
                self.add_error("confirm_over_quota", problem)
        return data


class RegistrationInline(ScopedTabularInline):
    model = Registration
    extra = 0
    fields = [
        "contact_person",
        "municipality",
        "status",
        "attendance",
        "registered_at",
        "override_by",
    ]
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ["status", "registered_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("contact_person", "municipality", "override_by")
        )


class EventMaterialInline(admin.TabularInline):
    model = EventMaterial
    extra = 0
    fields = ["title", "file"]
    formfield_overrides = PRIVATE_FILES


@admin.register(Event)
class EventAdmin(FileFormsetsMixin, admin.ModelAdmin):
    form = EventAdminForm
    file_deletes = {EventMaterial: lambda obj: services.event_material_delete(material=obj)}
    # Compact enough for 1280 px: the format is a filter, the counts share one column and the
    # exports are two short links (tests/e2e/test_admin_layout.py).
    list_display = ["event_title", "when", "status", "places", "downloads"]
    list_display_links = ["event_title"]
    list_filter = ["season", "kind", "status", "format", "audience"]
    list_select_related = ["season"]
    search_fields = ["title_fi", "title_sv", "title_en"]
    date_hierarchy = "start"
    autocomplete_fields = ["themes"]
    readonly_fields = ["uid", "sequence", "over_quota_confirmed_by", "over_quota_confirmed_at"]
    inlines = [EventMaterialInline, RegistrationInline]
    actions = ["export_xlsx", "export_csv", "mark_attendance", "send_update", "cancel_events"]
    fieldsets = [
        (None, {"fields": ["season", "kind", "series", "status", "confirm_over_quota"]}),
        (
            _("Title and description"),
            {
                "fields": [
                    "title_fi",
                    "title_sv",
                    "title_en",
                    "description_fi",
                    "description_sv",
                    "description_en",
                    "themes",
                ]
            },
        ),
        (
            _("Time and place"),
            {
                "fields": [
                    ("start", "end"),
                    "format",
                    "venue_address",
                    "online_link",
                    "audience",
                ]
            },
        ),
        (
            _("Registration"),
            {
                "fields": [
                    ("capacity", "max_per_municipality"),
                    ("registration_opens", "registration_closes"),
                    "cancellation_deadline",
                ]
            },
        ),
        (_("Calendar and quota"), {"classes": ["collapse"], "fields": readonly_fields}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _confirmed=Count("registrations", filter=Q(registrations__status="confirmed")),
                _waitlisted=Count("registrations", filter=Q(registrations__status="waitlisted")),
            )
        )

    class Media:
        css = {"all": ["css/admin-events.css"]}

    @admin.display(description=_("event"), ordering="title_fi")
    def event_title(self, event: Event) -> str:
        return format_html(
            '{}<br><small class="kind">{}</small>', event.title_fi, event.get_kind_display()
        )

    @admin.display(description=_("starts"), ordering="start")
    def when(self, event: Event) -> str:
        return date_format(timezone.localtime(event.start), "SHORT_DATETIME_FORMAT")

    @admin.display(
        description=pgettext_lazy("registered / capacity", "places"), ordering="_confirmed"
    )
    def places(self, event: Event) -> str:
        capacity = event.capacity if event.capacity is not None else "–"
        if not event._waitlisted:
            return format_html("{} / {}", event._confirmed, capacity)
        waiting = ngettext(
            "%(count)d on the waitlist", "%(count)d on the waitlist", event._waitlisted
        ) % {"count": event._waitlisted}
        return format_html(
            '{} / {}<br><small class="waitlist">{}</small>', event._confirmed, capacity, waiting
        )

    @admin.display(description=_("participants"))
    def downloads(self, event: Event) -> str:
        return format_html(
            '<span class="nowrap"><a href="{}">XLSX</a> · <a href="{}">CSV</a></span>',
            reverse("events:participants_xlsx", args=[event.pk]),
            reverse("events:participants_csv", args=[event.pk]),
        )

    def save_model(self, request, obj, form, change) -> None:
        services.event_save(
            event=obj,
            actor=request.user,
            confirm_over_quota=form.cleaned_data["confirm_over_quota"],
        )

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return (
            deleted,
            counts,
            perms_needed,
            [
                *protected,
                *refusals(services.event_delete_problems, objs),
            ],
        )

    def delete_model(self, request, obj) -> None:
        services.event_delete(event=obj)

    def delete_queryset(self, request, queryset) -> None:
        for event in queryset:
            services.event_delete(event=event)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "quota_rows": quota_rows()}
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Export participants (XLSX)"), permissions=["view"])
    def export_xlsx(self, request, queryset) -> HttpResponse:
        response = HttpResponse(
            exports.participants_xlsx(queryset.order_by("start"), user=request.user),
            content_type=XLSX,
        )
        response["Content-Disposition"] = 'attachment; filename="participants.xlsx"'
        return response

    @admin.action(description=_("Export participants (CSV, one event)"), permissions=["view"])
    def export_csv(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Select exactly one event for a CSV export."), messages.ERROR
            )
            return None
        return HttpResponseRedirect(reverse("events:participants_csv", args=[queryset.get().pk]))

    @admin.action(description=_("Mark attendance"), permissions=["view"])
    def mark_attendance(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one event."), messages.ERROR)
            return None
        url = reverse("admin:events_registration_changelist")
        return HttpResponseRedirect(
            f"{url}?event__id__exact={queryset.get().pk}&status__exact=confirmed"
        )

    @admin.action(
        description=_("Send the participants an updated invitation"), permissions=["change"]
    )
    def send_update(self, request, queryset) -> None:
        sent = sum(services.event_send_update(event=event) for event in queryset)
        self.message_user(
            request,
            ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", sent)
            % {"count": sent},
        )

    @admin.action(description=_("Cancel the selected events"), permissions=["change"])
    def cancel_events(self, request, queryset):
        if request.POST.get("confirmed") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Cancel events"),
                "events": queryset,
                "action": "cancel_events",
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/events/event/cancel_confirmation.html", context)
        for event in queryset:
            try:
                told = services.event_cancel(event=event, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{event}: {' '.join(error.messages)}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(event)s cancelled; %(count)d registered people are told.")
                    % {"event": event, "count": told},
                )
        return None


def quota_rows() -> list[dict]:
    """Planned / held / quota of theme seminars and trustee trainings for every season."""
    rows = []
    for season in Season.objects.order_by("-start_date"):
        for kind in (EventKind.THEME_SEMINAR, EventKind.TRUSTEE_TRAINING):
            planned, held, quota = services.quota_usage(season=season, kind=kind)
            rows.append(
                {
                    "season": season,
                    "kind": kind.label,
                    "planned": planned,
                    "held": held,
                    "quota": quota,
                }
            )
    return rows


@admin.register(EventSeries)
class EventSeriesAdmin(admin.ModelAdmin):
    list_display = ["title_fi", "season"]
    list_select_related = ["season"]
    list_filter = ["season"]
    search_fields = ["title_fi", "title_sv", "title_en"]


@admin.register(EventMaterial)
class EventMaterialAdmin(admin.ModelAdmin):
    list_display = ["title", "event", "uploaded_at"]
    list_select_related = ["event"]
    search_fields = ["title", "event__title_fi"]
    autocomplete_fields = ["event"]
    readonly_fields = ["uploaded_by", "download"]
    formfield_overrides = PRIVATE_FILES

    @admin.display(description=_("download"))
    def download(self, material: EventMaterial) -> str:
        if not material.pk:
            return "–"
        url = reverse("events:material_download", args=[material.pk])
        return format_html('<a href="{}">{}</a>', url, material.file.name.rsplit("/", 1)[-1])

    def save_model(self, request, obj, form, change) -> None:
        obj.uploaded_by = obj.uploaded_by or request.user
        services.replaced_file_delete(instance=obj)
        super().save_model(request, obj, form, change)

    def delete_model(self, request, obj) -> None:
        services.event_material_delete(material=obj)

    def delete_queryset(self, request, queryset) -> None:
        for material in queryset:
            services.event_material_delete(material=material)
