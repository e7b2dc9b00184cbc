"""The municipal contact's side: login, dashboard, contact persons, password reset."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from municipalities import dashboard, services
from municipalities.models import ContactPerson

from ..conftest import client_for
from .factories import PASSWORD, ContactPersonFactory, SeasonThemeFactory

pytestmark = pytest.mark.django_db


def test_landing_page_is_the_login_form(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'name="password"' in response.content
    assert response.headers["Content-Language"] == "fi"


def test_contact_logs_in_with_email_in_any_case_and_lands_on_dashboard(network):
    client = Client()
    response = client.post(
        "/", {"username": "CONTACT.A@example.fi", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("municipalities:dashboard")
    assert "Ylöjärvi" in response.text


def test_wrong_password_is_refused_with_a_message(network):
    response = Client().post("/", {"username": "contact.a@example.fi", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'aria-invalid="true"' in response.text


def test_dashboard_shows_municipality_membership_and_contacts(network):
    SeasonThemeFactory(
        season=network.membership_a.season, name_fi="Kestävä kuntajohtaminen", is_lead_theme=True
    )
    ContactPersonFactory(municipality=network.municipality_a, name="Kaisa Kuntalainen")
    ContactPersonFactory(municipality=network.municipality_b, name="Olli Orivesiläinen")

    response = client_for(network, "contact_a").get(reverse("municipalities:dashboard"))

    assert response.status_code == 200
    text = response.text
    assert "Ylöjärvi" in text
    assert network.membership_a.decision_reference in text
    assert "consultant@example.fi" in text
    assert "Kaisa Kuntalainen" in text
    assert "Kestävä kuntajohtaminen" in text
    assert "Olli Orivesiläinen" not in text  # never another municipality's people


def test_dashboard_without_membership_says_so(network):
    network.membership_a.delete()
    response = client_for(network, "contact_a").get(reverse("municipalities:dashboard"))
    assert "not a member" in response.text or "ei ole" in response.text


def test_staff_user_gets_a_link_to_the_admin(network):
    response = client_for(network, "staff").get(reverse("municipalities:dashboard"))
    assert response.status_code == 200
    assert reverse("admin:index") in response.text


def test_dashboard_query_count_does_not_grow_with_contacts(network, django_assert_max_num_queries):
    client = client_for(network, "contact_a")
    url = reverse("municipalities:dashboard")
    client.get(url)  # warm up session and permission caches
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    ContactPersonFactory.create_batch(50, municipality=network.municipality_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.text.count("<li>") >= 50


def test_registered_panels_render_on_the_dashboard(network):
    panel = dashboard.Panel(
        order=99,
        template="includes/test_panel.html",
        context=lambda user, membership: {"season": membership.season.slug},
    )
    dashboard.register_panel(panel)
    try:
        response = client_for(network, "contact_a").get(reverse("municipalities:dashboard"))
    finally:
        dashboard._panels.remove(panel)
    assert "panel for 2021-2022" in response.text


def test_contact_adds_a_contact_person_to_own_municipality(network):
    client = client_for(network, "contact_a")
    response = client.post(
        reverse("municipalities:contact_create"),
        {
            "name": "Leena Luottamus",
            "title": "Valtuuston puheenjohtaja",
            "role": "elected_trustee",
            "email": "Leena@Example.fi",
            "phone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    contact = ContactPerson.objects.get(name="Leena Luottamus")
    assert contact.municipality == network.municipality_a
    assert contact.email == "leena@example.fi"


def test_duplicate_email_is_explained_and_nothing_saved(network):
    client = client_for(network, "contact_a")
    count = ContactPerson.objects.count()
    response = client.post(
        reverse("municipalities:contact_create"),
        {
            "name": "Toinen",
            "role": "official",
            "email": network.contact_person_a.email.upper(),
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert (
        "already has a contact person with this e-mail" in response.text
        or "sähköposti" in response.text
    )
    assert ContactPerson.objects.count() == count


def test_required_fields_are_explained(network):
    response = client_for(network, "contact_a").post(
        reverse("municipalities:contact_create"), {"role": "x"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "role"}


def test_contact_edits_own_contact_person(network):
    contact = network.contact_person_a
    response = client_for(network, "contact_a").post(
        reverse("municipalities:contact_update", args=[contact.pk]),
        {
            "name": "Uusi Nimi",
            "title": "Kaupunginjohtaja",
            "role": "official",
            "email": contact.email,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.title) == ("Uusi Nimi", "Kaupunginjohtaja")


def test_contact_cannot_edit_another_municipalitys_person(network):
    other = network.contact_person_b
    response = client_for(network, "contact_a").post(
        reverse("municipalities:contact_update", args=[other.pk]),
        {"name": "Hijacked", "role": "official", "is_active": "on"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name != "Hijacked"


def test_password_reset_sends_a_link_that_works(network, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post(reverse("password_reset"), {"email": "contact.a@example.fi"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["contact.a@example.fi"]
    link = next(line for line in message.body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]

    response = client.get(path, follow=True)
    new_password = "uusi-salasana-2021-xyz"
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    network.contact_a.refresh_from_db()
    assert network.contact_a.check_password(new_password)


def test_password_reset_for_unknown_address_reveals_nothing(
    network, django_capture_on_commit_callbacks
):
    from outbox.models import Message

    def reset(email):
        with django_capture_on_commit_callbacks(execute=True):  # sent as it would be
            response = Client().post(reverse("password_reset"), {"email": email}, follow=True)
        # the page without its per-request CSRF tokens
        page = re.sub(r"[A-Za-z0-9]{64}", "TOKEN", response.text)
        return response.redirect_chain, response.status_code, page

    known = reset("contact.a@example.fi")
    assert len(mail.outbox) == 1  # the comparison is with a reset that did send
    unknown = reset("nobody@example.fi")
    # the same answer, page for page; nothing queued or sent for the unknown address
    assert unknown == known
    assert len(mail.outbox) == 1
    assert not Message.objects.filter(recipient="nobody@example.fi").exists()


def test_logout_is_a_post_and_ends_the_session(network):
    client = client_for(network, "contact_a")
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("municipalities:dashboard")).status_code == 302


@pytest.mark.parametrize(
    ("language", "word"), [("fi", "Kirjaudu"), ("sv", "Logga in"), ("en", "Log in")]
)
def test_language_switcher_changes_the_language(db, language, word):
    client = Client()
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.get("/")
    assert response.headers["Content-Language"] == language
    assert word in response.text


def test_finnish_is_the_default_whatever_the_browser_says(db):
    response = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/")
    assert response.headers["Content-Language"] == "fi"


def test_a_contact_sees_the_portal_in_the_municipalitys_language(network):
    network.municipality_a.preferred_language = "sv"
    network.municipality_a.save()
    contact = ContactPersonFactory(municipality=network.municipality_a, email="svensk@example.fi")
    user = services.contact_grant_portal_access(contact=contact)
    client = Client()
    client.force_login(user)
    response = client.get(reverse("municipalities:dashboard"))
    assert response.headers["Content-Language"] == "sv"
    # the switcher wins over the preference
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.get(reverse("municipalities:dashboard")).headers["Content-Language"] == "en"
