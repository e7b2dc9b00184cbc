"""The analysis' data for staff: sources and their priority, the indicator definitions, the values
(which source's value is used, and why, in words) and the neighbouring municipalities.

Values are municipality-scoped (`ScopedAdmin`: a consultant sees the municipalities they are
responsible for); saving or deleting one, or changing a source's priority, goes through
`analysis.services`, which decides again which value of each key is used. A source or an indicator
that values refer to cannot be deleted (PROTECT): the delete page says so in one line instead of
listing thousands of values.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uso_portal.scoped_admin import ScopedAdmin

from . import services
from .models import Indicator, IndicatorValue, Neighbour, Source


class ProtectedByValuesMixin:
    """The delete confirmation of an object that values refer to: one line with their count."""

    values_lookup: str

    def get_deleted_objects(self, objs, request):
        count = IndicatorValue.objects.filter(**{f"{self.values_lookup}__in": objs}).count()
        if count:
            refusal = ngettext(
                "%(count)d indicator value refers to it: it cannot be deleted while the value "
                "exists.",
                "%(count)d indicator values refer to it: it cannot be deleted while the values "
                "exist.",
                count,
            ) % {"count": count}
            return [], {}, set(), [refusal]
        return super().get_deleted_objects(objs, request)


@admin.register(Source)
class SourceAdmin(ProtectedByValuesMixin, ScopedAdmin):
    values_lookup = "data_source"
    list_display = ["name_fi", "code", "priority", "licence_fi"]
    list_display_links = ["name_fi", "code"]
    ordering = ["priority", "code"]
    search_fields = ["code", "name_fi", "name_sv", "name_en"]
    fieldsets = [
        (None, {"fields": ["code", "priority", "url"]}),
        (_("Name"), {"fields": ["name_fi", "name_sv", "name_en"]}),
        (_("Licence"), {"fields": ["licence_fi", "licence_sv", "licence_en"]}),
    ]

    def save_model(self, request, obj, form, change):
        services.source_save(source=obj)


@admin.register(Indicator)
class IndicatorAdmin(ProtectedByValuesMixin, ScopedAdmin):
    values_lookup = "indicator"
    list_display = [
        "code",
        "name_fi",
        "perspective",
        "headline",
        "unit",
        "direction",
        "position",
        "sv_unverified",
    ]
    list_display_links = ["code", "name_fi"]
    list_filter = ["perspective", "headline", "sv_unverified", "direction"]
    search_fields = ["code", "name_fi", "name_sv", "name_en"]
    fieldsets = [
        (None, {"fields": ["code", "perspective", "headline", "position", "direction"]}),
        (_("Name"), {"fields": ["name_fi", "name_sv", "name_en", "sv_unverified"]}),
        (_("Unit"), {"fields": ["unit", "decimals"]}),
        (_("Source"), {"fields": ["source_fi", "source_sv", "source_en"]}),
        (_("Licence"), {"fields": ["licence_fi", "licence_sv", "licence_en"]}),
    ]


def precedence(value: IndicatorValue) -> str:
    """Which source's value of this municipality, indicator and year is used, and why."""
    others = list(
        IndicatorValue.objects.filter(
            municipality_id=value.municipality_id,
            indicator_id=value.indicator_id,
            year=value.year,
        )
        .exclude(pk=value.pk)
        .select_related("data_source")
        .order_by("data_source__priority", "pk")
    )
    own = value.data_source
    if value.is_preferred:
        if not others:
            return str(_("Used: the only value of this municipality, indicator and year."))
        names = ", ".join(f"{other.data_source.name} ({other.value})" for other in others)
        return str(
            _(
                "Used: %(source)s comes first (priority %(priority)d) among the sources of this "
                "year's value; also given, not used: %(others)s."
            )
            % {"source": own.name, "priority": own.priority, "others": names}
        )
    winner = next((other for other in others if other.is_preferred), None)
    if winner is None:
        return str(_("Not used: the value to use is being decided again; reload the page."))
    return str(
        _(
            "Not used: %(winner)s gives this year's value (%(value)s), and its priority "
            "%(winner_priority)d comes before this source's %(priority)d."
        )
        % {
            "winner": winner.data_source.name,
            "value": winner.value,
            "winner_priority": winner.data_source.priority,
            "priority": own.priority,
        }
    )


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ScopedAdmin):
    list_display = ["municipality", "indicator", "year", "value", "data_source", "is_preferred"]
    list_filter = ["is_preferred", "data_source", "indicator__perspective", "year", "indicator"]
    list_select_related = ["municipality", "indicator", "data_source"]
    search_fields = [
        "municipality__name_fi",
        "municipality__code",
        "indicator__code",
        "indicator__name_fi",
    ]
    autocomplete_fields = ["municipality", "indicator", "data_source"]
    fields = ["municipality", "indicator", "year", "value", "data_source", "source"]
    readonly_fields = ["is_preferred", "precedence"]
    show_full_result_count = False  # the count of ~135 000 rows once is enough

    def get_fields(self, request, obj=None):
        return [*self.fields, *(["is_preferred", "precedence"] if obj else [])]

    @admin.display(description=_("which value is used"))
    def precedence(self, obj: IndicatorValue) -> str:
        return precedence(obj)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("municipality", "indicator", "data_source")
        )

    def save_model(self, request, obj, form, change):
        services.indicator_value_save(value=obj)  # the form checked one value per source

    def delete_model(self, request, obj):
        services.indicator_values_delete(values=IndicatorValue.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.indicator_values_delete(values=queryset)


@admin.register(Neighbour)
class NeighbourAdmin(ScopedAdmin):
    list_display = ["municipality", "neighbour", "confirmed", "source"]
    list_filter = ["confirmed"]
    list_select_related = ["municipality", "neighbour"]
    search_fields = [
        "municipality__name_fi",
        "municipality__code",
        "neighbour__name_fi",
        "neighbour__code",
    ]
    autocomplete_fields = ["municipality", "neighbour"]


from . import batch_admin  # noqa: E402,F401  (report batches and reports)
