"""Admin of renewal: offers (read-only; answers go through the portal page's services) and the
invoicing-details confirmations finance reads."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uso_portal.history import HistoryAdmin
from uso_portal.scoped_admin import ScopedAdmin, ScopedTabularInline

from . import services
from .models import InvoicingDetailsConfirmation, Offer, OfferFee


class OfferFeeInline(ScopedTabularInline):
    model = OfferFee
    extra = 0
    fields = ["year", "population", "population_date", "billed_on_date", "tier_label", "annual_fee"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Offer)
class OfferAdmin(HistoryAdmin):
    list_display = [
        "municipality",
        "season",
        "status",
        "was_member",
        "sent_at",
        "emailed_at",
        "answered_at",
        "board_meeting_date",
        "portal_link",
    ]
    list_select_related = ["municipality", "season"]
    list_filter = ["season", "status", "was_member"]
    search_fields = ["municipality__name_fi", "municipality__name_sv", "municipality__code"]
    inlines = [OfferFeeInline]
    actions = ["send_reminders"]
    readonly_fields = [
        "season",
        "municipality",
        "language",
        "status",
        "was_member",
        "sent_at",
        "emailed_at",
        "answered_at",
        "reminded_at",
        "board_meeting_date",
        "decision_reference",
        "decision_date",
        "cost_centre",
        "buyer_reference",
        "business_id",
        "einvoice_address",
        "einvoice_operator",
        "declined_reason",
        "membership",
        "created_by",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False  # offers are sent from the seasons' and municipalities' actions

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an answered offer is history; its status says where it stands

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("municipality", "season", "membership", "created_by")
        )

    @admin.display(description=_("offer page"))
    def portal_link(self, offer: Offer) -> str:
        url = reverse("municipalities:offer_detail", args=[offer.pk])
        return format_html('<a href="{}">{}</a>', url, _("open"))

    @admin.action(
        description=_("Send a reminder of the selected open offers"), permissions=["change"]
    )
    def send_reminders(self, request, queryset) -> None:
        result = services.offers_remind(
            offers=queryset.select_related(None).select_related("municipality"), by=request.user
        )
        report_reminders(self, request, result)


def report_reminders(model_admin, request, result: services.RemindResult) -> None:
    """Reminded, not due, and due but with nobody to e-mail (by name), each said apart."""
    model_admin.message_user(
        request,
        ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", result.reminded)
        % {"count": result.reminded},
        messages.SUCCESS,
    )
    if result.not_due:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d offer was not due a reminder (answered, closed or reminded recently).",
                "%(count)d offers were not due a reminder (answered, closed or reminded recently).",
                result.not_due,
            )
            % {"count": result.not_due},
            messages.INFO,
        )
    if result.no_address:
        model_admin.message_user(
            request,
            _(
                "Due, but nobody to e-mail (no active contact person with an e-mail address): "
                "%(municipalities)s. Add a contact person and send the reminder again."
            )
            % {"municipalities": ", ".join(result.no_address)},
            messages.WARNING,
        )


@admin.register(OfferFee)
class OfferFeeAdmin(ScopedAdmin):
    """The fees stated on the offers, read-only (a snapshot taken when each offer was sent)."""

    list_display = ["offer", "year", "population", "population_date", "tier_label", "annual_fee"]
    list_select_related = ["offer__municipality", "offer__season"]
    list_filter = ["offer__season", "year"]
    search_fields = ["offer__municipality__name_fi", "offer__municipality__code"]
    fields = [
        "offer",
        "year",
        "population",
        "population_date",
        "billed_on_date",
        "tier_label",
        "annual_fee",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("offer__municipality", "offer__season")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(InvoicingDetailsConfirmation)
class InvoicingDetailsConfirmationAdmin(ScopedAdmin):
    list_display = ["municipality", "season", "confirmed_at", "confirmed_by", "changed"]
    list_select_related = ["municipality", "season", "confirmed_by"]
    list_filter = ["season"]
    search_fields = ["municipality__name_fi", "municipality__code"]
    date_hierarchy = "confirmed_at"
    fields = ["municipality", "season", "confirmed_at", "confirmed_by", "changed"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("changes (old → new)"))
    def changed(self, confirmation: InvoicingDetailsConfirmation) -> str:
        if not confirmation.changes:
            return _("confirmed unchanged")
        labels = {
            field.name: field.verbose_name for field in confirmation.municipality._meta.fields
        }
        labels["buyer_reference"] = _("buyer reference")
        return format_html_join(
            "; ",
            "{}: “{}” → “{}”",
            (
                (labels.get(name, name), old, new)
                for name, (old, new) in sorted(confirmation.changes.items())
            ),
        )
