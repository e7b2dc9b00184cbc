"""Sending surveys, answering, reminders and the anonymity of the answers."""

import datetime

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Invitation, Response, Survey
from outbox.models import Message
from tests.auth import login

from .factories import answer, form_data, held_event, held_workshop, participants

pytestmark = pytest.mark.django_db


def _links(messages) -> list[str]:
    """The answer links in the messages' texts."""
    links = []
    for message in messages:
        for line in message.text.splitlines():
            if "/feedback/" in line:
                links.append(line.split(": ", 1)[1].strip().removeprefix("http://127.0.0.1:8000"))
    return links


def test_a_held_event_surveys_the_people_marked_present_once(network, settings):
    # given: three present, one absent
    people = participants(network.municipality_a, 3)
    absent = participants(network.municipality_b, 1, prefix="poissa")
    event = held_event(network.membership_a.season, people, absent=absent)

    # when: the command runs twice
    call_command("send_feedback_surveys")
    call_command("send_feedback_surveys")

    # then: one survey, three invitations, three e-mails with a link each
    survey = Survey.objects.get(event=event)
    assert survey.invitations.count() == 3
    messages = list(Message.objects.filter(kind="feedback.invitation"))
    assert sorted(m.recipient for m in messages) == sorted(p.email for p in people)
    assert all(m.sensitive for m in messages)  # staff never see the link
    assert len(set(_links(messages))) == 3
    closes = survey.sent_at + datetime.timedelta(days=settings.FEEDBACK_ANSWER_DAYS)
    assert survey.closes_at == closes


def test_attendance_marked_later_is_invited_once_while_the_survey_is_open(network):
    people = participants(network.municipality_a, 2)
    event = held_event(network.membership_a.season, people[:1])
    services.survey_send(event=event)
    from events.models import Attendance

    from ..events.factories import RegistrationFactory

    RegistrationFactory(event=event, contact_person=people[1], attendance=Attendance.PRESENT)

    assert services.surveys_send_due().invited == 1
    assert services.surveys_send_due().invited == 0
    assert Message.objects.filter(kind="feedback.invitation").count() == 2


def test_a_closed_survey_invites_nobody_more(network):
    people = participants(network.municipality_a, 2)
    event = held_event(network.membership_a.season, people)
    survey = services.survey_send(event=event).survey
    later = survey.closes_at + datetime.timedelta(minutes=1)
    Invitation.objects.filter(contact_person=people[1]).delete()

    assert services.survey_send(event=event, now=later).invited == 0


def test_an_event_not_held_cannot_be_surveyed(network):
    from django.core.exceptions import ValidationError

    from ..events.factories import EventFactory

    with pytest.raises(ValidationError):
        services.survey_send(event=EventFactory(season=network.membership_a.season))


def test_a_held_workshop_surveys_its_municipalitys_contact_persons(network):
    # given: a workshop records no participants; A has one contact person with an address
    workshop = held_workshop(network.membership_a, proposed_by=network.contact_a)

    # when
    result = services.surveys_send_due()

    # then
    survey = Survey.objects.get(workshop=workshop)
    assert result.invited == 1
    assert [i.contact_person for i in survey.invitations.all()] == [network.contact_person_a]
    assert survey.municipality == network.municipality_a
    assert survey.responsible_consultant == network.consultant


def _invite(network, count=2):
    people = participants(network.municipality_a, count)
    event = held_event(network.membership_a.season, people)
    survey = services.survey_send(event=event).survey
    invitations = list(survey.invitations.order_by("pk"))
    return survey, invitations, dict(zip(invitations, _links(
        Message.objects.filter(kind="feedback.invitation").order_by("pk")
    ), strict=True))  # fmt: skip


def test_the_link_opens_the_form_and_records_one_answer(network):
    survey, (first, _second), links = _invite(network)
    client = Client()

    page = client.get(links[first])
    assert page.status_code == 200
    assert 'lang="fi"' in page.content.decode()
    assert "<fieldset" in page.content.decode() and "<legend>" in page.content.decode()

    data = form_data(survey, worth=4, statements=[5, 4], comments=["Hyvä tilaisuus"])
    response = client.post(links[first], data)
    assert response.status_code == 302
    assert "Kiitos palautteestasi" in client.get(response.url).content.decode()

    (stored,) = Response.objects.filter(survey=survey)
    assert stored.worth == 4
    first.refresh_from_db()
    assert first.answered

    # a second answer with the same link: a clear page, nothing stored
    again = client.post(links[first], data)
    assert again.status_code == 200
    assert "Olet jo antanut palautteesi" in again.content.decode()
    assert Response.objects.filter(survey=survey).count() == 1


def test_one_answer_per_person_is_a_database_constraint(network):
    survey, (first, _second), _ = _invite(network)
    answer(first, worth=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, ballot=services.ballot_for(first), worth=5)
    with pytest.raises(services.AlreadyAnswered):
        Invitation.objects.filter(pk=first.pk).update(answered=False)  # the flag alone is not it
        first.refresh_from_db()
        answer(first, worth=5)


