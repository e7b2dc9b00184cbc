"""The portal with the mail server down: the real SMTP backend pointed at a closed port of
127.0.0.1. Contacts register, cancel (a waitlisted person is promoted) and comment on a workshop:
every request succeeds and every message waits in the outbox with the error recorded. Then a
real SMTP server (aiosmtpd) comes up on that port and `send_outbox` delivers each message
exactly once, counted at the server. And a sender killed with SIGKILL mid-send (PostgreSQL: a
real process shares the database) leaves a message that is taken back after its lease, not lost
and not stuck.

The requests run in real transactions (`transaction=True`), so the work after commit runs inside
the request as in production with the immediate task backend.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from events.models import Registration, RegistrationStatus
from outbox import services
from outbox.models import Message, MessageStatus
from tests.auth import login

from ..events.factories import EventFactory
from ..outbox.helpers import closed_port, smtp_mailers, smtp_server

ROOT = Path(__file__).resolve().parents[2]


def portal_client(user) -> Client:
    return login(Client(raise_request_exception=False), user)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registrations_succeed_while_mail_is_down_and_the_mail_goes_out_once_it_is_back(
    network, programme, settings
):
    # given the mail server is down (nothing listens on the port EMAIL_URL names)
    port = closed_port()
    settings.MAILERS = smtp_mailers(port)
    settings.OUTBOX_RETRY_SECONDS = 0  # the next cron run retries at once
    event = EventFactory(season=network.membership_a.season, capacity=1)
    contact_a, contact_b = portal_client(network.contact_a), portal_client(network.contact_b)
    consultant = portal_client(network.consultant)
    workshop = programme.workshop_a

    # when a contact registers, another is waitlisted, the first cancels (the second is
    # promoted) and the consultant and a contact comment on a workshop
    answers = [
        contact_a.post(
            reverse("events:event_register", args=[event.pk]),
            {"contact_person": network.contact_person_a.pk},
        ),
        contact_b.post(
            reverse("events:event_register", args=[event.pk]),
            {"contact_person": network.contact_person_b.pk},
        ),
    ]
    seated = Registration.objects.get(event=event, contact_person=network.contact_person_a)
    answers.append(
        contact_a.post(reverse("events:registration_cancel", args=[seated.pk]), {"confirmed": "1"})
    )
    answers.append(
        consultant.post(reverse("workshops:comment_add", args=[workshop.pk]), {"body": "Ehdotus"})
    )
    answers.append(
        contact_a.post(reverse("workshops:comment_add", args=[workshop.pk]), {"body": "Kiitos"})
    )

    # then every request succeeded and the registrations are as they should be
    assert [answer.status_code for answer in answers] == [302] * 5
    promoted = Registration.objects.get(event=event, contact_person=network.contact_person_b)
    assert promoted.status == RegistrationStatus.CONFIRMED
    # and every message waits with the error recorded
    expected = sorted(
        [
            (network.contact_person_a.email, "events.confirmed"),
            (network.contact_person_b.email, "events.waitlisted"),
            (network.contact_person_a.email, "events.cancelled"),
            (network.contact_person_b.email, "events.promoted"),
            (network.contact_a.email, "workshops.comment"),
            (network.consultant.email, "workshops.comment"),
        ]
    )
    waiting = Message.objects.order_by("pk")
    assert sorted(waiting.values_list("recipient", "kind")) == expected
    for message in waiting:
        assert (message.status, message.attempts) == (MessageStatus.RETRY, 1), message
        assert "Connection refused" in message.last_error

    # when the mail server is back on the same port and the cron job runs (twice)
    with smtp_server(port) as (_port, received):
        for _run in range(2):
            call_command("send_outbox", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    # then each message arrived exactly once, in its own envelope
    assert received.recipients() == sorted(address for address, _kind in expected)
    assert len(received.envelopes) == len(expected)
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert set(Message.objects.values_list("attempts", flat=True)) == {2}


class BlackHole:
    """A mail server that accepts the connection and then never answers (a hung SMTP server):
    a sender talking to it stays in "sending" until it is killed."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.port = self.socket.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        try:
            while True:
                connection, _address = self.socket.accept()
                self.accepted.append(connection)
        except OSError:
            return

    def close(self) -> None:
        for connection in self.accepted:
            connection.close()
        self.socket.close()


def _database_url() -> str:
    db = django_settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{db['NAME']}"
    )


def _wait_for(condition, *, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sender_killed_mid_send_is_retried_not_lost_and_not_stuck(settings):
    # given a message waiting for its retry (the server was down when it was queued)
    settings.OUTBOX_RETRY_SECONDS = 0
    settings.MAILERS = smtp_mailers(closed_port())
    message = services.message_queue(
        to="person@example.fi", subject="Aihe", text="Teksti", kind="test.fault"
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.RETRY

    # when a `send_outbox` process meets a hung mail server and is killed with SIGKILL
    hole = BlackHole()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "uso_portal.settings",
        "DATABASE_URL": _database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{hole.port}",
        "OUTBOX_LEASE_SECONDS": "2",
        "CONN_MAX_AGE": "0",
    }
    sender = subprocess.Popen(
        [sys.executable, "manage.py", "send_outbox", "--no-purge"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        sending = _wait_for(
            lambda: Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).exists()
        )
        assert sending, "the sender never claimed the message"
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(timeout=10)
    finally:
        if sender.poll() is None:
            sender.kill()
        hole.close()

    # then the message is left "sending" with a lease, nothing delivered
    message.refresh_from_db()
    assert sender.returncode == -signal.SIGKILL
    assert message.status == MessageStatus.SENDING and message.claimed_until is not None

    # when the lease has run out and the next run meets a working server
    assert _wait_for(lambda: message.claimed_until < timezone.now(), seconds=10)
    with smtp_server() as (port, received):
        settings.MAILERS = smtp_mailers(port)
        call_command("send_outbox", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("send_outbox", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115

    # then it was delivered exactly once, the interruption recorded
    assert received.recipients() == ["person@example.fi"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 3)
    assert message.last_error == str(services.INTERRUPTED)
