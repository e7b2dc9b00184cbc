"""Feedback in the admin: the season's questions (edited by network staff), the surveys with a
link to their results, and the invitations (who was asked and reminded, never who answered
what: answers have no admin; their results are the staff pages, `staff_views`)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from municipalities.models import Season
from uso_portal.scoped_admin import ScopedAdmin

from .models import Invitation, Question, Survey, SurveyTemplate


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 1
    fields = ("position", "kind", "text_fi", "text_sv", "text_en")

    def has_delete_permission(self, request, obj=None):
        # Answers refer to their questions: once a survey is sent, questions are only edited.
        if obj is not None and obj.surveys.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ("season",)
    list_select_related = ("season",)
    inlines = [QuestionInline]
    fields = ("season", "intro_fi", "intro_sv", "intro_en")

    def has_delete_permission(self, request, obj=None):
        return False  # a season's questions are edited; its surveys and answers refer to them


@admin.register(Survey)
class SurveyAdmin(ScopedAdmin):
    change_list_template = "admin/feedback/survey/change_list.html"
    list_display = ("title", "subject_kind", "held_on", "municipality", "closes_at", "results")
    list_select_related = ("municipality",)
    list_filter = ("season", "subject_kind")
    search_fields = ("title",)
    date_hierarchy = "held_on"
    fields = (
        "title",
        "subject_kind",
        "held_on",
        "municipality",
        "season",
        "event",
        "workshop",
        "responsible_consultant",
        "sent_at",
        "closes_at",
        "results",
    )
    readonly_fields = (
        "title",
        "subject_kind",
        "held_on",
        "municipality",
        "season",
        "event",
        "workshop",
        "sent_at",
        "results",
    )
    autocomplete_fields = ("responsible_consultant",)

    def has_add_permission(self, request):
        return False  # surveys are sent by the service (staff page or send_feedback_surveys)

    def has_delete_permission(self, request, obj=None):
        return False  # the answers belong to it

    @admin.display(description=_("results"))
    def results(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("feedback:survey_results", args=[obj.pk]), _("Results")
        )

    def changelist_view(self, request, extra_context=None):
        """Links to the seasons' result pages above the list."""
        seasons = Season.objects.filter(surveys__isnull=False).distinct().order_by("-start_date")
        links = [
            (season, reverse("feedback:season_results", args=[season.slug])) for season in seasons
        ]
        return super().changelist_view(request, {**(extra_context or {}), "season_links": links})


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    # `answered` is deliberately absent: with the answers' counts it would tell who answered.
    list_display = ("contact_person", "municipality", "survey", "sent_at", "reminded_at")
    list_select_related = ("contact_person", "municipality", "survey")
    list_filter = ("survey__season",)
    search_fields = ("contact_person__name", "survey__title")
    fields = ("survey", "contact_person", "municipality", "email", "language", "sent_at",
              "reminded_at")  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
