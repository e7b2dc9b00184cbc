"""The next season from the current one, and the seasons around it."""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import (
    Municipality,
    Season,
    SeasonTheme,
)
from .. import hooks

# --- The next season ------------------------------------------------------------------------


def _shift(day: datetime.date, years: int) -> datetime.date:
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


def _shift_years_in(text: str, years: int, source: Season) -> str:
    for year in sorted(source.years, reverse=True):
        text = text.replace(str(year), str(year + years))
    return text


@transaction.atomic
def season_create_next(*, source: Season) -> Season:
    """The season after `source`: as long, starting the day after it ends, with its names (years
    moved on), programme quotas, themes and fee schedule copied; all editable afterwards."""
    length = len(source.years)
    slug = _shift_years_in(source.slug, length, source)
    if slug == source.slug:
        slug = f"{source.end_date.year + 1}-{source.end_date.year + length}"
    if Season.objects.filter(slug=slug).exists():
        raise ValidationError(
            _("The season %(slug)s exists already.") % {"slug": slug}, code="season_exists"
        )
    season = Season(
        slug=slug,
        name_fi=_shift_years_in(source.name_fi, length, source),
        name_sv=_shift_years_in(source.name_sv, length, source),
        name_en=_shift_years_in(source.name_en, length, source),
        start_date=_shift(source.start_date, length),
        end_date=_shift(source.end_date, length),
        theme_seminar_quota=source.theme_seminar_quota,
        trustee_training_quota=source.trustee_training_quota,
        foresight_session_quota=source.foresight_session_quota,
        workshops_per_member=source.workshops_per_member,
    )
    season.full_clean()
    season.save()
    for theme in source.themes.all():
        copy = SeasonTheme(
            season=season,
            name_fi=theme.name_fi,
            name_sv=theme.name_sv,
            name_en=theme.name_en,
            is_lead_theme=theme.is_lead_theme,
            position=theme.position,
        )
        copy.full_clean()
        copy.save()
    hooks.carry_over(source, season)
    return season


def previous_season(season: Season) -> Season | None:
    return Season.objects.filter(end_date__lt=season.start_date).order_by("-end_date").first()


def upcoming_season(today: datetime.date | None = None) -> Season | None:
    """The season in preparation: the next one to start."""
    today = today or timezone.localdate()
    return Season.objects.filter(start_date__gt=today).order_by("start_date").first()


def previous_members(season: Season):
    """The municipalities that were members of the season before `season`."""
    before = previous_season(season)
    if before is None:
        return Municipality.objects.none()
    return Municipality.objects.filter(memberships__season=before).order_by("code")
