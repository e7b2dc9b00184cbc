from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uso_portal.history import HistoryAdmin
from uso_portal.scoped_admin import ScopedAdmin, ScopedAdminMixin, ScopedTabularInline

from . import services
from .models import (
    ContactPerson,
    Membership,
    Municipality,
    PopulationFigure,
    Season,
    SeasonTheme,
    User,
)
from .renewal import admin as renewal_admin  # noqa: F401  (registers the offers' admin)
from .renewal import services as renewal


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):  # a contact's municipality: scoped choices
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "municipality", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    list_select_related = ["municipality"]
    search_fields = [
        "email",
        "first_name",
        "last_name",
        "municipality__name_fi",
        "municipality__code",
    ]
    autocomplete_fields = ["municipality"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "language"]}),
        (_("Municipal contact"), {"fields": ["municipality"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "first_name",
                    "last_name",
                    "municipality",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]


class PopulationFigureInline(ScopedTabularInline):
    model = PopulationFigure
    extra = 0
    fields = ["reference_date", "population", "source"]


class MembershipInline(ScopedTabularInline):
    model = Membership
    extra = 0
    fields = [
        "season",
        "status",
        "joined_on",
        "decision_reference",
        "responsible_consultant",
        "buyer_reference",
    ]
    autocomplete_fields = ["responsible_consultant"]
    show_change_link = True
    can_delete = False  # on the Memberships page, which refuses what would break

    def get_queryset(self, request):
        # each row's label ("Ylöjärvi – 2021-2022") and consultant come with the rows
        related = ("municipality", "season", "responsible_consultant")
        return super().get_queryset(request).select_related(*related)


class ContactPersonInline(ScopedTabularInline):
    model = ContactPerson
    extra = 0
    fields = ["name", "title", "role", "email", "phone", "user", "is_active"]
    readonly_fields = ["user"]
    show_change_link = True
    can_delete = False  # on the Contact persons page, which refuses what would break

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")  # the read-only login


@admin.register(Municipality)
class MunicipalityAdmin(HistoryAdmin):
    list_display = [
        "code",
        "name_fi",
        "name_sv",
        "region_name_fi",
        "kind",
        "language_status",
        "business_id",
        "business_id_verified",
        "is_active",
    ]
    list_display_links = ["code", "name_fi"]
    list_filter = [
        "is_active",
        "kind",
        "language_status",
        "statistical_grouping",
        "business_id_verified",
        "region_name_fi",
    ]
    search_fields = ["code", "name_fi", "name_sv", "business_id"]
    inlines = [PopulationFigureInline, MembershipInline, ContactPersonInline]
    actions = ["send_offer"]
    fieldsets = [
        (None, {"fields": ["code", "name_fi", "name_sv", "kind", "is_active"]}),
        (
            _("Region and language"),
            {
                "fields": [
                    ("region_code", "region_name_fi", "region_name_sv"),
                    ("subregion_code", "subregion_name"),
                    "statistical_grouping",
                    "language_status",
                    "preferred_language",
                ]
            },
        ),
        (
            _("Invoicing"),
            {
                "fields": [
                    ("business_id", "business_id_verified"),
                    "business_id_source",
                    ("einvoice_address", "einvoice_operator"),
                    "billing_street_address",
                    ("billing_postal_code", "billing_post_office"),
                ]
            },
        ),
    ]

    @admin.action(
        description=_("Send the offer of the next season to the selected municipalities"),
        permissions=["offer"],
    )
    def send_offer(self, request, queryset) -> None:
        season = renewal.upcoming_season()
        if season is None:
            self.message_user(
                request, _("There is no season in preparation: create it first."), messages.ERROR
            )
            return
        result = renewal.offers_send(season=season, municipalities=queryset, sent_by=request.user)
        _report_sending(self, request, result)

    def has_offer_permission(self, request) -> bool:
        return request.user.has_perm("municipalities.add_offer")


def _report_sending(model_admin, request, result) -> None:
    model_admin.message_user(
        request,
        ngettext(
            "%(count)d offer sent, %(existing)d sent before.",
            "%(count)d offers sent, %(existing)d sent before.",
            result.created,
        )
        % {"count": result.created, "existing": result.existing},
        messages.SUCCESS,
    )
    if result.emailed_late:
        model_admin.message_user(
            request,
            ngettext(
                "%(count)d offer made before without an e-mail was e-mailed now.",
                "%(count)d offers made before without an e-mail were e-mailed now.",
                result.emailed_late,
            )
            % {"count": result.emailed_late},
            messages.SUCCESS,
        )
    if result.no_address:
        model_admin.message_user(
            request,
            _(
                "Offer made, but not e-mailed: nobody to e-mail (no active contact person with "
                "an e-mail address) at %(municipalities)s. Its page and letter are ready; add a "
                "contact person and send the offer again to e-mail it."
            )
            % {"municipalities": ", ".join(result.no_address)},
            messages.WARNING,
        )
    for problem in result.problems:
        model_admin.message_user(request, problem, messages.ERROR)


@admin.register(PopulationFigure)
class PopulationFigureAdmin(ScopedAdmin):
    list_display = ["municipality", "reference_date", "population", "source"]
    list_select_related = ["municipality"]
    list_filter = ["reference_date"]
    search_fields = ["municipality__name_fi", "municipality__code"]
    autocomplete_fields = ["municipality"]
    date_hierarchy = "reference_date"


class SeasonThemeInline(admin.TabularInline):
    model = SeasonTheme
    extra = 0
    fields = ["position", "name_fi", "name_sv", "name_en", "is_lead_theme"]


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fi", "start_date", "end_date", "member_count", "offers_link"]
    search_fields = ["slug", "name_fi", "name_sv", "name_en"]
    prepopulated_fields = {}
    inlines = [SeasonThemeInline]
    actions = ["create_next_season", "send_offers"]
    fieldsets = [
        (None, {"fields": ["slug", "name_fi", "name_sv", "name_en", ("start_date", "end_date")]}),
        (
            _("Programme quotas"),
            {
                "fields": [
                    "theme_seminar_quota",
                    "trustee_training_quota",
                    "foresight_session_quota",
                    "workshops_per_member",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, season: Season) -> int:
        return season._member_count

    @admin.display(description=_("offers"))
    def offers_link(self, season: Season) -> str:
        url = reverse("municipalities:renewal_pipeline", args=[season.slug])
        return format_html('<a href="{}">{}</a>', url, _("pipeline"))

    @admin.action(
        description=_("Create the next season from the selected one"), permissions=["add"]
    )
    def create_next_season(self, request, queryset) -> None:
        for source in queryset:
            try:
                season = renewal.season_create_next(source=source)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Season %(season)s created: check its dates, themes and fees.")
                    % {"season": season.slug},
                    messages.SUCCESS,
                )

    @admin.action(
        description=_("Send the offers of the selected season to the previous season's members"),
        permissions=["offer"],
    )
    def send_offers(self, request, queryset) -> None:
        for season in queryset:
            result = renewal.offers_send(
                season=season,
                municipalities=renewal.previous_members(season),
                sent_by=request.user,
            )
            _report_sending(self, request, result)

    def has_offer_permission(self, request) -> bool:
        return request.user.has_perm("municipalities.add_offer")


@admin.register(SeasonTheme)
class SeasonThemeAdmin(admin.ModelAdmin):
    list_display = ["name_fi", "season", "is_lead_theme", "position"]
    list_select_related = ["season"]
    list_filter = ["season"]
    search_fields = ["name_fi", "name_sv", "name_en"]


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = [
        "municipality",
        "season",
        "status",
        "joined_on",
        "decision_reference",
        "responsible_consultant",
        "buyer_reference",
    ]
    list_select_related = ["municipality", "season", "responsible_consultant"]
    list_filter = ["season", "status", "responsible_consultant"]
    search_fields = [
        "municipality__name_fi",
        "municipality__name_sv",
        "municipality__code",
        "decision_reference",
    ]
    autocomplete_fields = ["municipality", "responsible_consultant"]
    date_hierarchy = "joined_on"

    def get_queryset(self, request):
        # the label ("Ylöjärvi – 2021-2022") of every row, autocompletes included
        related = ("municipality", "season", "responsible_consultant")
        return super().get_queryset(request).select_related(*related)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        problems = [p for obj in objs for p in services.membership_delete_problems(obj)]
        return deleted, counts, perms_needed, [*protected, *problems]

    def delete_model(self, request, obj) -> None:
        services.membership_delete(membership=obj)

    def delete_queryset(self, request, queryset) -> None:
        for membership in queryset:
            services.membership_delete(membership=membership)


@admin.register(ContactPerson)
class ContactPersonAdmin(ScopedAdmin):
    list_display = ["name", "municipality", "title", "role", "email", "has_login", "is_active"]
    list_select_related = ["municipality"]
    list_filter = ["role", "is_active", ("user", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "title", "municipality__name_fi", "municipality__code"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["user"]
    actions = ["grant_portal_access"]

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        problems = [p for obj in objs for p in services.contact_person_delete_problems(obj)]
        return deleted, counts, perms_needed, [*protected, *problems]

    def delete_model(self, request, obj) -> None:
        services.contact_person_delete(contact=obj)

    def delete_queryset(self, request, queryset) -> None:
        for contact in queryset:
            services.contact_person_delete(contact=contact)

    @admin.display(description=_("portal login"), boolean=True, ordering="user")
    def has_login(self, contact: ContactPerson) -> bool:
        return contact.user_id is not None

    @admin.action(description=_("Give the selected persons a portal login"), permissions=["change"])
    def grant_portal_access(self, request, queryset) -> None:
        granted = 0
        for contact in queryset.select_related("municipality", "user"):
            try:
                services.contact_grant_portal_access(contact=contact)
            except ValidationError as error:
                self.message_user(request, f"{contact}: {' '.join(error.messages)}", messages.ERROR)
            else:
                granted += 1
        if granted:
            self.message_user(
                request,
                ngettext(
                    "%(count)d person can now log in and set a password with "
                    "“Forgot your password?”.",
                    "%(count)d persons can now log in and set a password with "
                    "“Forgot your password?”.",
                    granted,
                )
                % {"count": granted},
                messages.SUCCESS,
            )
