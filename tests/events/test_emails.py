"""E-mails of the registration services: parts, `.ics` attachment and language."""

import datetime
import zoneinfo

import pytest
from django.core import mail
from django.utils import translation
from icalendar import Calendar

from events import emails, services
from events.models import Event, RegistrationStatus

from ..municipalities.factories import ContactPersonFactory
from .factories import EventFactory, RegistrationFactory

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
LINK = "https://meet.example.fi/uso-webinaari"
START = datetime.datetime(2036, 1, 9, 9, tzinfo=HELSINKI)  # a Wednesday


def subject(kind: str, event: Event, language: str = "fi") -> str:
    with translation.override(language):
        return str(emails.SUBJECTS[kind] % {"event": event.title})


def invitation_part(message):
    """The content type parameters of the `.ics` part, and the calendar in it."""
    (part,) = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "invite.ics"
    return dict(part.get_params()[1:]), Calendar.from_ical(part.get_payload(decode=True))


def html_of(message) -> str:
    (alternative,) = message.alternatives
    assert alternative.mimetype == "text/html"
    return alternative.content


@pytest.fixture
def event(network) -> Event:
    return EventFactory(
        season=network.membership_a.season,
        start=START,
        end=START + datetime.timedelta(hours=3),
        online_link=LINK,
    )


def test_confirmation_has_text_html_and_a_request(
    network, event, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(
            event=event, contact_person=network.contact_person_a, actor=network.contact_a
        )

    # then
    (message,) = mail.outbox
    assert message.to == [network.contact_person_a.email]
    assert message.subject == subject("confirmed", event)
    assert network.contact_person_a.name in message.body
    assert LINK in message.body
    html = html_of(message)
    assert f"<h1>{event.title_fi}</h1>" in html
    assert f'href="{LINK}"' in html
    params, invite = invitation_part(message)
    assert params["method"] == "REQUEST"
    assert str(invite["METHOD"]) == "REQUEST"
    assert message.attachments[0].filename == "invite.ics"


def test_waitlisted_person_is_told_without_an_invitation(
    network, event, django_capture_on_commit_callbacks
):
    # given
    event.capacity = 1
    event.save()
    RegistrationFactory(event=event, contact_person=network.contact_person_b)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(
            event=event, contact_person=network.contact_person_a, actor=network.contact_a
        )

    # then
    assert registration.status == RegistrationStatus.WAITLISTED
    (message,) = mail.outbox
    assert message.subject == subject("waitlisted", event)
    assert message.attachments == []
    assert LINK not in message.body


def test_registration_cancel_sends_a_cancel(network, event, django_capture_on_commit_callbacks):
    # given
    registration = RegistrationFactory(event=event, contact_person=network.contact_person_a)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=registration, actor=network.contact_a)

    # then
    (message,) = mail.outbox
    assert message.to == [network.contact_person_a.email]
    assert message.subject == subject("cancelled", event)
    assert LINK not in message.body
    assert LINK not in html_of(message)
    params, invite = invitation_part(message)
    assert params["method"] == "CANCEL"
    assert str(invite["METHOD"]) == "CANCEL"


def test_event_change_sends_an_update_to_confirmed_only(
    network, event, django_capture_on_commit_callbacks
):
    # given
    confirmed = RegistrationFactory(event=event, contact_person=network.contact_person_a)
    RegistrationFactory(
        event=event, contact_person=network.contact_person_b, status=RegistrationStatus.WAITLISTED
    )

    # when
    event.start += datetime.timedelta(hours=1)
    event.end += datetime.timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.event_save(event=event, actor=network.staff)

    # then
    (message,) = mail.outbox
    assert message.to == [confirmed.contact_person.email]
    assert message.subject == subject("updated", event)
    assert "10.00" in message.body  # the municipality's language, Finnish: 10.00, not 10:00
    params, invite = invitation_part(message)
    assert params["method"] == "REQUEST"
    (vevent,) = invite.walk("VEVENT")
    assert vevent["SEQUENCE"] == 1
    assert vevent["DTSTART"].dt == START + datetime.timedelta(hours=1)


