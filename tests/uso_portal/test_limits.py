"""Limits a production service has: a request body limit, refusals of requests no view should
see, and `Cache-Control: no-store` on everything private (uso_portal/guards.py)."""

import asyncio

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from municipalities.models import ContactPerson
from uso_portal import guards

from ..conftest import client_for
from ..events.factories import PDF_BYTES
from ..municipalities.factories import PASSWORD

pytestmark = pytest.mark.django_db
MEGABYTE = 1024 * 1024


# --- The request body limit ----------------------------------------------------------------------


def test_the_limit_is_one_upload_and_its_form():
    assert settings.REQUEST_MAX_MEGABYTES == settings.UPLOAD_MAX_MEGABYTES + 5
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < settings.REQUEST_MAX_MEGABYTES * MEGABYTE
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 5000
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 100
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2621440


@override_settings(REQUEST_MAX_MEGABYTES=1)
def test_a_body_over_the_limit_is_refused_with_413_and_nothing_is_saved(network):
    # given: a contact sends a 2 MB file along with a valid contact form
    client = client_for(network, "contact_a")
    data = {
        "name": "Iso Tiedosto",
        "title": "Testaaja",
        "role": "official",
        "email": "iso@example.fi",
        "phone": "",
        "is_active": "on",
        "attachment": SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (2 * MEGABYTE)),
    }

    # when
    response = client.post(reverse("municipalities:contact_create"), data)

    # then: a page that says why, in Finnish; nothing saved
    assert response.status_code == 413
    assert response.templates[0].name == "400.html"
    assert "1 Mt" in response.text or "1 MB" in response.text
    assert not ContactPerson.objects.filter(email="iso@example.fi").exists()

    # and the same form under the limit goes through
    data["attachment"] = SimpleUploadedFile("small.pdf", PDF_BYTES)
    response = client.post(reverse("municipalities:contact_create"), data)
    assert response.status_code == 302
    assert ContactPerson.objects.filter(email="iso@example.fi").exists()


def test_the_body_is_not_read_when_it_is_too_large(network):
    # given: a Content-Length far above the limit; the test client's payload would raise if
    # anything tried to read those bytes
    client = client_for(network, "contact_a")
    too_large = str(settings.REQUEST_MAX_MEGABYTES * MEGABYTE + 1)

    # when
    response = client.generic(
        "POST",
        reverse("municipalities:contact_create"),
        b"name=x",
        "application/x-www-form-urlencoded",
        CONTENT_LENGTH=too_large,
    )

    # then
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked"}, 411),
        ({"CONTENT_LENGTH": "12abc"}, 400),
        ({"CONTENT_LENGTH": "-5"}, 400),
    ],
)
def test_a_body_without_a_usable_length_is_refused(network, headers, status):
    response = client_for(network, "contact_a").generic(
        "POST", reverse("municipalities:contact_create"), b"", **headers
    )
    assert response.status_code == status


def test_django_refuses_a_form_with_too_many_fields_on_the_portals_page(network):
    fields = "&".join(f"f{number}=x" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS))
    response = client_for(network, "contact_a").post(
        reverse("municipalities:contact_create"),
        fields + "&name=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert response.templates[0].name == "400.html"
    assert "USO" in response.text  # the portal's layout, with its request context


async def _asgi(app, chunks: list[bytes], headers=()):
    """Run an ASGI app for one POST whose body arrives in `chunks`; (status, body read)."""
    sent, received = [], []
    messages = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]

    async def receive():
        message = messages.pop(0)
        received.append(message)
        return message

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": list(headers)}
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(message["body"] for message in received)


async def _echo(scope, receive, send):
    """A stand-in application that reads the whole body and answers 200."""
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


