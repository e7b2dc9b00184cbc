"""Dates of the living demo: which season is current on a day, and where its programme falls.

The rule: the network's seasons are two calendar years starting on 1 January of an odd year
(2021–2022 in the seeds, then 2023–2024, 2025–2026, …); the **current season** is the one that
contains the day `load_demo` runs (`django.utils.timezone.localdate()`).

The current season's programme is dated relative to that day: what is held lies some days before
it, what is open for registration some days after it. Near the season's ends the offsets shrink so
that everything stays inside the season (a held event three weeks into the season is a few days
old, not three weeks); only on the season's very first day do the held things fall on the
previous day, and on its very last day the upcoming ones on the next day, outside the season.
Dates land on weekdays whenever that keeps them inside the season and on the right side of today.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

DAY = datetime.timedelta(days=1)


def season_years(today: datetime.date) -> tuple[int, int]:
    """The first and last year of the season that contains `today`."""
    first = today.year if today.year % 2 == 1 else today.year - 1
    return first, first + 1


def season_slug(today: datetime.date) -> str:
    first, last = season_years(today)
    return f"{first}-{last}"


@dataclass(frozen=True)
class DemoCalendar:
    """Days relative to `today` inside the current season (`start`…`end`)."""

    today: datetime.date
    start: datetime.date
    end: datetime.date

    @classmethod
    def on(cls, today: datetime.date) -> DemoCalendar:
        first, last = season_years(today)
        return cls(today, datetime.date(first, 1, 1), datetime.date(last, 12, 31))

    # The largest offsets the programme uses; nearer the season's ends they are scaled down.
    REACH = 60

    def ago(self, days: int) -> datetime.date:
        """A day about `days` before today, after the season's start (scaled when it is near)."""
        room = (self.today - self.start).days
        offset = max(1, round(days * min(1.0, room / self.REACH)))
        day = self.today - offset * DAY
        while day.weekday() >= 5 and day - DAY >= self.start:
            day -= DAY
        return day

    def ahead(self, days: int) -> datetime.date:
        """A day about `days` after today, before the season's end (scaled when it is near)."""
        room = (self.end - self.today).days
        offset = max(1, round(days * min(1.0, room / self.REACH)))
        day = self.today + offset * DAY
        while day.weekday() >= 5 and day + DAY <= self.end:
            day += DAY
        return day
