"""Indicators of the situational analysis and their values per municipality and year."""

from __future__ import annotations

from django.db import models
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


# Units of the indicator definitions that are words; symbols (%, M€) read the same everywhere.
UNIT_LABELS = {
    "persons": _("persons"),
    "€/inhabitant": _("€/inhabitant"),
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
    source = models.TextField(_("source"))
    licence = models.CharField(_("licence"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

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
    def unit_label(self) -> str:
        """The unit in the reader's language (units are stored as their English codes)."""
        return str(UNIT_LABELS.get(self.unit, self.unit))


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
    source = models.CharField(_("source"), max_length=300)

    objects = MunicipalityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "year", "municipality"]
        indexes = [models.Index(fields=["indicator", "year"], name="indicator_value_lookup")]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "indicator", "year"], name="indicator_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.municipality.code} {self.indicator.code} {self.year}: {self.value}"