@override_settings(REQUEST_MAX_MEGABYTES=1)
def test_under_asgi_a_chunked_body_is_bounded_too():
    app = guards.asgi_body_limit(_echo)
    chunk = b"x" * (MEGABYTE // 4)

    # a body without a Content-Length that grows past the limit: 413, read only to the limit
    status, read = asyncio.run(_asgi(app, [chunk] * 20))
    assert status == 413
    assert len(read) <= MEGABYTE + len(chunk)

    # an announced length over the limit: 413 before any byte is read
    status, read = asyncio.run(_asgi(app, [chunk], headers=[(b"content-length", b"9999999")]))
    assert (status, read) == (413, b"")

    # a body under the limit reaches the application whole
    assert asyncio.run(_asgi(app, [chunk, chunk]))[0] == 200


def test_the_asgi_entry_point_has_the_limit():
    from uso_portal import asgi

    assert asgi.application.__qualname__ == "asgi_body_limit.<locals>.guarded"


# --- Requests refused before any view ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/calendar/%00.ics",
        "/portal/analysis/980%00/",
        "/portal/analysis/980%07/",
        "/portal/analysis/980/?season=%00",
        "/portal/analysis/980/?season=%1b",
        "/portal/analysis/980/?season=%C3%28",  # not UTF-8
        "/admin/events/registration/?status__exact=%00",
        "/admin/events/registration/?q=%00",
    ],
)
@pytest.mark.parametrize("persona", ["anonymous", "staff"])
def test_control_characters_and_broken_text_in_the_address_are_refused(network, url, persona):
    response = client_for(network, persona).get(url)
    assert response.status_code == 400
    assert "merkkejä, jotka eivät ole sallittuja" in response.text  # the page says why, in Finnish


def test_a_control_character_in_a_header_is_refused(network):
    response = Client().post(
        reverse("login"),
        {"username": "contact.a@example.fi", "password": "wrong"},
        HTTP_USER_AGENT="Mozilla\x00",
    )
    assert response.status_code == 400


def test_a_path_that_is_not_utf8_is_simply_not_found(network):
    assert client_for(network, "staff").get("/portal/analysis/%FF%FE/").status_code == 404


def test_ordinary_addresses_and_search_text_pass(network):
    client = client_for(network, "staff")
    # tabs and line breaks in a search box, letters of any language
    assert client.get("/admin/events/registration/?q=Ylöjärvi%09%0Aå").status_code == 200
    assert client.get(reverse("analysis:network_table") + "?sort=-value").status_code == 200


# --- Cache-Control -----------------------------------------------------------------------------


def assert_private(response) -> None:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives, response["Cache-Control"]


def test_pages_of_a_logged_in_user_are_not_stored(network):
    response = client_for(network, "contact_a").get(reverse("municipalities:dashboard"))
    assert response.status_code == 200
    assert_private(response)


def test_an_invoice_pdf_is_not_stored(network, programme):
    response = client_for(network, "contact_a").get(
        reverse("billing:invoice_pdf", args=[programme.invoice_a.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_private(response)


def test_an_export_is_not_stored(network, programme):
    response = client_for(network, "staff").get(
        reverse("events:participants_xlsx", args=[programme.event.pk])
    )
    assert response.status_code == 200
    assert_private(response)


def test_a_calendar_subscription_is_not_stored_though_anonymous(network, programme):
    response = Client().get(reverse("events:calendar_feed_ics", args=[programme.feed_a.token]))
    assert response.status_code == 200
    assert_private(response)


def test_static_files_stay_cacheable(network):
    response = client_for(network, "contact_a").get("/static/css/site.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# --- The login ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/admin/login/"])
def test_an_overlong_login_name_is_a_form_error(network, url):
    from axes.models import AccessAttempt

    # given: a "username" longer than the lockout table's column (255)
    username = "a" * 256 + "@example.fi"

    # when
    response = Client().post(url, {"username": username, "password": PASSWORD})

    # then: the form says what is wrong; the attempt is not even an authentication
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert not AccessAttempt.objects.exists()


def test_the_lockout_records_at_most_its_column(network):
    from uso_portal.security import login_username

    username = login_username(None, {"username": "A\x00" * 300})
    assert username == "a" * 255
