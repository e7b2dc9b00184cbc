"""The `.ics` files of `events.calendar`, parsed back with icalendar."""

import datetime
import zoneinfo
from email.utils import parseaddr

import pytest
from django.conf import settings
from icalendar import Calendar

from events import calendar
from events.models import Event, EventStatus, Registration
from events.services import event_cancel, event_save

from .factories import EventFactory, RegistrationFactory

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
UTC = datetime.UTC
LINK = "https://meet.example.fi/uso-webinaari"


def helsinki(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=HELSINKI)


def parse(ics: bytes):
    """The calendar and its only VEVENT."""
    parsed = Calendar.from_ical(ics)
    (vevent,) = parsed.walk("VEVENT")
    return parsed, vevent


def fresh(registration: Registration) -> Registration:
    return Registration.objects.select_related("event", "contact_person").get(pk=registration.pk)


@pytest.fixture
def event(network) -> Event:
    return EventFactory(
        season=network.membership_a.season,
        start=helsinki(2021, 3, 24, 9),
        end=helsinki(2021, 3, 24, 12),
        online_link=LINK,
    )


@pytest.fixture
def registration(network, event) -> Registration:
    return RegistrationFactory(event=event, contact_person=network.contact_person_a)


def test_invitation_is_a_request(registration):
    parsed, vevent = parse(calendar.invitation(registration))

    assert str(parsed["METHOD"]) == "REQUEST"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["SUMMARY"]) == registration.event.title_fi


def test_cancelled_invitation_is_a_cancel(registration):
    parsed, vevent = parse(calendar.invitation(registration, cancel=True))

    assert str(parsed["METHOD"]) == "CANCEL"
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "DECLINED"


def test_publication_is_published_with_every_event(event, network):
    # given
    other = EventFactory(season=network.membership_a.season)

    # when
    parsed = Calendar.from_ical(calendar.publication([event, other], include_links=True))

    # then
    assert str(parsed["METHOD"]) == "PUBLISH"
    uids = {str(vevent["UID"]) for vevent in parsed.walk("VEVENT")}
    assert uids == {calendar.event_uid(event), calendar.event_uid(other)}


