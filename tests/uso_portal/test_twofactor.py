"""Two-factor authentication: staff, consultants and finance need a TOTP code; contacts do not."""

import re
import time

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..auth import confirmed_device, login, totp_token
from ..municipalities.factories import PASSWORD

pytestmark = pytest.mark.django_db

STAFF_PERSONAS = ("staff", "consultant", "finance")


def password_login(user, next_url: str = "/admin/") -> tuple[Client, object]:
    """Log in through the real login form, as a person does (password only)."""
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD, "next": next_url}
    )
    assert response.status_code == 302
    return client, response


def asks_for_second_factor(response, view: str = "otp_verify") -> bool:
    """The response sends the person to verification (or enrolment), back to where they were.
    (A bare 302 proves nothing: the admin's own login redirect is a 302 too.)"""
    return response.status_code == 302 and response["Location"].startswith(reverse(view) + "?next=")


def assert_staff_pages_ask_for_the_second_factor(client) -> None:
    for url in (
        "/admin/",
        reverse("workshops:consultant_home"),
        reverse("municipalities:dashboard"),
    ):
        assert asks_for_second_factor(client.get(url)), url
    # a POST does not get through either
    refused = client.post("/admin/logout/x/")
    assert asks_for_second_factor(refused), refused.get("Location")
    assert refused["Location"] == reverse("otp_verify") + "?next=/admin/logout/x/"


@pytest.mark.parametrize("persona", STAFF_PERSONAS)
def test_a_password_alone_does_not_open_staff_pages(network, persona):
    user = getattr(network, persona)
    confirmed_device(user)
    client, _response = password_login(user)
    assert_staff_pages_ask_for_the_second_factor(client)


def test_the_checks_above_fail_without_the_middleware(network, settings):
    """The test above can fail: without SecondFactorRequiredMiddleware its checks do not hold
    (the admin still answers its own 302, to its login page, which they tell apart)."""
    middleware = "uso_portal.twofactor.middleware.SecondFactorRequiredMiddleware"
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != middleware]
    confirmed_device(network.staff)
    client, _response = password_login(network.staff)
    refused = client.post("/admin/logout/x/")
    assert refused.status_code == 302  # what the old assertion accepted
    assert not asks_for_second_factor(refused)
    with pytest.raises(AssertionError):
        assert_staff_pages_ask_for_the_second_factor(client)


def test_a_staff_user_without_an_authenticator_is_sent_to_enrolment(network):
    client, _response = password_login(network.consultant)
    page = client.get("/admin/")
    assert page.status_code == 302
    assert page["Location"] == reverse("otp_setup") + "?next=/admin/"


def test_contact_persons_log_in_with_a_password_alone(network):
    client, _response = password_login(network.contact_a, next_url="/dashboard/")
    assert client.get(reverse("municipalities:dashboard")).status_code == 200
    assert client.get(reverse("otp_verify")).status_code == 404
    assert client.get(reverse("otp_setup")).status_code == 404


def enrolment_link(client: Client, user) -> str:
    """Ask for the enrolment e-mail and return the link's path and query from it."""
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):  # the outbox sends after commit
        sent = client.post(reverse("otp_setup"), {"send_link": "1", "next": "/admin/"})
    assert sent.status_code == 200
    assert user.email in sent.content.decode()
    [message] = mail.outbox
    assert message.to == [user.email]
    return re.search(r"https?://[^/\s]+(/account/two-factor/setup/\S+)", message.body).group(1)


def test_a_password_alone_does_not_enrol_an_app(network):
    client, _response = password_login(network.consultant)
    page = client.get(reverse("otp_setup"))
    assert page.status_code == 200
    assert "<svg" not in page.content.decode() and "otp-secret" not in page.content.decode()
    assert not TOTPDevice.objects.filter(user=network.consultant).exists()
    # a POST with a code does not enrol either
    client.post(reverse("otp_setup"), {"otp_token": "123456"})
    assert not TOTPDevice.objects.filter(user=network.consultant).exists()
    assert asks_for_second_factor(client.get("/admin/"), "otp_setup")


