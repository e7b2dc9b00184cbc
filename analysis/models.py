"""Indicators of the situational analysis and their values per municipality and year."""

from __future__ import annotations

from django.db import connection, models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from municipalities.scoping import MunicipalityScopedQuerySet
from uso_portal.i18n import localized


class Perspective(models.TextChoices):
    VITALITY = "vitality", _("Vitality")
    POPULATION = "population", _("Population development")
    WELLBEING = "wellbeing", _("Wellbeing")
    FINANCES = "finances", _("Municipal finances")
    LEADERSHIP = "leadership", _("Leadership and participation")
    SUSTAINABILITY = "sustainability", _("Sustainable development")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Higher is better")
    LOWER_IS_BETTER = "lower", _("Lower is better")
    NEUTRAL = "neutral", _("Neutral")


# The unit codes of the indicator definitions (analysis/definitions.py maps the data files' unit
# texts to them) and their labels in the reader's language; symbols read the same everywhere (the
# msgids have no "%": gettext would take "% o" for a format).
UNIT_LABELS = {
    "pct": "%",
    "m2": "m²",
    "meur": _("€ million"),
    "eur_per_inhabitant": _("€/inhabitant"),
    "persons": _("persons"),
    "families": _("families"),
    "households": _("households"),
    "jobs": _("jobs"),
    "pct_change": format_lazy("% {}", _("change from the previous year")),
    "pct_population": format_lazy("% {}", _("of the population")),
    "pct_aged_15_plus": format_lazy("% {}", _("of those aged 15 or over")),
    "pct_aged_18_64": format_lazy("% {}", _("of those aged 18–64")),
    "pct_urban_population": format_lazy("% {}", _("of the population in urban settlements")),
    "pct_households": format_lazy("% {}", _("of households")),
    "pct_jobs": format_lazy("% {}", _("of jobs")),
    "pct_employed_residents": format_lazy("% {}", _("of employed residents")),
    "pct_labour_force": format_lazy("% {}", _("of the labour force")),
    "pct_candidates": format_lazy("% {}", _("of candidates")),
    "pct_floor_area": format_lazy("% {}", _("of the floor area")),
    "jobs_per_100_employed": _("jobs per 100 employed residents"),
    "non_employed_per_100_employed": _("non-employed per 100 employed"),
    "dependants_per_100": _("aged under 15 or over 64 per 100 aged 15–64"),
}


class Source(models.Model):
    """Who published a series of values: its name and licence in each language, and its
    priority. Where two sources give the same municipality, indicator and year, the value of the
    source with the lower priority number is the one shown (Statistics Finland's series before a
    city's own figure); the other value is kept and marked as not used."""

    UNSPECIFIED = "unspecified"

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=300)
    name_sv = models.CharField(_("name in Swedish"), max_length=300, blank=True)
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    licence_fi = models.CharField(_("licence in Finnish"), max_length=300)
    licence_sv = models.CharField(_("licence in Swedish"), max_length=300, blank=True)
    licence_en = models.CharField(_("licence in English"), max_length=300, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=100, help_text=_("Lower wins when two sources give the same value.")
    )

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def licence(self) -> str:
        return localized(self, "licence")

    @classmethod
    def unspecified_pk(cls) -> int:
        """The default of a value stored without a source (the lowest priority).

        It reads only the id, and creates a missing row with the columns of migration 0003 alone:
        that migration's AddField of `IndicatorValue.data_source` calls this with the *current*
        model class, whose later fields have no column yet at that point. (Migration 0003 creates
        the row itself before the AddField, so there the read finds it.)"""
        ids = cls.objects.filter(code=cls.UNSPECIFIED).values_list("pk", flat=True)
        pk = ids.first()
        if pk is None:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(name) for name in UNSPECIFIED_SOURCE)
            marks = ", ".join(["%s"] * len(UNSPECIFIED_SOURCE))
            with connection.cursor() as cursor:
                cursor.execute(
                    # quoted identifiers of this model, values bound as parameters
                    f"INSERT INTO {quote(cls._meta.db_table)} ({columns}) VALUES ({marks})",  # noqa: S608
                    list(UNSPECIFIED_SOURCE.values()),
                )
            pk = ids.get()
        return pk


