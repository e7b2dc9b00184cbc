"""Due dates on Finnish banking days.

Spec: `finnish-invoicing.md` §6. Banking days are Monday–Friday that are not in the default
(PUBLIC) category of `holidays.country_holidays("FI")`, which includes Midsummer Eve and
Christmas Eve. A due date that falls on another day moves to the next banking day.
"""

import functools
from datetime import date, datetime, timedelta

import holidays


@functools.cache
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FI", years=year))


def is_banking_day(day: date) -> bool:
    """Monday–Friday and not a Finnish public holiday (§6)."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, not {type(day).__name__}")
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_banking_day(day: date) -> date:
    """`day` itself if it is a banking day, else the first banking day after it (§6)."""
    while not is_banking_day(day):
        day += timedelta(days=1)
    return day


def due_date(invoice_date: date, days: int) -> date:
    """Invoice date + payment term in days, rolled forward to a banking day (§6)."""
    if days < 0:
        raise ValueError(f"payment term must not be negative, got {days}")
    return next_banking_day(invoice_date + timedelta(days=days))
