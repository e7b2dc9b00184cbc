"""Banking days and due-date roll-forward against the spec's vectors (§6)."""

import json
from datetime import date, datetime
from pathlib import Path

import holidays
import pytest

from billing.duedate import due_date, is_banking_day, next_banking_day

VECTORS = json.loads(
    Path(__file__).with_name("finnish-invoicing-vectors.json").read_text(encoding="utf-8")
)
HOLIDAYS = [
    (date.fromisoformat(h["date"]), h["name"])
    for days in VECTORS["fi_public_holidays"].values()
    for h in days
]


@pytest.mark.parametrize(("day", "name"), HOLIDAYS, ids=[f"{d}-{n}" for d, n in HOLIDAYS])
def test_public_holiday_is_not_a_banking_day(day, name):
    assert not is_banking_day(day)
    assert next_banking_day(day) > day


@pytest.mark.parametrize("year", sorted(VECTORS["fi_public_holidays"]))
def test_holiday_list_matches_the_holidays_package(year):
    listed = {date.fromisoformat(h["date"]) for h in VECTORS["fi_public_holidays"][year]}
    assert listed == set(holidays.country_holidays("FI", years=int(year)))


@pytest.mark.parametrize(
    "v", VECTORS["due_date_roll_forward"], ids=lambda v: f"{v['invoice_date']}+{v['net_days']}"
)
def test_due_date_rolls_forward(v):
    invoice_date = date.fromisoformat(v["invoice_date"])
    raw = date.fromisoformat(v["raw_due"])
    expected = date.fromisoformat(v["due_rolled_to_banking_day"])
    assert raw.strftime("%a") == v["raw_weekday"]
    assert is_banking_day(raw) is (raw == expected)
    assert next_banking_day(raw) == expected
    assert due_date(invoice_date, v["net_days"]) == expected
    assert is_banking_day(expected)


def test_usecase_due_date():
    case = VECTORS["usecase_invoice"]
    invoice_date = date.fromisoformat(case["invoice_date"])
    assert due_date(invoice_date, case["net_days"]) == date.fromisoformat(case["due_date"])


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 23), True),  # Monday
        (date(2026, 11, 27), True),  # Friday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 12, 31), True),  # New Year's Eve is a banking day
    ],
    ids=str,
)
def test_weekdays_and_weekends(day, expected):
    assert is_banking_day(day) is expected


def test_next_banking_day_across_new_year():
    assert next_banking_day(date(2027, 12, 31)) == date(2027, 12, 31)
    assert next_banking_day(date(2027, 1, 1)) == date(2027, 1, 4)


def test_zero_days_is_the_invoice_date_when_a_banking_day():
    assert due_date(date(2026, 12, 17), 0) == date(2026, 12, 17)


def test_negative_term_is_refused():
    with pytest.raises(ValueError):
        due_date(date(2026, 12, 17), -1)


def test_datetime_is_refused():
    with pytest.raises(TypeError):
        is_banking_day(datetime(2026, 12, 24, 12, 0))
