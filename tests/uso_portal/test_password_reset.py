"""Password reset: the e-mail goes through the outbox, and requests are limited per address and
per client IP, the same whether or not the address has an account (no enumeration)."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from outbox.models import Message, MessageStatus

from ..outbox.helpers import mail_server_down

URL = reverse("password_reset")


@pytest.fixture(autouse=True)
def limits(settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    settings.PASSWORD_RESET_LIMIT_PER_IP = 4
    settings.PASSWORD_RESET_WINDOW_MINUTES = 60


def ask(email: str, client: Client | None = None, **extra):
    return (client or Client()).post(URL, {"email": email}, **extra)


def test_the_reset_link_is_queued_in_the_outbox_and_never_shown_to_staff(
    network, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask("contact.a@example.fi")
    assert response.status_code == 302
    (message,) = Message.objects.all()
    assert (message.kind, message.sensitive, message.status) == (
        "auth.password_reset",
        True,
        MessageStatus.SENT,
    )
    assert message.text == ""  # the one-time link left the database once it was sent
    assert "/password/reset/" in mail.outbox[0].body
    assert "\n" not in mail.outbox[0].subject


def test_too_many_requests_for_one_address_are_refused_with_a_message(network):
    # when
    answers = [ask("contact.a@example.fi") for _request in range(3)]

    # then
    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert "liian monta salasanan vaihtopyyntöä" in answers[2].text.lower()
    assert Message.objects.filter(recipient="contact.a@example.fi").count() == 2
    # another address from the same place is still served
    assert ask("contact.b@example.fi").status_code == 302


def test_an_unknown_address_is_answered_exactly_like_a_known_one(network):
    known = [ask("contact.a@example.fi") for _request in range(3)]
    unknown = [ask("nobody@example.fi") for _request in range(3)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [302, 302, 429]
    assert [r.get("Location") for r in known] == [r.get("Location") for r in unknown]
    errors = [r.context["form"].non_field_errors() for r in (known[2], unknown[2])]
    assert errors[0] == errors[1] and errors[0]
    assert not Message.objects.filter(recipient="nobody@example.fi").exists()


def test_too_many_requests_from_one_ip_are_refused(network):
    answers = [ask(f"person{i}@example.fi", REMOTE_ADDR="203.0.113.5") for i in range(5)]
    assert [answer.status_code for answer in answers] == [302, 302, 302, 302, 429]
    assert ask("person9@example.fi", REMOTE_ADDR="203.0.113.6").status_code == 302


def test_behind_a_proxy_the_client_ip_comes_from_x_forwarded_for(network, settings):
    # given one trusted proxy (TRUSTED_PROXY_COUNT=1), as for the login lockout
    settings.AXES_IPWARE_PROXY_COUNT = 1
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

    def via_proxy(email: str, client_ip: str):
        return ask(email, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"{client_ip}, 10.0.0.1")

    # when
    one = [via_proxy(f"p{i}@example.fi", "198.51.100.7").status_code for i in range(5)]
    other = via_proxy("p9@example.fi", "198.51.100.8").status_code

    # then: limited per client, not per proxy
    assert one == [302, 302, 302, 302, 429]
    assert other == 302


def test_a_mail_server_that_is_down_does_not_fail_the_request(
    network, settings, django_capture_on_commit_callbacks
):
    with mail_server_down(settings), django_capture_on_commit_callbacks(execute=True):
        response = ask("contact.a@example.fi")
    assert response.status_code == 302
    (message,) = Message.objects.all()
    assert message.status == MessageStatus.RETRY
    assert "Connection refused" in message.last_error


@pytest.mark.parametrize(
    "email", ["a\x00b@example.fi", "x" * 5000 + "@example.fi", "\r\n", "Bcc: x@example.com"]
)
def test_hostile_input_is_a_form_error(network, email):
    response = ask(email)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Message.objects.count() == 0


def test_a_cache_that_fails_does_not_fail_the_request(network, settings):
    # given a database cache whose table was never created (`createcachetable` forgotten)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "no_such_table",
        }
    }

    # when / then
    assert ask("contact.a@example.fi").status_code == 302