def test_the_enrolment_link_is_the_users_own_and_expires(network, monkeypatch):
    link = enrolment_link(password_login(network.consultant)[0], network.consultant)
    # another staff member, logged in, cannot use it
    other, _response = password_login(network.finance)
    assert other.get(link).status_code == 404
    assert "<svg" not in other.get(reverse("otp_setup")).content.decode()
    # a tampered link is refused
    assert other.get(reverse("otp_enrol", args=["x" + link.split("/")[-2]])).status_code == 404
    # a link older than an hour is refused
    past = time.time() - 3601
    monkeypatch.setattr(time, "time", lambda: past)
    old = enrolment_link(password_login(network.finance)[0], network.finance)
    monkeypatch.undo()
    late, _response = password_login(network.finance)
    assert late.get(old).status_code == 404


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code(
    network, django_capture_on_commit_callbacks
):
    user = network.finance
    client, _response = password_login(user)
    opened = client.get(enrolment_link(client, user))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("otp_setup") + "?next=%2Fadmin%2F"
    page = client.get(reverse("otp_setup") + "?next=/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<path" in html  # the QR code, inline (no inline script/style)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'class="otp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert device.config_url.startswith("otpauth://totp/USO%20portal%3A")
    assert f"secret={secret}" in device.config_url
    # reloading the page keeps the same secret (the app may already have it)
    client.get(reverse("otp_setup"))
    assert TOTPDevice.objects.filter(user=user).count() == 1

    wrong = client.post(reverse("otp_setup"), {"otp_token": "000000", "next": "/admin/"})
    assert wrong.status_code == 200
    assert "otp_token" in wrong.context["form"].errors
    assert asks_for_second_factor(client.get("/admin/"), "otp_setup")
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code delays the next attempt; a person waits

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("otp_setup"), {"otp_token": totp_token(device), "next": "/admin/"}
        )
    assert len(mail.outbox) == 1  # the link; a first app replaces nothing, so no notice
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for code in codes:
        assert code in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_verification_with_the_app_code_opens_the_page_asked_for(network):
    user = network.staff
    device = confirmed_device(user)
    client, _response = password_login(user, next_url="/admin/billing/invoice/")
    page = client.get("/admin/billing/invoice/")
    assert page["Location"] == reverse("otp_verify") + "?next=/admin/billing/invoice/"

    wrong = client.post(reverse("otp_verify"), {"otp_token": "123456", "next": "/admin/"})
    assert wrong.status_code == 200
    assert "otp_token" in wrong.context["form"].errors
    device.refresh_from_db()
    device.throttle_reset()  # one wrong code delays the next attempt; a person waits

    right = client.post(
        reverse("otp_verify"), {"otp_token": totp_token(device), "next": "/admin/billing/invoice/"}
    )
    assert right.status_code == 302
    assert right["Location"] == "/admin/billing/invoice/"
    assert client.get("/admin/billing/invoice/").status_code == 200


def test_repeated_wrong_codes_are_throttled(network):
    user = network.staff
    device = confirmed_device(user)
    client, _response = password_login(user)
    client.post(reverse("otp_verify"), {"otp_token": "000000"})
    # even the right code is refused while the delay (which doubles per failure) runs
    refused = client.post(reverse("otp_verify"), {"otp_token": totp_token(device)})
    assert refused.status_code == 200
    assert "otp_token" in refused.context["form"].errors
    assert asks_for_second_factor(client.get("/admin/"))
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert device.throttling_failure_timestamp is not None


