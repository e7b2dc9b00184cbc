"""Seats under concurrency (PostgreSQL): the event row lock serialises registrations."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from events import services
from events.models import Registration, RegistrationStatus
from municipalities.models import ContactRole

from ..municipalities.factories import ContactPersonFactory
from .factories import EventFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def run_together(function, arguments):
    """Call `function` with each argument in its own thread, all released at once."""
    barrier = threading.Barrier(len(arguments))

    def worker(argument):
        try:
            barrier.wait()
            return function(argument)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(arguments)) as pool:
        return list(pool.map(worker, arguments))


def test_thirty_simultaneous_registrations_for_ten_seats(network):
    # given an event with ten seats and 30 people of municipality A
    event = EventFactory(season=network.membership_a.season, capacity=10)
    people = ContactPersonFactory.create_batch(
        30, municipality=network.municipality_a, role=ContactRole.OFFICIAL
    )

    # when all of them are registered at the same moment
    results = run_together(
        lambda contact: (
            services.registration_create(
                event=event, contact_person=contact, actor=network.contact_a
            ).status
        ),
        people,
    )

    # then exactly ten got a seat and twenty wait
    assert results.count("confirmed") == 10
    assert results.count("waitlisted") == 20
    assert event.registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 10


def test_the_per_municipality_cap_holds_under_concurrency(network):
    event = EventFactory(season=network.membership_a.season, capacity=None, max_per_municipality=3)
    people = ContactPersonFactory.create_batch(12, municipality=network.municipality_a)
    run_together(
        lambda contact: services.registration_create(
            event=event, contact_person=contact, actor=network.contact_a
        ),
        people,
    )
    assert event.registrations.filter(status=RegistrationStatus.CONFIRMED).count() == 3


def test_concurrent_cancellations_promote_exactly_as_many(network):
    # given ten confirmed and ten waiting
    event = EventFactory(season=network.membership_a.season, capacity=10)
    people = ContactPersonFactory.create_batch(20, municipality=network.municipality_a)
    for contact in people:
        services.registration_create(event=event, contact_person=contact, actor=network.contact_a)
    confirmed = list(event.registrations.filter(status=RegistrationStatus.CONFIRMED)[:6])

    # when six confirmed people cancel at the same moment
    promoted = run_together(
        lambda registration: services.registration_cancel(
            registration=registration, actor=network.contact_a
        ),
        confirmed,
    )

    # then six waiting people were promoted, each once, and the event is full again
    promoted_ids = [registration.pk for batch in promoted for registration in batch]
    assert len(promoted_ids) == 6
    assert len(set(promoted_ids)) == 6
    statuses = Registration.objects.filter(event=event).values_list("status", flat=True)
    assert list(statuses).count("confirmed") == 10
    assert list(statuses).count("waitlisted") == 4
    assert list(statuses).count("cancelled") == 6
