"""The outbox in the admin: network staff see every message and send again; consultants and
finance see none; nobody adds, edits or deletes; one-time links are never shown."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from outbox import services
from outbox.models import Message, MessageStatus
from tests.auth import login

from ..conftest import client_for
from ..municipalities.factories import UserFactory
from .helpers import mail_server_down, send_outbox

CHANGELIST = reverse("admin:outbox_message_changelist")


def queue(to="person@example.fi", **kwargs) -> Message:
    return services.message_queue(
        to=to, subject="Aihe", text="Hei, tässä viesti.", kind="test.message", **kwargs
    )


def send_again(client, *messages, capture):
    with capture(execute=True):
        return client.post(
            CHANGELIST,
            {"action": "send_again", "_selected_action": [m.pk for m in messages]},
            follow=True,
        )


def test_network_staff_see_status_attempts_and_the_last_error(network, settings):
    # given a message that failed once and one that was sent
    failed = queue(to="failed@example.fi")
    with mail_server_down(settings):
        send_outbox()
    queue(to="sent@example.fi")
    send_outbox()

    # when
    response = client_for(network, "staff").get(CHANGELIST)

    # then
    assert response.status_code == 200
    rows = {m.recipient: m for m in response.context["cl"].result_list}
    assert set(rows) == {"failed@example.fi", "sent@example.fi"}
    text = response.content.decode()
    assert "Connection refused" in text
    assert "Failed, waiting for retry" in text or "odottaa" in text
    filtered = client_for(network, "staff").get(CHANGELIST, {"status__exact": "retry"})
    assert [m.pk for m in filtered.context["cl"].result_list] == [failed.pk]
    found = client_for(network, "staff").get(CHANGELIST, {"q": "sent@"})
    assert [m.recipient for m in found.context["cl"].result_list] == ["sent@example.fi"]


@pytest.mark.parametrize("persona", ["consultant", "finance"])
def test_consultants_and_finance_see_no_mail(network, persona):
    message = queue()
    client = client_for(network, persona)
    assert client.get(CHANGELIST).status_code == 403
    change = reverse("admin:outbox_message_change", args=[message.pk])
    assert client.get(change).status_code == 403


def test_nobody_adds_edits_or_deletes_a_message(network):
    message = queue()
    superuser = login(Client(), UserFactory(is_staff=True, is_superuser=True))
    assert superuser.get(reverse("admin:outbox_message_add")).status_code == 403
    delete = reverse("admin:outbox_message_delete", args=[message.pk])
    assert superuser.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:outbox_message_change", args=[message.pk])
    page = superuser.get(change)
    assert page.status_code == 200
    assert 'name="recipient"' not in page.content.decode()  # read-only
    assert Message.objects.filter(pk=message.pk).exists()


def test_a_one_time_link_is_not_shown_to_staff(network):
    secret = queue(sensitive=True)
    plain = queue(to="other@example.fi")
    staff = client_for(network, "staff")
    hidden = staff.get(reverse("admin:outbox_message_change", args=[secret.pk]))
    shown = staff.get(reverse("admin:outbox_message_change", args=[plain.pk]))
    assert "Hei, tässä viesti." not in hidden.content.decode()
    assert "Hei, tässä viesti." in shown.content.decode()


def test_send_again_queues_a_failed_message_and_it_goes_out(
    network, settings, django_capture_on_commit_callbacks
):
    # given a message given up while the server was down
    settings.OUTBOX_MAX_ATTEMPTS = 1
    message = queue()
    with mail_server_down(settings):
        send_outbox()
    message.refresh_from_db()
    assert message.status == MessageStatus.GIVEN_UP

    # when network staff send it again
    response = send_again(
        client_for(network, "staff"), message, capture=django_capture_on_commit_callbacks
    )

    # then
    assert response.status_code == 200
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 1)
    assert message.resent_by == network.staff
    assert [m.to for m in mail.outbox] == [["person@example.fi"]]


def test_send_again_copies_a_sent_message_and_refuses_an_erased_link(
    network, django_capture_on_commit_callbacks
):
    # given
    sent, secret = queue(), queue(to="secret@example.fi", sensitive=True)
    send_outbox()
    mail.outbox.clear()

    # when
    response = send_again(
        client_for(network, "staff"), sent, secret, capture=django_capture_on_commit_callbacks
    )

    # then: the sent one goes out again as a copy; the erased one is refused with the reason
    copy = Message.objects.get(resend_of=sent)
    assert copy.status == MessageStatus.SENT
    assert [m.to for m in mail.outbox] == [["person@example.fi"]]
    text = response.content.decode()
    assert "secret@example.fi" in text
    assert Message.objects.filter(resend_of=secret).count() == 0


def test_send_again_needs_the_permission(network, django_capture_on_commit_callbacks):
    message = queue(to="bad address")
    consultant = client_for(network, "consultant")
    response = send_again(consultant, message, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.resent_by is None