# The row of the values stored without a source: only the fields Source had in migration 0003.
UNSPECIFIED_SOURCE = {
    "code": Source.UNSPECIFIED,
    "name_fi": "Lähde ei tiedossa",
    "name_sv": "Källan okänd",
    "name_en": "Source not stated",
    "licence_fi": "–",
    "licence_sv": "–",
    "licence_en": "–",
    "url": "",
    "priority": 1000,
}


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective.choices)
    unit = models.CharField(_("unit"), max_length=60)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=0)
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.NEUTRAL
    )
    source_fi = models.TextField(_("source in Finnish"))
    source_sv = models.TextField(_("source in Swedish"), blank=True)
    source_en = models.TextField(_("source in English"), blank=True)
    licence_fi = models.CharField(_("licence in Finnish"), max_length=200)
    licence_sv = models.CharField(_("licence in Swedish"), max_length=200, blank=True)
    licence_en = models.CharField(_("licence in English"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    headline = models.PositiveSmallIntegerField(
        _("headline position"),
        default=0,
        help_text=_("Place among its perspective's headline indicators in the summary; 0: none."),
    )
    sv_unverified = models.BooleanField(
        _("Swedish name to be checked"),
        default=False,
        help_text=_("The Swedish name is a translation, not the statistics' own."),
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["perspective", "position", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def source(self) -> str:
        """The indicator's source in the reader's language."""
        return localized(self, "source")

    @property
    def licence(self) -> str:
        return localized(self, "licence")

    @property
    def unit_label(self) -> str:
        """The unit in the reader's language (units are stored as codes, see UNIT_LABELS)."""
        return str(UNIT_LABELS.get(self.unit, self.unit))


class IndicatorValueQuerySet(MunicipalityScopedQuerySet):
    def preferred(self) -> IndicatorValueQuerySet:
        """One value per municipality, indicator and year: the one of the winning source."""
        return self.filter(is_preferred=True)


class IndicatorValue(models.Model):
    MUNICIPALITY_PATH = "municipality"

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="indicator_values",
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="values"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    data_source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="values",
        default=Source.unspecified_pk,
    )
    source = models.CharField(_("provenance"), max_length=300, blank=True)
    is_preferred = models.BooleanField(
        _("used"),
        default=True,
        help_text=_("Not used: another source with a higher priority gives this year's value."),
    )

    objects = IndicatorValueQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "year", "municipality"]
        indexes = [models.Index(fields=["indicator", "year"], name="indicator_value_lookup")]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "indicator", "year", "data_source"],
                name="indicator_value_unique_per_source",
            ),
            models.UniqueConstraint(
                fields=["municipality", "indicator", "year"],
                condition=models.Q(is_preferred=True),
                name="indicator_value_one_preferred",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.code} {self.indicator.code} {self.year}: {self.value}"


class Neighbour(models.Model):
    """Two municipalities that share a border (one row each way where the source says so)."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality"),
        on_delete=models.CASCADE,
        related_name="neighbour_links",
    )
    neighbour = models.ForeignKey(
        Municipality, verbose_name=_("neighbour"), on_delete=models.CASCADE, related_name="+"
    )
    confirmed = models.BooleanField(
        _("confirmed"), default=True, help_text=_("False: listed one way only in the source.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("neighbouring municipality")
        verbose_name_plural = _("neighbouring municipalities")
        ordering = ["municipality", "neighbour"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "neighbour"], name="neighbour_unique_pair"
            ),
            models.CheckConstraint(
                condition=~models.Q(municipality=models.F("neighbour")),
                name="neighbour_not_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} – {self.neighbour}"


class NationalStatistic(models.Model):
    """The all-municipalities statistics of one indicator and year (the used values only),
    precomputed by `importers.values_changed` so that no page reads every value."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="national_statistics",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    count = models.PositiveIntegerField(_("municipalities with a value"))
    # the median of two 4-decimal values has at most 5 decimals
    median = models.DecimalField(_("median"), max_digits=19, decimal_places=5)

    class Meta:
        verbose_name = _("national statistic")
        verbose_name_plural = _("national statistics")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"], name="national_statistic_unique_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}: {self.median} ({self.count})"


from .batch_models import Report, ReportBatch, ReportBatchStatus, ReportStatus  # noqa: E402,F401
