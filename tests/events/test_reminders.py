"""Reminders of upcoming events: `reminders_send` and `manage.py send_event_reminders`."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation
from icalendar import Calendar

from events import emails, services
from events.models import EventStatus, Registration, RegistrationStatus
from outbox.models import Message, MessageStatus

from ..municipalities.factories import ContactPersonFactory
from ..outbox.helpers import mail_server_down, send_outbox
from .factories import EventFactory, PastEventFactory, RegistrationFactory, in_days

DAY = datetime.timedelta(days=1)


@pytest.fixture
def now() -> datetime.datetime:
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def season(network):
    return network.membership_a.season


def reminder_subject(event) -> str:
    with translation.override("fi"):
        return str(emails.SUBJECTS["reminder"] % {"event": event.title})


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("send_event_reminders", *args, stdout=out)
    send_outbox()
    return out.getvalue().strip()


def remind(**kwargs) -> int:
    """Queue the due reminders, then send the outbox (the task worker or cron does that)."""
    queued = services.reminders_send(**kwargs)
    send_outbox()
    return queued


def test_reminds_confirmed_participants_exactly_once(network, season, now):
    # given
    event = EventFactory(season=season, start=now + 2 * DAY)
    first = RegistrationFactory(event=event, contact_person=network.contact_person_a)
    second = RegistrationFactory(event=event, contact_person=network.contact_person_b)

    # when
    sent = remind(now=now, days=3)
    sent_again = remind(now=now + datetime.timedelta(hours=1), days=3)

    # then
    assert (sent, sent_again) == (2, 0)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [network.contact_person_a.email, network.contact_person_b.email]
    )
    for registration in (first, second):
        registration.refresh_from_db()
        assert registration.reminder_sent_at == now


def test_reminder_is_a_reminder_with_the_invitation(network, season, now):
    # given
    event = EventFactory(season=season, start=now + DAY)
    RegistrationFactory(event=event, contact_person=network.contact_person_a)

    # when
    remind(now=now, days=3)

    # then
    (message,) = mail.outbox
    assert message.to == [network.contact_person_a.email]
    assert message.subject == reminder_subject(event)
    assert event.online_link in message.body
    assert [alternative.mimetype for alternative in message.alternatives] == ["text/html"]
    (part,) = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "invite.ics"
    assert part.get_param("method") == "REQUEST"
    invite = Calendar.from_ical(part.get_payload(decode=True))
    (vevent,) = invite.walk("VEVENT")
    assert str(invite["METHOD"]) == "REQUEST"
    assert vevent["DTSTART"].dt == event.start


@pytest.mark.parametrize(
    "status", [RegistrationStatus.WAITLISTED, RegistrationStatus.CANCELLED], ids=str
)
def test_ignores_registrations_that_are_not_confirmed(network, season, now, status):
    # given
    event = EventFactory(season=season, start=now + DAY)
    registration = RegistrationFactory(
        event=event,
        contact_person=network.contact_person_a,
        status=status,
        cancelled_at=now if status == RegistrationStatus.CANCELLED else None,
    )

    # when
    sent = remind(now=now, days=3)

    # then
    assert sent == 0
    assert mail.outbox == []
    registration.refresh_from_db()
    assert registration.reminder_sent_at is None


@pytest.mark.parametrize(
    ("status", "starts_in"),
    [
        (EventStatus.DRAFT, DAY),
        (EventStatus.CANCELLED, DAY),
        (EventStatus.HELD, -2 * DAY),
        (EventStatus.PUBLISHED, -datetime.timedelta(hours=1)),  # already started
        (EventStatus.PUBLISHED, 3 * DAY + datetime.timedelta(minutes=1)),
        (EventStatus.PUBLISHED, 10 * DAY),
    ],
    ids=["draft", "cancelled", "past", "started", "just-too-far", "far"],
)
def test_ignores_events_that_are_not_due(network, season, now, status, starts_in):
    # given
    event = EventFactory(season=season, status=status, start=now + starts_in)
    RegistrationFactory(event=event, contact_person=network.contact_person_a)

    # when
    sent = remind(now=now, days=3)

    # then
    assert sent == 0
    assert mail.outbox == []


def test_event_exactly_n_days_ahead_is_due(network, season, now):
    # given
    event = EventFactory(season=season, start=now + 3 * DAY)
    RegistrationFactory(event=event, contact_person=network.contact_person_a)

    # when
    assert remind(now=now, days=2) == 0
    sent = remind(now=now, days=3)

    # then
    assert sent == 1
    assert [message.to for message in mail.outbox] == [[network.contact_person_a.email]]


def test_participant_without_email_is_skipped_quietly(network, season, now):
    # given
    event = EventFactory(season=season, start=now + DAY)
    silent = ContactPersonFactory(municipality=network.municipality_a, email="")
    RegistrationFactory(event=event, contact_person=silent)
    RegistrationFactory(event=event, contact_person=network.contact_person_a)

    # when
    sent = remind(now=now, days=3)

    # then
    assert sent == 1
    assert [message.to for message in mail.outbox] == [[network.contact_person_a.email]]


def test_reminder_that_cannot_be_sent_waits_in_the_outbox_and_goes_out_once(
    network, season, now, settings
):
    # given
    event = EventFactory(season=season, start=now + DAY)
    registration = RegistrationFactory(event=event, contact_person=network.contact_person_a)
    settings.OUTBOX_RETRY_SECONDS = 0  # retry as soon as the next run

    # when the mail server is down during the run, then back
    with mail_server_down(settings):
        queued = remind(now=now, days=3)
    (message,) = Message.objects.all()
    failed = message.status, message.attempts, message.last_error
    again = services.reminders_send(now=now + datetime.timedelta(hours=1), days=3)
    send_outbox()

    # then: queued once, the failure recorded, sent on the retry, nobody reminded twice
    assert (queued, again) == (1, 0)
    assert failed[:2] == (MessageStatus.RETRY, 1)
    assert "Connection refused" in failed[2] or "ConnectionRefused" in failed[2]
    assert [m.to for m in mail.outbox] == [[network.contact_person_a.email]]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    registration.refresh_from_db()
    assert registration.reminder_sent_at == now


def test_command_sends_due_reminders_once(network, season):
    # given
    due = EventFactory(season=season, start=in_days(2))
    RegistrationFactory(event=due, contact_person=network.contact_person_a)
    later = EventFactory(season=season, start=in_days(6))
    RegistrationFactory(event=later, contact_person=network.contact_person_b)

    # when
    first = run_command("--days", "3")
    second = run_command("--days", "3")

    # then
    assert (first, second) == ("1 reminder(s) sent.", "0 reminder(s) sent.")
    (message,) = mail.outbox
    assert message.to == [network.contact_person_a.email]
    assert message.subject == reminder_subject(due)
    assert Registration.objects.filter(reminder_sent_at__isnull=False).count() == 1


def test_command_days_option_limits_how_far_ahead(network, season):
    # given: starts in at least 33 hours
    event = EventFactory(season=season, start=in_days(2))
    RegistrationFactory(event=event, contact_person=network.contact_person_a)

    # when
    too_soon = run_command("--days", "1")
    wider = run_command("--days", "4")

    # then
    assert (too_soon, wider) == ("0 reminder(s) sent.", "1 reminder(s) sent.")
    assert len(mail.outbox) == 1


def test_command_ignores_past_drafts_and_cancelled(network, season):
    # given
    events = [
        PastEventFactory(season=season, start=in_days(-1)),
        EventFactory(season=season, status=EventStatus.DRAFT, start=in_days(1)),
        EventFactory(season=season, status=EventStatus.CANCELLED, start=in_days(1)),
    ]
    for event in events:
        RegistrationFactory(event=event, contact_person=network.contact_person_a)

    # when
    output = run_command("--days", "3")

    # then
    assert output == "0 reminder(s) sent."
    assert mail.outbox == []
