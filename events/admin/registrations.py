"""Registrations in the admin: staff registrations with overrides, attendance, cancellations."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uso_portal.history import HistoryAdmin

from .. import services
from ..models import Attendance, Registration, RegistrationStatus


class RegistrationAdminForm(forms.ModelForm):
    staff_override = forms.BooleanField(
        label=_("Override the capacity and per-municipality limits"), required=False
    )

    class Meta:
        model = Registration
        fields = ["event", "contact_person", "override_reason"]

    def clean(self):
        data = super().clean()
        if data.get("staff_override") and not data.get("override_reason"):
            self.add_error("override_reason", _("Give a reason for the override."))
        if data.get("event") and data.get("contact_person"):
            try:
                services.registration_check(
                    event=data["event"], contact_person=data["contact_person"], staff=True
                )
            except ValidationError as error:
                self.add_error(None, error)
        return data


@admin.register(Registration)
class RegistrationAdmin(HistoryAdmin):
    list_display = [
        "contact_person",
        "municipality",
        "event",
        "status",
        "attendance",
        "registered_at",
        "override_by",
    ]
    list_filter = ["event__season", "status", "attendance", "event"]
    list_select_related = ["contact_person", "municipality", "event", "override_by"]
    search_fields = [
        "contact_person__name",
        "contact_person__email",
        "municipality__name_fi",
        "event__title_fi",
    ]
    autocomplete_fields = ["event", "contact_person"]
    actions = ["mark_present", "mark_absent", "cancel_registrations"]
    date_hierarchy = "registered_at"

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting frees the seat without promoting or telling anybody: registrations are
        # cancelled ("Cancel the selected registrations"), never deleted.
        return False

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RegistrationAdminForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["event", "contact_person", "staff_override", "override_reason"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [field.name for field in Registration._meta.fields]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        data = form.cleaned_data
        try:
            registration = services.registration_create(
                event=data["event"],
                contact_person=data["contact_person"],
                actor=request.user,
                staff_override=data["staff_override"],
                override_reason=data["override_reason"],
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        obj.pk = registration.pk

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except forms.ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def _mark(self, request, queryset, attendance: str) -> None:
        try:
            count = services.attendance_mark(
                registrations=queryset, attendance=attendance, actor=request.user
            )
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(
                request,
                ngettext("%(count)d marked.", "%(count)d marked.", count) % {"count": count},
            )

    @admin.action(description=_("Mark present"), permissions=["change"])
    def mark_present(self, request, queryset) -> None:
        self._mark(request, queryset, Attendance.PRESENT)

    @admin.action(description=_("Mark absent"), permissions=["change"])
    def mark_absent(self, request, queryset) -> None:
        self._mark(request, queryset, Attendance.ABSENT)

    @admin.action(description=_("Cancel the selected registrations"), permissions=["change"])
    def cancel_registrations(self, request, queryset) -> None:
        """Through the portal's service: each freed seat promotes the next person waiting, and
        everybody concerned is told through the outbox."""
        cancelled = promoted = 0
        selected = queryset.exclude(status=RegistrationStatus.CANCELLED).order_by("pk")
        for registration in selected:
            try:
                promoted += len(
                    services.registration_cancel(registration=registration, actor=request.user)
                )
            except ValidationError as error:
                self.message_user(
                    request, f"{registration}: {' '.join(error.messages)}", messages.ERROR
                )
                continue
            cancelled += 1
        self.message_user(
            request,
            _("%(cancelled)d cancelled; %(promoted)d promoted from the waitlist.")
            % {"cancelled": cancelled, "promoted": promoted},
        )
