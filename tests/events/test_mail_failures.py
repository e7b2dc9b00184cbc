"""Regression: a mail server that fails after a registration is saved gave the contact a 500,
and a failing "cancelled" mail stopped the "promoted" mails queued after it. These run the
portal's requests in real transactions (so the after-commit work runs inside the request, as in
production) against a closed port and against a real SMTP server that refuses one mailbox."""

import pytest
from django.test import Client
from django.urls import reverse

from events.models import Registration, RegistrationStatus
from tests.auth import login

from ..municipalities.factories import ContactPersonFactory
from ..outbox.helpers import closed_port, smtp_mailers, smtp_server
from .factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def contact_client(user) -> Client:
    return login(Client(raise_request_exception=False), user)


def test_registration_succeeds_while_the_mail_server_is_down(network, settings):
    # given
    settings.MAILERS = smtp_mailers(closed_port())
    event = EventFactory(season=network.membership_a.season)

    # when
    response = contact_client(network.contact_a).post(
        reverse("events:event_register", args=[event.pk]),
        {"contact_person": network.contact_person_a.pk},
    )

    # then: no error page; the registration exists and its message waits with the error
    assert response.status_code == 302
    registration = Registration.objects.get(event=event, contact_person=network.contact_person_a)
    assert registration.status == RegistrationStatus.CONFIRMED
    from outbox.models import Message, MessageStatus

    (message,) = Message.objects.all()
    assert (message.status, message.attempts) == (MessageStatus.RETRY, 1)
    assert message.recipient == network.contact_person_a.email
    assert "Connection refused" in message.last_error
    assert message.about_label == str(registration)


def test_a_failing_cancellation_mail_does_not_stop_the_promotion_mail(network, settings):
    # given: one seat, taken by A's contact; B's contact waits; the server refuses A's mailbox
    event = EventFactory(season=network.membership_a.season, capacity=1)
    seated = RegistrationFactory(event=event, contact_person=network.contact_person_a)
    waiting = RegistrationFactory(
        event=event,
        contact_person=network.contact_person_b,
        status=RegistrationStatus.WAITLISTED,
    )
    refused = network.contact_person_a.email

    with smtp_server() as (port, received):

        async def refuse(server, session, envelope, address, options):
            if address == refused:
                return "450 4.2.1 Mailbox busy, try later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        received.handle_RCPT = refuse
        settings.MAILERS = smtp_mailers(port)

        # when A's contact cancels
        response = contact_client(network.contact_a).post(
            reverse("events:registration_cancel", args=[seated.pk]), {"confirmed": "1"}
        )

    # then: no error page, B is promoted and told; A's message waits for its retry
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert received.recipients() == [network.contact_person_b.email]
    from outbox.models import Message, MessageStatus

    statuses = dict(Message.objects.values_list("kind", "status"))
    assert statuses == {"events.cancelled": MessageStatus.RETRY, "events.promoted": "sent"}
    assert "Mailbox busy" in Message.objects.get(kind="events.cancelled").last_error


def test_each_participant_of_a_changed_event_is_told_even_if_one_address_is_refused(
    network, settings
):
    # given three confirmed participants, one of whose mailboxes the server refuses for good
    event = EventFactory(season=network.membership_a.season)
    people = [network.contact_person_a, network.contact_person_b]
    people.append(ContactPersonFactory(municipality=network.municipality_a, email="gone@x.fi"))
    for person in people:
        RegistrationFactory(event=event, contact_person=person)
    staff = login(Client(raise_request_exception=False), network.staff)

    with smtp_server() as (port, received):

        async def refuse(server, session, envelope, address, options):
            if address == "gone@x.fi":
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        received.handle_RCPT = refuse
        settings.MAILERS = smtp_mailers(port)

        # when staff send the participants an updated invitation
        response = staff.post(
            reverse("admin:events_event_changelist"),
            {"action": "send_update", "_selected_action": [event.pk]},
        )

    # then
    assert response.status_code == 302
    assert received.recipients() == sorted(p.email for p in people[:2])
    from outbox.models import Message

    assert dict(Message.objects.values_list("recipient", "status")) == {
        people[0].email: "sent",
        people[1].email: "sent",
        "gone@x.fi": "given_up",
    }
