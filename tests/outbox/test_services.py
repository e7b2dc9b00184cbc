"""The outbox: queued with the change, sent after commit one message at a time, retried with
backoff, given up with the reason; against a real SMTP server (aiosmtpd) or a closed port."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from outbox import services
from outbox.models import Message, MessageStatus

from .helpers import mail_server_down, send_outbox, smtp_mailers, smtp_server

pytestmark = pytest.mark.django_db


def queue(to="person@example.fi", subject="Aihe", **kwargs) -> Message:
    return services.message_queue(
        to=to, subject=subject, text="Teksti", kind="test.message", **kwargs
    )


def test_a_message_waits_for_the_commit_and_goes_out_once(django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = queue(html="<p>Teksti</p>")
    # then: nothing is sent before the commit
    assert mail.outbox == []
    assert Message.objects.get().status == MessageStatus.QUEUED

    # when the transaction commits
    for callback in callbacks:
        callback()
    send_outbox()  # a later run finds nothing more to do

    # then
    (sent,) = mail.outbox
    assert sent.to == ["person@example.fi"]
    assert sent.alternatives[0].content == "<p>Teksti</p>"
    assert sent.extra_headers["Message-ID"] == message.message_id
    assert sent.extra_headers["Auto-Submitted"] == "auto-generated"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
    assert message.sent_at is not None and message.claimed_until is None


def test_a_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue()
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass

    # then
    assert Message.objects.count() == 0
    assert mail.outbox == []


def test_a_failure_is_recorded_and_retried_with_growing_delays(settings):
    # given
    settings.OUTBOX_RETRY_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 300
    settings.OUTBOX_MAX_ATTEMPTS = 5
    message = queue()
    delays = []

    # when every attempt meets a server that is down
    with mail_server_down(settings):
        for _attempt in range(5):
            message.refresh_from_db()
            now = message.next_attempt_at
            assert services.message_send(message_id=message.pk, now=now) is not None
            message.refresh_from_db()
            if message.next_attempt_at:
                delays.append((message.next_attempt_at - now).total_seconds())

    # then: 1, 2, 4 minutes, then the 5-minute cap, then given up with the reason
    assert [round(delay / 60) for delay in delays] == [1, 2, 4, 5]
    assert message.status == MessageStatus.GIVEN_UP
    assert message.attempts == 5
    assert "Connection refused" in message.last_error
    assert message.next_attempt_at is None


def test_a_message_is_not_sent_before_its_next_attempt(settings):
    # given
    message = queue()
    with mail_server_down(settings):
        services.message_send(message_id=message.pk)

    # when
    send_outbox()

    # then
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRY
    assert mail.outbox == []
    assert services.message_send(message_id=message.pk, now=message.next_attempt_at) == "sent"
    assert len(mail.outbox) == 1


def test_backoff_never_exceeds_its_cap(settings):
    settings.OUTBOX_RETRY_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 6 * 3600
    delays = [services.retry_delay(attempts).total_seconds() for attempts in (1, 2, 9, 10, 200)]
    assert delays == [60, 120, 60 * 256, 6 * 3600, 6 * 3600]


def test_one_refused_address_does_not_block_the_others(settings):
    # given a real server that refuses one mailbox for good (550)
    with smtp_server() as (port, received):
        settings.MAILERS = smtp_mailers(port)

        async def refuse_one(server, session, envelope, address, options):
            if address.startswith("gone@"):
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        received.handle_RCPT = refuse_one
        messages = [queue(to=address) for address in ("a@example.fi", "gone@example.fi")]
        messages.append(queue(to="b@example.fi"))

        # when
        send_outbox()

    # then: the others went out; the refused one is given up at once with the server's answer
    assert received.recipients() == ["a@example.fi", "b@example.fi"]
    statuses = {m.recipient: m for m in Message.objects.all()}
    assert statuses["a@example.fi"].status == statuses["b@example.fi"].status == "sent"
    refused = statuses["gone@example.fi"]
    assert (refused.status, refused.attempts) == (MessageStatus.GIVEN_UP, 1)
    assert "No such user" in refused.last_error


@pytest.mark.parametrize(
    "address",
    ["not-an-address", "a@example.fi, b@example.fi", "a@example.fi\r\nBcc: x@example.com", " "],
)
def test_an_invalid_address_is_given_up_with_the_reason_not_raised(address):
    # when
    message = queue(to=address)
    send_outbox()

    # then
    message.refresh_from_db()
    assert message.status == MessageStatus.GIVEN_UP
    assert message.last_error
    assert message.attempts == 0
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Strategia\r\nBcc: x@example.com", "Strategia Bcc: x@example.com"),
        ("A\x00B\tC\u2028D\u200bE", "A B C D E"),
        ("  many   spaces  ", "many spaces"),
        ("x" * 300, "x" * 254 + "…"),
    ],
)
def test_subjects_are_one_line(subject, expected):
    assert services.one_line(subject) == expected


def test_a_sender_killed_mid_send_is_taken_back_after_its_lease(settings):
    # given a message some sender claimed and never finished (the process died)
    message = queue()
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=1, claim="dead", claimed_until=now
    )

    # when: within the lease nothing happens; after it the message is sent
    assert services.messages_send_due(now=now - datetime.timedelta(seconds=1)).sent == 0
    report = services.messages_send_due(now=now + datetime.timedelta(seconds=1))

    # then
    assert (report.released, report.sent) == (1, 1)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    assert message.last_error == str(services.INTERRUPTED)
    assert len(mail.outbox) == 1


def test_an_interrupted_last_attempt_is_given_up_not_stuck(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = queue()
    past = timezone.now() - datetime.timedelta(hours=1)
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=3, claim="dead", claimed_until=past
    )
    send_outbox()
    message.refresh_from_db()
    assert message.status == MessageStatus.GIVEN_UP
    assert mail.outbox == []


def test_a_one_time_link_is_erased_once_sent():
    message = queue(sensitive=True, attachments=[services.Attachment("a.txt", "x", "text/plain")])
    send_outbox()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert (message.text, message.html, message.attachments) == ("", "", [])
    assert mail.outbox[0].body == "Teksti"


def test_attachments_go_out_as_queued():
    queue(attachments=[services.Attachment("invite.ics", b"BEGIN:VCALENDAR", "text/calendar")])
    send_outbox()
    (attachment,) = mail.outbox[0].attachments
    assert attachment.filename == "invite.ics"
    assert attachment.mimetype == "text/calendar"


def test_the_database_backend_defers_the_retry(settings, django_capture_on_commit_callbacks):
    # given the production task backend
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "outbox.tasks.send_message"

    # when the worker's attempt fails
    with mail_server_down(settings):
        services.message_send(message_id=message.pk)

    # then a retry task waits until the next attempt
    message.refresh_from_db()
    retry = DBTaskResult.objects.exclude(pk=task.pk).get()
    assert retry.args_kwargs == {"args": [message.pk], "kwargs": {}}
    assert retry.run_after == message.next_attempt_at


def test_purge_deletes_only_old_finished_messages(settings):
    settings.OUTBOX_KEEP_DAYS = 30
    old, recent, waiting = queue(), queue(), queue(to="bad")
    send_outbox()
    Message.objects.filter(pk__in=[old.pk, waiting.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    Message.objects.filter(pk=waiting.pk).update(
        status=MessageStatus.RETRY, next_attempt_at=timezone.now(), last_error=""
    )
    assert services.messages_purge() == 1
    assert set(Message.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}


def test_command_reports_what_it_did(settings):
    queue()
    queue(to="invalid")
    out = io.StringIO()
    call_command("send_outbox", stdout=out)
    assert out.getvalue().strip() == (
        "1 sent, 0 failed (retried later), 0 given up, 0 interrupted taken back; "
        "0 waiting, 0 old deleted."
    )
