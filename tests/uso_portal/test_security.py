"""Login protection (django-axes), session policy and CSRF on every POST endpoint."""

import logging

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from ..municipalities.factories import PASSWORD
from ..test_permission_matrix import MATRIX, World

pytestmark = pytest.mark.django_db


def attempt(client: Client, email: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_repeated_failures_lock_the_username_and_ip_combination(network):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "contact.a@example.fi", "wrong")
    # the right password no longer works from that IP, in any letter case of the address
    locked = attempt(client, "CONTACT.A@example.fi", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # the same person from another IP, and another person from the same IP, still log in
    assert attempt(Client(), "contact.a@example.fi", PASSWORD, ip="10.0.0.2").status_code == 302
    assert attempt(Client(), "contact.b@example.fi", PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(network):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(Client(), "contact.a@example.fi", "wrong")
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.first().attempt_time - settings.AXES_COOLOFF_TIME * 2
    )
    assert attempt(Client(), "contact.a@example.fi", PASSWORD).status_code == 302


@override_settings(
    AXES_IPWARE_PROXY_COUNT=1,
    AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
)
def test_behind_a_proxy_the_forwarded_client_ip_counts(network):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            reverse("login"),
            {"username": "contact.a@example.fi", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.7, 127.0.0.1",
        )
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_login_rotates_the_session_key(network):
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    attempt(client, "contact.a@example.fi", PASSWORD)
    assert client.session.session_key != before


def test_staff_sessions_are_shorter(network):
    staff, contact = Client(), Client()
    attempt(staff, "staff@example.fi", PASSWORD)
    attempt(contact, "contact.a@example.fi", PASSWORD)
    assert staff.session.get_expiry_age() == settings.STAFF_SESSION_SECONDS
    assert contact.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert settings.STAFF_SESSION_SECONDS < settings.SESSION_COOKIE_AGE


def test_logout_everywhere_ends_every_session(network):
    laptop, phone = Client(), Client()
    attempt(laptop, "contact.a@example.fi", PASSWORD)
    attempt(phone, "contact.a@example.fi", PASSWORD, ip="10.0.0.9")
    dashboard = reverse("municipalities:dashboard")
    assert phone.get(dashboard).status_code == 200

    laptop.post(reverse("municipalities:logout_everywhere"))

    assert phone.get(dashboard).status_code == 302
    assert laptop.get(dashboard).status_code == 302


# POST endpoints: the matrix's POST rows plus the forms that the matrix opens with GET.
FORMS = [
    "login",
    "password_reset",
    "password_change",
    "municipalities:contact_create",
    "municipalities:contact_update",
    "events:calendar_feed",
    "workshops:workshop_propose",
    "workshops:workshop_edit",
]
POSTS = [name for name, row in MATRIX.items() if row[1] == "post"] + FORMS


@pytest.mark.parametrize("name", POSTS)
def test_csrf_is_enforced_on_every_post(network, programme, name, caplog):
    kwargs_for, _method, _expected, *data = MATRIX[name]
    url = reverse(name, kwargs=kwargs_for(World(network, programme)) if kwargs_for else None)
    client = Client(enforce_csrf_checks=True)
    client.force_login(network.contact_a)
    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        response = client.post(url, data[0] if data else {"language": "fi", "next": "/"})
    assert response.status_code == 403
    # the CSRF check refused it, not the view (A's contact may not upload deliverables at all)
    assert [record.name for record in caplog.records] == ["django.security.csrf"]
