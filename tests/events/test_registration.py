"""Registration rules: membership, eligibility, windows, caps, waitlist, promotion, overrides."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from events import services
from events.models import Attendance, Audience, EventStatus, Registration, RegistrationStatus
from municipalities.models import ContactRole

from ..municipalities.factories import ContactPersonFactory, MunicipalityFactory
from .factories import EventFactory, PastEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(network):
    return EventFactory(season=network.membership_a.season, capacity=3, max_per_municipality=2)


def person(network, municipality="a", role=ContactRole.OFFICIAL):
    target = network.municipality_a if municipality == "a" else network.municipality_b
    return ContactPersonFactory(municipality=target, role=role)


def register(network, event, contact, actor=None, **options):
    actor = actor or (
        network.contact_a if contact.municipality == network.municipality_a else network.contact_b
    )
    return services.registration_create(event=event, contact_person=contact, actor=actor, **options)


def assert_refused(code, call):
    with pytest.raises(ValidationError) as error:
        call()
    assert error.value.code == code, error.value.messages


def test_confirmed_while_seats_last_then_waitlisted(network, event):
    # given three seats, at most two per municipality
    a1, a2, a3 = (person(network) for _ in range(3))
    b1, b2 = person(network, "b"), person(network, "b")
    # when
    statuses = [register(network, event, c).status for c in (a1, a2, a3, b1, b2)]
    # then A's third waits for the per-municipality cap, B's second for the capacity
    assert statuses == ["confirmed", "confirmed", "waitlisted", "confirmed", "waitlisted"]


def test_waitlist_positions_follow_registration_order(network, event):
    event.max_per_municipality = None
    event.capacity = 1
    event.save()
    register(network, event, person(network))
    waiting = [register(network, event, person(network)) for _ in range(3)]
    assert [services.waitlist_position(r) for r in waiting] == [1, 2, 3]


def test_cancelling_a_confirmed_seat_promotes_exactly_one(network, event):
    event.max_per_municipality = None
    event.save()
    confirmed = [register(network, event, person(network)) for _ in range(3)]
    waiting = [register(network, event, person(network)) for _ in range(2)]

    promoted = services.registration_cancel(registration=confirmed[0], actor=network.contact_a)

    assert promoted == [waiting[0]]
    waiting[0].refresh_from_db()
    waiting[1].refresh_from_db()
    assert (waiting[0].status, waiting[1].status) == ("confirmed", "waitlisted")
    assert waiting[0].promoted_at is not None


def test_promotion_respects_the_per_municipality_cap(network, event):
    # given A has two confirmed (its cap), A's third and then B's first wait for the full event
    a = [register(network, event, person(network)) for _ in range(2)]
    b_first = register(network, event, person(network, "b"))
    a_third = register(network, event, person(network))
    b_second = register(network, event, person(network, "b"))
    assert (a_third.status, b_second.status) == ("waitlisted", "waitlisted")
    # when B's confirmed person cancels, A's waiting person cannot take the seat (A is at its cap)
    promoted = services.registration_cancel(registration=b_first, actor=network.contact_b)
    # then B's waiting person gets it, although A's registered earlier
    assert promoted == [b_second]
    assert len(a) == 2


def test_cancelling_a_waitlisted_registration_promotes_nobody(network, event):
    event.capacity = 1
    event.save()
    register(network, event, person(network))
    waiting = register(network, event, person(network, "b"))
    assert services.registration_cancel(registration=waiting, actor=network.contact_b) == []


def test_larger_capacity_promotes_waiting_people(network, event):
    event.max_per_municipality = None
    event.save()
    for _ in range(3):
        register(network, event, person(network))
    waiting = [register(network, event, person(network)) for _ in range(2)]
    event.capacity = 5
    services.event_save(event=event, actor=network.staff)
    assert set(
        Registration.objects.filter(pk__in=[w.pk for w in waiting]).values_list("status", flat=True)
    ) == {"confirmed"}


def test_only_members_of_the_season_register(network, event):
    outsider = ContactPersonFactory(municipality=MunicipalityFactory(code="091"))
    assert_refused(
        "not_member",
        lambda: services.registration_create(
            event=event, contact_person=outsider, actor=network.staff
        ),
    )
    network.membership_b.status = "ended"
    network.membership_b.ended_on = datetime.date(2021, 6, 30)
    network.membership_b.save()
    assert_refused("not_member", lambda: register(network, event, person(network, "b")))


def test_trustee_events_accept_only_elected_trustees(network, event):
    event.audience = Audience.ELECTED_TRUSTEES
    event.save()
    assert_refused("not_eligible", lambda: register(network, event, person(network)))
    trustee = person(network, role=ContactRole.ELECTED_TRUSTEE)
    assert register(network, event, trustee).status == "confirmed"


def test_registration_window(network):
    season = network.membership_a.season
    not_yet = EventFactory(
        season=season, registration_opens=timezone.now() + datetime.timedelta(days=1)
    )
    closed = EventFactory(
        season=season, registration_closes=timezone.now() - datetime.timedelta(minutes=1)
    )
    started = EventFactory(season=season, start=timezone.now() - datetime.timedelta(minutes=5))
    draft = EventFactory(season=season, status=EventStatus.DRAFT)
    cancelled = EventFactory(season=season, status=EventStatus.CANCELLED)
    assert_refused("not_open_yet", lambda: register(network, not_yet, person(network)))
    assert_refused("closed", lambda: register(network, closed, person(network)))
    assert_refused("closed", lambda: register(network, started, person(network)))
    assert_refused("not_published", lambda: register(network, draft, person(network)))
    assert_refused("event_cancelled", lambda: register(network, cancelled, person(network)))


def test_a_person_registers_once(network, event):
    contact = person(network)
    register(network, event, contact)
    assert_refused("already_registered", lambda: register(network, event, contact))
    with (
        transaction.atomic(),
        pytest.raises(IntegrityError, match="registration_one_active_per_person|UNIQUE"),
    ):
        RegistrationFactory(event=event, contact_person=contact)


def test_a_cancelled_person_can_register_again(network, event):
    contact = person(network)
    services.registration_cancel(
        registration=register(network, event, contact), actor=network.contact_a
    )
    assert register(network, event, contact).status == "confirmed"


def test_contacts_register_and_cancel_only_their_own_people(network, event):
    with pytest.raises(PermissionDenied):
        services.registration_create(
            event=event, contact_person=person(network, "b"), actor=network.contact_a
        )
    registration = register(network, event, person(network, "b"))
    with pytest.raises(PermissionDenied):
        services.registration_cancel(registration=registration, actor=network.contact_a)


def test_cancellation_deadline_binds_contacts_not_staff(network, event):
    event.cancellation_deadline = timezone.now() - datetime.timedelta(hours=1)
    event.save()
    registration = register(network, event, person(network))
    assert_refused(
        "deadline_passed",
        lambda: services.registration_cancel(registration=registration, actor=network.contact_a),
    )
    services.registration_cancel(registration=registration, actor=network.staff)
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert registration.cancelled_by == network.staff
    assert_refused(
        "already_cancelled",
        lambda: services.registration_cancel(registration=registration, actor=network.staff),
    )


def test_staff_override_confirms_beyond_the_limits_and_is_recorded(network, event):
    for _ in range(2):
        register(network, event, person(network))
    register(network, event, person(network, "b"))  # full now

    registration = services.registration_create(
        event=event,
        contact_person=person(network),
        actor=network.staff,
        staff_override=True,
        override_reason="Kaupunginjohtaja puhujana",
    )

    assert registration.status == "confirmed"
    assert registration.override_by == network.staff
    assert registration.override_reason == "Kaupunginjohtaja puhujana"
    assert event.registrations.filter(status="confirmed").count() == 4


def test_staff_register_outside_the_window_but_contacts_cannot_override(network, event):
    event.registration_closes = timezone.now() - datetime.timedelta(days=1)
    event.save()
    staff_made = services.registration_create(
        event=event, contact_person=person(network), actor=network.staff
    )
    assert staff_made.status == "confirmed"
    with pytest.raises(PermissionDenied):
        services.registration_create(
            event=event,
            contact_person=person(network),
            actor=network.contact_a,
            staff_override=True,
        )


def test_new_person_is_added_and_registered_together(network, event):
    registration = services.registration_create_for_new_person(
        event=event,
        actor=network.contact_a,
        name="Uusi Ihminen",
        email="Uusi@Example.fi",
        title="Sivistysjohtaja",
        role=ContactRole.OFFICIAL,
    )
    assert registration.contact_person.municipality == network.municipality_a
    assert registration.contact_person.email == "uusi@example.fi"


def test_a_refused_new_person_is_not_saved(network, event):
    event.audience = Audience.ELECTED_TRUSTEES
    event.save()
    count = network.municipality_a.contact_persons.count()
    assert_refused(
        "not_eligible",
        lambda: services.registration_create_for_new_person(
            event=event,
            actor=network.contact_a,
            name="Ei Luottamushenkilö",
            email="ei@example.fi",
            role=ContactRole.OFFICIAL,
        ),
    )
    assert network.municipality_a.contact_persons.count() == count


def test_attendance_is_marked_in_bulk_after_the_event(network):
    event = PastEventFactory(season=network.membership_a.season)
    confirmed = [RegistrationFactory(event=event, contact_person=person(network)) for _ in range(3)]
    count = services.attendance_mark(
        registrations=confirmed, attendance=Attendance.PRESENT, actor=network.staff
    )
    assert count == 3
    assert set(Registration.objects.values_list("attendance", flat=True)) == {"present"}


def test_attendance_refusals(network, event):
    upcoming = [register(network, event, person(network))]
    assert_refused(
        "not_started",
        lambda: services.attendance_mark(
            registrations=upcoming, attendance=Attendance.PRESENT, actor=network.staff
        ),
    )
    past = PastEventFactory(season=network.membership_a.season)
    waiting = RegistrationFactory(event=past, contact_person=person(network), status="waitlisted")
    assert_refused(
        "not_confirmed",
        lambda: services.attendance_mark(
            registrations=[waiting], attendance=Attendance.ABSENT, actor=network.staff
        ),
    )
    with pytest.raises(PermissionDenied):
        services.attendance_mark(
            registrations=upcoming, attendance="present", actor=network.contact_a
        )


def test_attendance_only_for_confirmed_is_a_database_rule(network, event):
    with (
        transaction.atomic(),
        pytest.raises(IntegrityError, match="registration_attendance_only_confirmed"),
    ):
        RegistrationFactory(
            event=event,
            contact_person=person(network),
            status=RegistrationStatus.WAITLISTED,
            attendance=Attendance.PRESENT,
        )


@pytest.mark.parametrize(("language", "opens"), [("fi", "9.00"), ("sv", "9.00"), ("en", "09:00")])
def test_not_open_yet_names_the_opening_time_in_the_active_language(network, language, opens):
    # given registration opens at 9.00 Helsinki time tomorrow
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    at_nine = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
    event = EventFactory(season=network.membership_a.season, registration_opens=at_nine)

    # when
    with translation.override(language), pytest.raises(ValidationError) as error:
        register(network, event, person(network))

    # then
    (message,) = error.value.messages
    assert f"{at_nine:%-d.%-m.%Y} {opens}" in message
