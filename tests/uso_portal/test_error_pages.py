"""The 500 page keeps the brand and a working language switcher; an expired form is explained."""

import logging
import re

import pytest
from django.test import Client, override_settings

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.uso_portal.error_urls")]


def failing_page(client: Client):
    logging.disable(logging.CRITICAL)  # the deliberate error is logged as an error
    try:
        return client.get("/test-only/boom/")
    finally:
        logging.disable(logging.NOTSET)


def csrf_token_of(html: str) -> str:
    form = re.search(r'<form action="/i18n/setlang/".*?</form>', html, re.S)
    assert form, "the language switcher is missing"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(0))
    assert token, "the language switcher has no CSRF token"
    return token.group(1)


def test_the_500_page_has_the_brand_and_a_switcher_with_a_csrf_token():
    # given a client that checks CSRF like a browser
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    # when a page fails
    response = failing_page(client)
    # then the branded page in Finnish is shown, with the token in the switcher
    assert response.status_code == 500
    html = response.content.decode()
    assert "<strong>USO</strong>" in html
    assert "Uuden sukupolven organisaatiot" in html
    assert "Palvelinvirhe" in html
    token = csrf_token_of(html)
    # and switching the language there works (the token matches the cookie it set)
    switched = client.post(
        "/i18n/setlang/", {"language": "sv", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
    assert client.cookies["django_language"].value == "sv"
    assert "Serverfel" in failing_page(client).content.decode()


def test_the_500_page_falls_back_to_static_html_when_rendering_fails(settings):
    # given a 500.html that cannot be rendered (it names a URL that does not exist)
    broken = settings.BASE_DIR / "tests" / "templates" / "broken_500"
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [broken, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    # when a page fails
    response = failing_page(Client(raise_request_exception=False))
    # then the static page is sent, still with the brand
    assert response.status_code == 500
    html = response.content.decode()
    assert "<strong>USO</strong>" in html
    assert "Palvelinvirhe" in html


def test_a_language_switch_with_a_bad_token_shows_the_branded_403():
    # given a CSRF cookie and a form token that does not belong to it
    client = Client(enforce_csrf_checks=True)
    csrf_token_of(client.get("/login/").content.decode())  # sets the cookie
    # when the switcher is posted with another token
    response = client.post(
        "/i18n/setlang/",
        {"language": "sv", "next": "/", "csrfmiddlewaretoken": "x" * 64},
        HTTP_REFERER="http://testserver/login/",
    )
    # then the portal's own page explains it, with a link back and a fresh token
    assert response.status_code == 403
    html = response.content.decode()
    assert "<strong>USO</strong>" in html
    assert "Lomake on vanhentunut" in html
    assert 'href="http://testserver/login/"' in html
    assert "CSRF verification failed" not in html
    csrf_token_of(html)


@override_settings(LANGUAGE_CODE="fi")
def test_the_403_page_speaks_the_chosen_language():
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "sv"
    response = client.post("/i18n/setlang/", {"language": "fi"})
    assert response.status_code == 403
    assert "Formuläret har gått ut" in response.content.decode()


def test_a_foreign_referer_is_not_offered_as_the_way_back():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/i18n/setlang/", {"language": "fi"}, HTTP_REFERER="https://evil.example/"
    )
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()