def test_a_backup_code_works_once(network):
    user = network.consultant
    confirmed_device(user)
    backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=backup, token="abcd2345")
    StaticToken.objects.create(device=backup, token="efgh6789")
    client, _response = password_login(user)
    used = client.post(reverse("otp_verify"), {"otp_token": "ABCD 2345", "next": "/admin/"})
    assert used.status_code == 302
    # the person is told how many backup codes are left
    page = client.get(reverse("municipalities:dashboard")).content.decode()
    assert "Käytit varakoodin: jäljellä on 1." in page
    assert client.get("/admin/").status_code == 200

    again, _response = password_login(user)
    refused = again.post(reverse("otp_verify"), {"otp_token": "abcd2345"})
    assert refused.status_code == 200
    assert asks_for_second_factor(again.get("/admin/"))


def test_next_may_not_lead_to_another_site(network):
    device = confirmed_device(network.staff)
    client, _response = password_login(network.staff)
    response = client.post(
        reverse("otp_verify"), {"otp_token": totp_token(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("admin:index")


def test_an_unverified_staff_user_can_still_log_out_and_choose_a_language(network):
    confirmed_device(network.staff)
    client, _response = password_login(network.staff)
    # a 302 alone would not do: being sent to verification is a 302 too
    chosen = client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert (chosen.status_code, chosen["Location"]) == (302, "/")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "sv"
    logged_out = client.post(reverse("logout"))
    assert (logged_out.status_code, logged_out["Location"]) == (302, reverse("login"))
    assert "_auth_user_id" not in client.session


def test_a_verified_user_replaces_the_authenticator(network, django_capture_on_commit_callbacks):
    user = network.staff
    old = confirmed_device(user)
    client = login(Client(), user)
    page = client.get(reverse("otp_setup"))
    assert page.status_code == 200
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("otp_setup"), {"otp_token": totp_token(new)})
    assert list(TOTPDevice.objects.filter(user=user)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert StaticDevice.objects.filter(user=user).count() == 1
    # the person is told (someone with their session could have done it)
    [notice] = mail.outbox
    assert notice.to == [user.email]
    assert "vaihdettiin" in notice.subject


def test_enrolment_is_refused_to_a_staff_user_who_has_not_verified(network):
    confirmed_device(network.staff)
    client, _response = password_login(network.staff)
    response = client.get(reverse("otp_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("otp_verify"))
    assert not TOTPDevice.objects.filter(user=network.staff, confirmed=False).exists()


def test_network_staff_can_remove_a_lost_authenticator_in_the_admin(network):
    device = confirmed_device(network.consultant)
    staff = login(Client(), network.staff)
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert staff.get(url).status_code == 200
    assert staff.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    # consultants and finance cannot touch anyone's devices
    for persona in ("consultant", "finance"):
        other = confirmed_device(network.staff)
        client = login(Client(), getattr(network, persona))
        delete = reverse("admin:otp_totp_totpdevice_delete", args=[other.pk])
        assert client.get(delete).status_code == 403


def test_the_verification_page_names_the_code_and_offers_no_menu(network):
    confirmed_device(network.staff)
    client, _response = password_login(network.staff)
    page = client.get(reverse("otp_verify")).content.decode()
    assert "Vahvistuskoodi" in page
    admin_link = f'href="{reverse("admin:index")}"'
    assert admin_link not in page and reverse("events:event_list") not in page
    verified = login(Client(), network.staff).get(reverse("municipalities:dashboard"))
    assert admin_link in verified.content.decode()


def test_the_admin_itself_refuses_an_unverified_staff_user(network, settings):
    # even without the middleware (removed or reordered by mistake) the admin stays closed
    middleware = "uso_portal.twofactor.middleware.SecondFactorRequiredMiddleware"
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != middleware]
    confirmed_device(network.staff)
    client, _response = password_login(network.staff)
    response = client.get("/admin/billing/invoice/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert login(Client(), network.staff).get("/admin/billing/invoice/").status_code == 200


def test_the_admin_site_is_the_portals(network):
    page = login(Client(), network.staff).get("/admin/").content.decode()
    assert "USO-verkoston ylläpito" in page  # the header, in Finnish
