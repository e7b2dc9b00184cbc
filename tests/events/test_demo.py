"""The demo programme of 2021 from the seeds."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from events.models import Announcement, Event, EventKind, EventStatus, Registration

pytestmark = pytest.mark.django_db


def load_demo():
    call_command("load_demo", stdout=io.StringIO())


def local(moment):
    return timezone.localtime(
        moment, timezone=datetime.timezone(datetime.timedelta(hours=0))
    ).strftime("%Y-%m-%d %H:%M")


def test_the_2021_programme_from_the_seeds():
    load_demo()

    def times(kind):
        return [
            (
                timezone.localtime(e.start).strftime("%d.%m.%Y %H:%M"),
                timezone.localtime(e.end).strftime("%H:%M"),
            )
            for e in Event.objects.filter(kind=kind).order_by("start")
        ]

    assert times(EventKind.THEME_SEMINAR) == [
        ("24.03.2021 09:00", "12:00"),
        ("11.05.2021 09:00", "15:00"),
        ("06.10.2021 09:00", "15:00"),
        ("16.03.2022 09:00", "15:00"),
        ("18.05.2022 09:00", "15:00"),
        ("12.10.2022 09:00", "15:00"),
    ]
    assert times(EventKind.TRUSTEE_TRAINING) == [
        ("01.09.2021 09:00", "15:00"),
        ("01.12.2021 09:00", "15:00"),
    ]
    assert times(EventKind.FORESIGHT_SESSION) == [
        ("17.02.2021 12:30", "15:00"),
        ("17.03.2021 12:30", "15:00"),
        ("07.04.2021 12:30", "15:00"),
        ("28.04.2021 12:30", "15:00"),
    ]
    # stored in UTC: 24.3.2021 09:00 in Helsinki (UTC+2) is 07:00 UTC, 6.10. (UTC+3) is 06:00
    assert local(Event.objects.get(start__date="2021-03-24").start) == "2021-03-24 07:00"
    assert local(Event.objects.get(start__date="2021-10-06").start) == "2021-10-06 06:00"
    foresight = Event.objects.filter(kind=EventKind.FORESIGHT_SESSION)
    assert foresight.values("series").distinct().count() == 1
    drafts = Event.objects.filter(status=EventStatus.DRAFT)
    assert {e.start.year for e in drafts} == {2022} and drafts.count() == 3


def test_demo_registrations_and_news_are_there_and_idempotent():
    load_demo()
    counts = (Event.objects.count(), Registration.objects.count(), Announcement.objects.count())
    assert Registration.objects.filter(municipality__code="980", attendance="present").exists()
    assert counts[1] > 10 and counts[2] == 2
    load_demo()
    assert (
        Event.objects.count(),
        Registration.objects.count(),
        Announcement.objects.count(),
    ) == counts