def test_helsinki_timezone_is_included(registration):
    parsed, vevent = parse(calendar.invitation(registration))

    tzids = [str(component["TZID"]) for component in parsed.walk("VTIMEZONE")]
    assert tzids == ["Europe/Helsinki"]
    assert vevent["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert vevent["DTEND"].params["TZID"] == "Europe/Helsinki"


@pytest.mark.parametrize(
    ("start", "utc_hour", "utc_offset_hours"),
    [
        (helsinki(2021, 3, 24, 9), 7, 2),  # before the spring switch on 28 March
        (helsinki(2021, 10, 6, 9), 6, 3),  # summer time
        (helsinki(2021, 10, 31, 9), 7, 2),  # the day of the autumn switch
    ],
    ids=["winter", "summer", "autumn-switch-day"],
)
def test_times_are_in_helsinki_across_dst(network, start, utc_hour, utc_offset_hours):
    # given
    event = EventFactory(
        season=network.membership_a.season, start=start, end=start + datetime.timedelta(hours=3)
    )
    registration = RegistrationFactory(event=event, contact_person=network.contact_person_a)

    # when
    ics = calendar.invitation(registration)
    parsed, vevent = parse(ics)

    # then: written as local wall-clock time with TZID
    local = f"{start:%Y%m%dT%H%M%S}"
    assert f"DTSTART;TZID=Europe/Helsinki:{local}" in ics.decode()
    dtstart, dtend = vevent["DTSTART"].dt, vevent["DTEND"].dt
    assert dtstart == event.start
    assert dtend == event.end
    assert dtstart.astimezone(UTC).hour == utc_hour
    assert (dtstart.hour, dtend.hour) == (9, 12)
    # and the shipped VTIMEZONE itself (not the TZ database) gives the same offset
    vtimezone = parsed.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    naive = datetime.datetime(start.year, start.month, start.day, 9)
    assert naive.replace(tzinfo=vtimezone).utcoffset() == datetime.timedelta(hours=utc_offset_hours)


def test_event_over_the_autumn_switch_keeps_its_real_duration(network):
    # given: 02:00 EEST (23:00 UTC) to 05:00 EET (03:00 UTC) is four hours, not three
    event = EventFactory(
        season=network.membership_a.season,
        start=helsinki(2021, 10, 31, 2),
        end=helsinki(2021, 10, 31, 5),
    )

    # when
    _, vevent = parse(calendar.publication([event], include_links=False))

    # then
    dtstart, dtend = vevent["DTSTART"].dt.astimezone(UTC), vevent["DTEND"].dt.astimezone(UTC)
    assert dtstart == datetime.datetime(2021, 10, 30, 23, tzinfo=UTC)
    assert dtend == datetime.datetime(2021, 10, 31, 3, tzinfo=UTC)
    assert dtend - dtstart == datetime.timedelta(hours=4)


def test_uid_is_stable_across_regenerations_and_changes(network, registration):
    # given
    event = registration.event
    first = str(parse(calendar.invitation(registration))[1]["UID"])

    # when
    event.start += datetime.timedelta(hours=1)
    event.end += datetime.timedelta(hours=1)
    event_save(event=event, actor=network.staff)
    event.title_fi = "Uusi otsikko"
    event_save(event=event, actor=network.staff)

    # then
    registration = fresh(registration)
    assert first == f"{event.uid}@uso-portal"
    assert str(parse(calendar.invitation(registration))[1]["UID"]) == first
    assert str(parse(calendar.invitation(registration, cancel=True))[1]["UID"]) == first
    published = calendar.publication([registration.event], include_links=False)
    assert str(parse(published)[1]["UID"]) == first


def test_sequence_grows_by_one_when_the_start_changes(network, registration):
    # given
    event = Event.objects.get(pk=registration.event.pk)
    assert parse(calendar.invitation(registration))[1]["SEQUENCE"] == 0

    # when
    event.start = helsinki(2021, 3, 25, 10)
    event.end = helsinki(2021, 3, 25, 13)
    event_save(event=event, actor=network.staff)

    # then
    _, vevent = parse(calendar.invitation(fresh(registration)))
    assert vevent["SEQUENCE"] == 1
    assert vevent["DTSTART"].dt == helsinki(2021, 3, 25, 10)


def test_sequence_grows_by_one_per_title_change(network, event):
    # given
    event.title_fi = "Ensimmäinen muutos"
    event_save(event=event, actor=network.staff)

    # when
    event.title_fi = "Toinen muutos"
    event_save(event=event, actor=network.staff)

    # then
    _, vevent = parse(calendar.publication([Event.objects.get(pk=event.pk)], include_links=False))
    assert vevent["SEQUENCE"] == 2
    assert str(vevent["SUMMARY"]) == "Toinen muutos"


def test_sequence_stays_when_nothing_calendar_relevant_changes(network, event):
    # given
    event.capacity = 40
    event.max_per_municipality = 5

    # when
    event_save(event=event, actor=network.staff)
    event_save(event=Event.objects.get(pk=event.pk), actor=network.staff)

    # then
    _, vevent = parse(calendar.publication([Event.objects.get(pk=event.pk)], include_links=False))
    assert vevent["SEQUENCE"] == 0


def test_sequence_never_goes_back_when_an_older_copy_is_saved(network, event):
    # given: a copy loaded before somebody else changed the time
    older_copy = Event.objects.get(pk=event.pk)
    event.start += datetime.timedelta(hours=1)
    event.end += datetime.timedelta(hours=1)
    event_save(event=event, actor=network.staff)

    # when: the older copy is saved with the new time and only the capacity changed
    older_copy.start, older_copy.end = event.start, event.end
    older_copy.capacity = 10
    event_save(event=older_copy, actor=network.staff)

    # then
    assert Event.objects.get(pk=event.pk).sequence == 1


def test_event_cancel_gives_cancelled_with_a_higher_sequence(network, registration):
    # given
    event = registration.event
    event.title_fi = "Muutettu"
    event_save(event=event, actor=network.staff)

    # when
    event_cancel(event=event, actor=network.staff)

    # then
    registration = fresh(registration)
    assert registration.event.status == EventStatus.CANCELLED
    parsed, vevent = parse(calendar.invitation(registration, cancel=True))
    assert str(parsed["METHOD"]) == "CANCEL"
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent["SEQUENCE"] == 2
    _, published = parse(calendar.publication([registration.event], include_links=False))
    assert str(published["STATUS"]) == "CANCELLED"
    assert published["SEQUENCE"] == 2


def test_online_link_is_in_invitations_only(registration):
    # when
    _, invited = parse(calendar.invitation(registration))
    _, withdrawn = parse(calendar.invitation(registration, cancel=True))
    _, public = parse(calendar.publication([registration.event], include_links=False))
    _, private = parse(calendar.publication([registration.event], include_links=True))

    # then
    assert str(invited["URL"]) == LINK
    assert LINK in str(invited["DESCRIPTION"])
    assert str(private["URL"]) == LINK
    for vevent in (withdrawn, public):
        assert "URL" not in vevent
        assert LINK not in str(vevent.get("DESCRIPTION", ""))


def test_attendee_is_the_participant(network, registration):
    _, vevent = parse(calendar.invitation(registration))

    attendee = vevent["ATTENDEE"]
    assert str(attendee).lower() == f"mailto:{network.contact_person_a.email}"
    assert attendee.params["CN"] == network.contact_person_a.name
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert str(vevent["ORGANIZER"]) == f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}"
