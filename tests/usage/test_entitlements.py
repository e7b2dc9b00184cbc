"""The season's entitlements against a member's use, against hand-counted registrations and
workshops."""

import pytest
from django.utils import timezone

from events.models import Attendance, EventKind, EventStatus, RegistrationStatus
from usage.selectors import entitlements_for
from workshops.models import WorkshopStatus

from ..events.factories import EventFactory, PastEventFactory, RegistrationFactory, in_days
from ..municipalities.factories import ContactPersonFactory
from ..workshops.factories import QuotaGrantFactory, ScheduledWorkshopFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def register(event, person, *, attendance="", status=RegistrationStatus.CONFIRMED):
    cancelled_at = timezone.now() if status == RegistrationStatus.CANCELLED else None
    return RegistrationFactory(
        event=event,
        contact_person=person,
        status=status,
        attendance=attendance,
        cancelled_at=cancelled_at,
    )


@pytest.fixture
def season_usage(network):
    """Municipality A in a season with a hand-counted programme:

    theme seminars: 2 held (A: 2 present at the first, 1 registered but absent at the second),
    1 upcoming, 1 cancelled, 1 draft; foresight: 1 held that A skipped, 1 published whose end
    has passed without being marked held (A: 1 registered, attendance unmarked); a peer event
    upcoming. B's registrations must not count for A."""
    season = network.membership_a.season
    a1, a2 = network.contact_person_a, ContactPersonFactory(municipality=network.municipality_a)
    b1 = network.contact_person_b
    first = PastEventFactory(season=season, kind=EventKind.THEME_SEMINAR, start=in_days(-60))
    second = PastEventFactory(season=season, kind=EventKind.THEME_SEMINAR, start=in_days(-20))
    EventFactory(season=season, kind=EventKind.THEME_SEMINAR)
    EventFactory(season=season, kind=EventKind.THEME_SEMINAR, status=EventStatus.CANCELLED)
    EventFactory(season=season, kind=EventKind.THEME_SEMINAR, status=EventStatus.DRAFT)
    skipped = PastEventFactory(season=season, kind=EventKind.FORESIGHT_SESSION)
    unmarked = EventFactory(
        season=season, kind=EventKind.FORESIGHT_SESSION, start=in_days(-3)
    )  # published, ended, not marked held
    EventFactory(season=season, kind=EventKind.PEER_DISCUSSION)

    register(first, a1, attendance=Attendance.PRESENT)
    register(first, a2, attendance=Attendance.PRESENT)
    register(first, b1, attendance=Attendance.PRESENT)
    register(second, a1, attendance=Attendance.ABSENT)
    register(second, a2, status=RegistrationStatus.CANCELLED)
    register(skipped, b1, attendance=Attendance.PRESENT)
    register(unmarked, a1)

    ScheduledWorkshopFactory(membership=network.membership_a, status=WorkshopStatus.REPORTED)
    ScheduledWorkshopFactory(membership=network.membership_a, status=WorkshopStatus.HELD)
    ScheduledWorkshopFactory(membership=network.membership_a, status=WorkshopStatus.SCHEDULED)
    WorkshopFactory(membership=network.membership_a, status=WorkshopStatus.PROPOSED)
    WorkshopFactory(membership=network.membership_a, status=WorkshopStatus.CANCELLED)
    ScheduledWorkshopFactory(membership=network.membership_b, status=WorkshopStatus.HELD)
    QuotaGrantFactory(membership=network.membership_a, extra=1)
    return {"first": first, "second": second, "skipped": skipped, "unmarked": unmarked}


def by_kind(entitlements):
    return {row.kind: row for row in entitlements.kinds}


def test_each_kind_counts_the_quota_what_was_held_and_what_the_municipality_attended(
    network, season_usage
):
    rows = by_kind(entitlements_for(network.membership_a))

    seminars = rows[EventKind.THEME_SEMINAR]
    assert (seminars.entitled, seminars.held, seminars.upcoming) == (6, 2, 1)
    assert (seminars.attended, seminars.participants, seminars.left) == (1, 2, 4)

    foresight = rows[EventKind.FORESIGHT_SESSION]
    assert (foresight.entitled, foresight.held, foresight.upcoming) == (4, 2, 0)
    assert (foresight.attended, foresight.participants) == (0, 0)

    training = rows[EventKind.TRUSTEE_TRAINING]
    assert (training.entitled, training.held, training.upcoming, training.left) == (2, 0, 0, 2)

    # No quota: the programme is the entitlement.
    peer = rows[EventKind.PEER_DISCUSSION]
    assert (peer.entitled, peer.held, peer.upcoming) == (1, 0, 1)
    reviews = rows[EventKind.CURRENT_AFFAIRS_REVIEW]
    assert (reviews.entitled, reviews.held) == (0, 0)


def test_each_held_event_says_how_many_of_the_municipalitys_people_attended(network, season_usage):
    held = {row.pk: row for row in entitlements_for(network.membership_a).held_events}

    assert set(held) == {
        season_usage[name].pk for name in ("first", "second", "skipped", "unmarked")
    }
    first = held[season_usage["first"].pk]
    assert (first.registered, first.present, first.attendance_marked) == (2, 2, True)
    second = held[season_usage["second"].pk]  # the cancelled registration does not count
    assert (second.registered, second.present, second.attended) == (1, 0, False)
    assert held[season_usage["skipped"].pk].registered == 0  # B's participant is not A's
    unmarked = held[season_usage["unmarked"].pk]
    assert (unmarked.registered, unmarked.attendance_marked) == (1, False)


def test_workshops_used_planned_and_left_with_the_extra_grant(network, season_usage):
    workshops = entitlements_for(network.membership_a).workshops

    assert (workshops.allowance, workshops.extra, workshops.total) == (5, 1, 6)
    assert (workshops.done, workshops.planned, workshops.cancelled) == (2, 2, 1)
    assert workshops.left == 2


def test_last_attended_is_the_latest_event_someone_was_present_at(network, season_usage):
    assert entitlements_for(network.membership_a).last_attended == season_usage["first"].start
    assert entitlements_for(network.membership_b).last_attended == season_usage["skipped"].start


def test_the_entitlements_cost_the_same_queries_for_a_season_of_many_events(
    network, django_assert_num_queries
):
    season = network.membership_a.season
    for _ in range(3):
        event = PastEventFactory(season=season, kind=EventKind.THEME_SEMINAR)
        register(event, network.contact_person_a, attendance=Attendance.PRESENT)
    with django_assert_num_queries(3):
        small = entitlements_for(network.membership_a)
    for _ in range(30):
        event = PastEventFactory(season=season, kind=EventKind.PEER_DISCUSSION)
        register(event, network.contact_person_a, attendance=Attendance.PRESENT)
        ScheduledWorkshopFactory(membership=network.membership_a, status=WorkshopStatus.HELD)
    with django_assert_num_queries(3):
        large = entitlements_for(network.membership_a)
    assert len(large.held_events) == len(small.held_events) + 30
