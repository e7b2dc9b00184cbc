"""A mail server that is down delays the survey's e-mails; it never loses or doubles them.
Real transactions, so the after-commit sending runs as in production."""

import io

import pytest
from django.core.management import call_command

from feedback.models import Invitation, Survey
from outbox.models import Message, MessageStatus
from outbox.services import messages_send_due

from ..outbox.helpers import closed_port, smtp_mailers, smtp_server
from .factories import held_event, participants

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_surveys_wait_in_the_outbox_while_the_mail_server_is_down(network, settings):
    # given: the mail server is down
    settings.MAILERS = smtp_mailers(closed_port())
    people = participants(network.municipality_a, 2)
    event = held_event(network.membership_a.season, people)

    # when: the command runs (twice)
    call_command("send_feedback_surveys", stdout=io.StringIO())
    call_command("send_feedback_surveys", stdout=io.StringIO())

    # then: the survey and its invitations exist; the messages wait with the error
    assert Invitation.objects.filter(survey=Survey.objects.get(event=event)).count() == 2
    messages = list(Message.objects.filter(kind="feedback.invitation"))
    assert len(messages) == 2
    assert {(m.status, m.attempts) for m in messages} == {(MessageStatus.RETRY, 1)}
    assert all("Connection refused" in m.last_error for m in messages)

    # when the server is back, each goes out once
    with smtp_server() as (port, received):
        settings.MAILERS = smtp_mailers(port)
        Message.objects.update(next_attempt_at=messages[0].created_at)
        report = messages_send_due()
        assert report.sent == 2
        assert messages_send_due().sent == 0
        assert sorted(m["To"] for m in received.messages) == sorted(p.email for p in people)
    assert not Message.objects.filter(kind="feedback.invitation").exclude(text="").exists()