def test_an_expired_link_says_so(network):
    survey, (first, _second), links = _invite(network)
    Survey.objects.filter(pk=survey.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )

    page = Client().get(links[first])
    assert page.status_code == 410
    assert "Palautekysely on suljettu" in page.content.decode()
    posted = Client().post(links[first], form_data(survey, worth=5))
    assert posted.status_code == 410
    assert not Response.objects.exists()


def test_a_link_not_made_by_the_portal_is_a_clear_404(network):
    _survey, (first, _second), links = _invite(network)
    tampered = links[first][:-3] + ("aaa/" if not links[first].endswith("aaa/") else "bbb/")
    for url in (tampered, "/feedback/not-a-token/", f"/feedback/{first.key.hex}/"):
        page = Client().get(url)
        assert page.status_code == 404
        assert "Palautelinkki ei toimi" in page.content.decode()


def test_another_persons_link_is_that_persons_answer(network):
    # given: the first person opens the second person's link (e.g. a forwarded e-mail)
    survey, (first, second), links = _invite(network)

    Client().post(links[second], form_data(survey, worth=2))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.answered, second.answered) == (False, True)
    # and the first person's own link still works
    assert Client().get(links[first]).status_code == 200


def test_the_form_speaks_the_recipients_language(network):
    network.municipality_a.preferred_language = "sv"
    network.municipality_a.save()
    _, (first, _second), links = _invite(network)
    page = Client().get(links[first]).content.decode()
    assert 'lang="sv"' in page
    assert "Var tillfället värt den tid du lade på det?" in page
    (message, *_rest) = Message.objects.filter(kind="feedback.invitation")
    assert message.language == "sv" and "Svara här" in message.text


@pytest.mark.parametrize(
    "hostile",
    [
        {"worth": "abc"},
        {"worth": "9"},
        {"worth": "4", "comment": "x" * 5000},
        {"worth": "4", "comment": "nul\x00byte"},
        {"worth": "4", "comment": '=HYPERLINK("http://x")\x1b[31m'},
    ],
)
def test_hostile_input_is_refused_or_stored_as_text(network, hostile):
    survey, (first, _second), links = _invite(network)
    data = form_data(survey, worth=hostile["worth"])
    if "comment" in hostile:
        comment_field = next(
            q.field_name for q in survey.template.questions.all() if q.kind == "comment"
        )
        data[comment_field] = hostile["comment"]
    response = Client().post(links[first], data)
    assert response.status_code in (302, 422)
    if response.status_code == 302:
        (stored,) = Response.objects.all()
        assert all("\x1b" not in text for text in stored.comments.values())


def test_reminders_go_once_to_those_who_have_not_answered(network, settings):
    survey, (first, second), _ = _invite(network)
    answer(first, worth=5)
    later = survey.sent_at + datetime.timedelta(days=settings.FEEDBACK_REMINDER_DAYS, minutes=1)

    assert services.reminders_send(now=survey.sent_at + datetime.timedelta(days=1)) == 0
    assert services.reminders_send(now=later) == 1
    assert services.reminders_send(now=later) == 0
    call_command("send_feedback_reminders")
    (reminder,) = Message.objects.filter(kind="feedback.reminder")
    assert reminder.recipient == second.email
    assert _links([reminder])  # the same personal link again
    assert services.reminders_send(now=survey.closes_at) == 0


def test_closing_erases_the_ballots(network):
    survey, (first, _second), _ = _invite(network)
    answer(first, worth=5)
    assert Response.objects.get().ballot
    assert services.surveys_close(now=survey.closes_at) == 1
    assert Response.objects.get().ballot is None


# --- Anonymity ------------------------------------------------------------------------------


def test_an_answer_row_names_nobody(network):
    """The model: no person, invitation, municipality or time on an answer."""
    fields = {field.name for field in Response._meta.get_fields()}
    assert fields == {"id", "survey", "ballot", "worth", "scores", "comments"}
    assert Response._meta.pk.get_internal_type() == "UUIDField"  # no order of answering
    assert Response not in admin.site._registry


def test_staff_cannot_see_who_answered_what(network):
    # given: two people, one answers with a recognisable comment
    survey, (first, second), _ = _invite(network)
    answer(first, worth=2, comments=["Liian pitkä tilaisuus"])
    staff = login(Client(), network.staff)

    # the results page shows the answer but no names
    results = staff.get(reverse("feedback:survey_results", args=[survey.pk])).content.decode()
    assert "Liian pitkä tilaisuus" in results
    assert first.contact_person.name not in results and second.contact_person.name not in results

    # the invitations' admin lists who was asked, but not who answered
    invitations = staff.get(reverse("admin:feedback_invitation_changelist")).content.decode()
    assert first.contact_person.name in invitations and second.contact_person.name in invitations
    assert "answered" not in invitations and "vastannut" not in invitations.lower()
    change = staff.get(reverse("admin:feedback_invitation_change", args=[first.pk]))
    assert "answered" not in change.content.decode()
    # the outbox shows no link that would let staff answer in somebody's name
    message = Message.objects.filter(kind="feedback.invitation").first()
    page = staff.get(reverse("admin:outbox_message_change", args=[message.pk])).content.decode()
    token = services.token_for(
        message_invitation := Invitation.objects.get(email=message.recipient)
    )
    assert message_invitation.key.hex not in page and token not in page