def test_event_cancel_tells_everybody_registered(
    network, event, django_capture_on_commit_callbacks
):
    # given
    RegistrationFactory(event=event, contact_person=network.contact_person_a)
    RegistrationFactory(
        event=event, contact_person=network.contact_person_b, status=RegistrationStatus.WAITLISTED
    )

    # when
    with django_capture_on_commit_callbacks(execute=True):
        told = services.event_cancel(event=event, actor=network.staff)

    # then
    assert told == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [network.contact_person_a.email, network.contact_person_b.email]
    )
    for message in mail.outbox:
        assert message.subject == subject("event_cancelled", event)
        params, invite = invitation_part(message)
        assert params["method"] == "CANCEL"
        (vevent,) = invite.walk("VEVENT")
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert vevent["SEQUENCE"] == 1


@pytest.mark.parametrize(
    ("language", "weekday", "title_field"),
    [("sv", "onsdag", "title_sv"), ("fi", "keskiviikko", "title_fi")],
)
def test_email_is_in_the_municipality_language(
    network, event, django_capture_on_commit_callbacks, language, weekday, title_field
):
    # given
    network.municipality_a.preferred_language = language
    network.municipality_a.save()
    title = getattr(event, title_field)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(
            event=event, contact_person=network.contact_person_a, actor=network.contact_a
        )

    # then: the catalogue translates the texts, and the e-mail uses them
    with translation.override(language):
        expected_subject = translation.gettext("Registration confirmed: %(event)s")
        greeting = translation.gettext("Hello")
        intro = translation.gettext(
            "you are registered to the event below. The calendar invitation is attached."
        )
    assert expected_subject != "Registration confirmed: %(event)s", "subject not translated"
    assert greeting != "Hello", "greeting not translated"
    (message,) = mail.outbox
    assert message.subject == expected_subject % {"event": title}
    html = html_of(message)
    for part in (message.body, html):
        assert f"{greeting} {network.contact_person_a.name}" in part
        assert intro in part
        assert title in part
        assert weekday in part
    assert f'<html lang="{language}">' in html
    _, invite = invitation_part(message)
    assert str(invite.walk("VEVENT")[0]["SUMMARY"]) == title


@pytest.mark.parametrize(
    ("language", "time"), [("fi", "9.00–12.00"), ("sv", "9.00–12.00"), ("en", "09:00–12:00")]
)
def test_email_writes_the_time_in_the_municipality_language(
    network, event, django_capture_on_commit_callbacks, language, time
):
    # given an event on Wednesday 9.1.2036 from 9 to 12 Helsinki time
    network.municipality_a.preferred_language = language
    network.municipality_a.save()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(
            event=event, contact_person=network.contact_person_a, actor=network.contact_a
        )

    # then: Kotus' "klo 9.00" in Finnish, the same in Finland-Swedish, 09:00 in English
    (message,) = mail.outbox
    for part in (message.body, html_of(message)):
        assert f"9.1.2036 {time}" in part


def test_person_without_email_gets_nothing(network, event, django_capture_on_commit_callbacks):
    # given
    silent = ContactPersonFactory(municipality=network.municipality_a, email="")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.registration_create(
            event=event, contact_person=silent, actor=network.contact_a
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=registration, actor=network.contact_a)

    # then
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert mail.outbox == []
    assert emails.registration_email_queue(registration, "reminder") is None


def test_promotion_is_sent_to_the_promoted_person_only(
    network, event, django_capture_on_commit_callbacks
):
    # given: one seat, taken by A; B and another of A's people wait in that order
    event.capacity = 1
    event.save()
    second = ContactPersonFactory(municipality=network.municipality_a)
    with django_capture_on_commit_callbacks(execute=True):
        seated = services.registration_create(
            event=event, contact_person=network.contact_person_a, actor=network.contact_a
        )
        services.registration_create(
            event=event, contact_person=network.contact_person_b, actor=network.contact_b
        )
        services.registration_create(event=event, contact_person=second, actor=network.contact_a)
    mail.outbox.clear()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.registration_cancel(registration=seated, actor=network.contact_a)

    # then
    assert [registration.contact_person for registration in promoted] == [network.contact_person_b]
    by_subject = {message.subject: message.to for message in mail.outbox}
    assert by_subject == {
        subject("cancelled", event): [network.contact_person_a.email],
        subject("promoted", event): [network.contact_person_b.email],
    }
    (promotion,) = [m for m in mail.outbox if m.to == [network.contact_person_b.email]]
    params, _ = invitation_part(promotion)
    assert params["method"] == "REQUEST"
    assert LINK in promotion.body
