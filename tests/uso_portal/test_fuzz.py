"""Hostile input never gives a 500: every URL of the permission matrix and every admin changelist,
with NUL, control characters, over-long, non-numeric and negative values in every URL keyword
argument, every query parameter the view reads and every field of every form the pages render.

What is fuzzed is discovered, not listed: keyword arguments from the URL patterns, query
parameters by recording what each view reads from `request.GET`, form fields by parsing the forms
of every page each persona can open (portal and admin), filter parameters from each changelist's
filter links. A failure names the request; a server error logged by `django.request` fails too.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import Client
from django.urls import resolve, reverse
from django.urls.converters import get_converters

from tests.auth import login
from tests.plugins.fetch_mode import lazy_fetch_allowed

from ..conftest import PERSONAS, client_for
from ..municipalities.factories import UserFactory
from ..test_permission_matrix import MATRIX, World

pytestmark = pytest.mark.django_db

HOSTILE = [
    "\x00",  # NUL: PostgreSQL cannot even compare a text with it
    "x\x01\x07\x08\x1b\x7fy",  # other control characters
    "\u202e\ufeff\U0001f600",  # a bidi override, a BOM, an emoji
    "x" * 10_001,  # longer than any column
    "abc",  # not a number
    "-1",  # negative
    "99999999999999999999",  # beyond any integer column
    "²",  # a digit to str.isdigit(), not to int()
    "' OR '1'='1",
    "%",
]
HOSTILE_FILES = [
    ("\x01.pdf", b"%PDF-1.4 not really"),
    ("x" * 300 + ".pdf", b"%PDF-1.4"),
    ("raportti.exe", b"MZ\x90\x00"),
    ("tyhja.pdf", b""),
]
ALLOWED = {200, 204, 301, 302, 303, 400, 403, 404, 405, 409, 410, 411, 413, 422, 429}


class ServerErrors(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture
def server_errors():
    handler = ServerErrors()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)


@pytest.fixture
def world(network, programme) -> World:
    return World(network, programme)


class Fuzzer:
    """Sends requests without raising, and remembers every one answered with a server error."""

    def __init__(self, server_errors: list[str]):
        self.failures: list[str] = []
        self.server_errors = server_errors
        self.sent = 0

    def send(self, client: Client, method: str, url: str, data=None, **extra):
        client.raise_request_exception = False
        before = len(self.server_errors)
        with lazy_fetch_allowed():  # the N+1 guard is for query counts, not for this test
            response = getattr(client, method)(url, data or {}, **extra)
        self.sent += 1
        logged = self.server_errors[before:]
        if response.status_code not in ALLOWED or logged:
            shown = {key: str(value)[:40] for key, value in (data or {}).items()}
            self.failures.append(
                f"{method.upper()} {url[:200]} {shown} -> {response.status_code} {logged[:1]}"
            )
        return response

    def check(self) -> None:
        assert not self.failures, f"{len(self.failures)} of {self.sent}:\n" + "\n".join(
            self.failures[:50]
        )


def matrix_url(world: World, name: str) -> str:
    kwargs_for = MATRIX[name][0]
    return reverse(name, kwargs=kwargs_for(world) if kwargs_for else None)


def reaching_the_view(name: str) -> list[str]:
    """The personas whose request gets past the login and permission checks of the URL."""
    expected = MATRIX[name][2]
    return [
        persona
        for persona, status in expected.items()
        if status not in (403, 405) and not (persona == "anonymous" and status == 302)
    ]


KIND = {"anonymous": "anonymous", "contact_a": "contact", "contact_b": "contact"}


def one_of_each_kind(personas: list[str]) -> list[str]:
    """Anonymous, a contact, a staff member: views parse their parameters alike per kind."""
    chosen: dict[str, str] = {}
    for persona in personas:
        chosen.setdefault(KIND.get(persona, "staff"), persona)
    return list(chosen.values())


def fresh_client(network, persona: str) -> Client:
    """A new login: "log out everywhere" ends every earlier session of the user."""
    if persona != "anonymous":
        getattr(network, persona).refresh_from_db()
    return client_for(network, persona)


def clients(network) -> dict[str, Client]:
    return {persona: fresh_client(network, persona) for persona in PERSONAS}


# --- URL keyword arguments -----------------------------------------------------------------------

PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def test_every_url_keyword_argument(network, world, server_errors):
    fuzzer = Fuzzer(server_errors)
    personas = clients(network)
    for name, (kwargs_for, method, *_rest) in MATRIX.items():
        if kwargs_for is None:
            continue
        kwargs = kwargs_for(world)
        route = resolve(reverse(name, kwargs=kwargs)).route
        converters = {
            match.group("name"): get_converters()[match.group("converter") or "str"]
            for match in PARAMETER.finditer(route)
        }
        for argument in kwargs:
            # values the converter refuses are the resolver's 404: one of them is enough
            matching = [v for v in HOSTILE if re.fullmatch(converters[argument].regex, v)]
            refused = [v for v in HOSTILE if v not in matching][:1]
            for value in matching + refused:

                def fill(match, argument=argument, value=value, kwargs=kwargs):
                    key = match.group("name")
                    return quote(value, safe="") if key == argument else str(kwargs[key])

                path = "/" + PARAMETER.sub(fill, route)
                for persona in reaching_the_view(name):
                    fuzzer.send(personas[persona], method, path)
    fuzzer.check()


# --- Query parameters --------------------------------------------------------------------------


@pytest.fixture
def reads_of_query_parameters(monkeypatch) -> set[str]:
    """The names every QueryDict is asked for while the fixture is active."""
    names: set[str] = set()
    for method in ("get", "__getitem__", "getlist", "__contains__"):
        original = getattr(QueryDict, method)

        def recording(self, key, *args, original=original):
            names.add(key)
            return original(self, key, *args)

        monkeypatch.setattr(QueryDict, method, recording)
    return names


def test_every_query_parameter_a_view_reads(
    network, world, server_errors, reads_of_query_parameters
):
    fuzzer = Fuzzer(server_errors)
    personas = clients(network)
    fuzzed, read = 0, set()
    for name, (_kwargs_for, method, _expected, *_data) in MATRIX.items():
        if method != "get":
            continue
        url = matrix_url(world, name)
        for persona in one_of_each_kind(reaching_the_view(name)):
            client = personas[persona]
            reads_of_query_parameters.clear()
            client.get(url)  # a view may read a parameter and then answer 404 (?membership=)
            read |= reads_of_query_parameters
            for parameter in sorted(reads_of_query_parameters - {"csrfmiddlewaretoken"}):
                fuzzed += 1
                for value in HOSTILE:
                    fuzzer.send(client, "get", f"{url}?{urlencode({parameter: value})}")
    assert {"season", "year", "sort", "indicator", "peers", "membership", "next"} <= read
    assert fuzzed >= 10
    fuzzer.check()


# --- Forms -------------------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    multipart: bool
    htmx: bool
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> default value(s)
    files: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple:
        return (urlsplit(self.action).path, self.method, tuple(sorted(self.fields)))


class FormParser(HTMLParser):
    """The forms of a page with their fields and default values, as a browser would send them."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: str | None = None
        self.select_options: list[str] = []
        self.select_chosen: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = attrs.get("hx-post") or attrs.get("action") or self.page_url
            self.form = Form(
                action=action,
                method=("post" if attrs.get("hx-post") else attrs.get("method", "get")).lower(),
                multipart=attrs.get("enctype") == "multipart/form-data",
                htmx="hx-post" in attrs or "hx-get" in attrs,
            )
            self.forms.append(self.form)
        elif self.form is None or (not attrs.get("name") and tag != "option"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind == "file":
                self.form.files.add(attrs["name"])
            elif kind in ("checkbox", "radio"):
                values = self.form.fields.setdefault(attrs["name"], [])
                if "checked" in attrs:
                    values.append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "reset", "image"):
                self.form.fields.setdefault(attrs["name"], []).append(attrs.get("value", ""))
        elif tag == "textarea":
            self.form.fields.setdefault(attrs["name"], []).append("")
        elif tag == "button" and attrs.get("value"):
            self.form.fields.setdefault(attrs["name"], []).append(attrs["value"])
        elif tag == "select":
            self.select, self.select_options, self.select_chosen = attrs["name"], [], []
        elif tag == "option" and self.select:
            self.select_options.append(attrs.get("value", ""))
            if "selected" in attrs:
                self.select_chosen.append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.form is not None and self.select:
            chosen = self.select_chosen or self.select_options[:1]
            self.form.fields[self.select] = chosen
            self.select = None


def forms_of(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms


def extra_pages(world: World) -> list[str]:
    """Pages with forms that the matrix reaches only for objects with another state."""
    return [
        reverse("events:event_detail", args=[world.event.pk]),
        reverse("workshops:workshop_propose") + f"?membership={world.membership_a.pk}",
        "/admin/password_change/",
    ]


def submissions(form: Form):
    """(data, files) variants: each field in turn hostile, the others at their defaults."""
    base = {name: values for name, values in form.fields.items() if values}
    for name in form.fields:
        if name == "csrfmiddlewaretoken":
            continue
        for value in HOSTILE:
            yield {**base, name: [value]}
        yield {**base, name: [HOSTILE[4], HOSTILE[5]]}  # two values for one field
    for name in form.files:
        for filename, content in HOSTILE_FILES:
            yield {**base, name: SimpleUploadedFile(filename, content)}
    yield {name: ["\x01" + "x" * 300] for name in form.fields}  # everything hostile at once


ENDS_THE_SESSION = {"logout", "municipalities:logout_everywhere"}


def test_every_field_of_every_form_the_pages_render(network, world, server_errors):
    fuzzer = Fuzzer(server_errors)
    seen: set[tuple] = set()
    pages = [matrix_url(world, name) for name, row in MATRIX.items() if row[1] == "get"]
    pages += extra_pages(world)
    for persona in PERSONAS:
        client = fresh_client(network, persona)
        for page in pages:
            response = client.get(page)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in forms_of(response.content.decode(), page):
                # the same form for the same kind of user (the layout's forms on every page)
                key = (KIND.get(persona, "staff"), *form.key)
                if key in seen:
                    continue
                seen.add(key)
                headers = {"HTTP_HX_REQUEST": "true"} if form.htmx else {}
                ends_session = resolve(urlsplit(form.action).path).view_name in ENDS_THE_SESSION
                for data in submissions(form):
                    sender = fresh_client(network, persona) if ends_session else client
                    fuzzer.send(sender, form.method, form.action, data, **headers)
    expected = {
        reverse("login"),
        reverse("events:event_register", args=[world.event.pk]),
        reverse("workshops:comment_add", args=[world.workshop_a.pk]),
        reverse("workshops:deliverable_upload", args=[world.workshop_a.pk]),
        reverse("municipalities:contact_create"),
    }
    assert expected <= {key[1] for key in seen}  # the discovery found the forms
    fuzzer.check()


def test_every_post_of_the_matrix_with_hostile_data(network, world, server_errors):
    """The matrix's POST rows (some have no page with their form for every persona)."""
    fuzzer = Fuzzer(server_errors)
    for name, (_kwargs_for, method, _expected, *data) in MATRIX.items():
        if method != "post":
            continue
        url = matrix_url(world, name)
        fields = data[0] if data else {"language": "fi", "next": "/"}
        for persona in one_of_each_kind(reaching_the_view(name)):
            client = fresh_client(network, persona)
            for key in fields:
                for value in HOSTILE:
                    if name in ENDS_THE_SESSION:
                        client = fresh_client(network, persona)
                    fuzzer.send(client, "post", url, {**fields, key: value})
    fuzzer.check()


# --- Admin changelists ---------------------------------------------------------------------------

# NUL and other control characters never reach a changelist (the request guard answers 400).
FILTER_VALUES = ["abc", "99999999999999999999"]
STANDARD_PARAMETERS = {  # sort, page, search, error flag, popup field
    "o": ["abc", "-1", "99999999999999999999"],
    "p": ["abc", "-1", "99999999999999999999"],
    "q": ["x" * 10_001, "' OR '1'='1"],
    "e": ["abc"],
    "_to_field": ["abc"],
}


def filter_parameters(html: str) -> set[str]:
    """The parameter names of a changelist's filter, sort and pagination links."""
    names: set[str] = set()
    for href in re.findall(r'href="\?([^"]*)"', html):
        for pair in href.replace("&amp;", "&").split("&"):
            if pair:
                names.add(pair.split("=", 1)[0])
    return names


def test_every_admin_changelist_with_bogus_parameters(network, programme, server_errors):
    fuzzer = Fuzzer(server_errors)
    superuser = Client()
    login(superuser, UserFactory(is_staff=True, is_superuser=True))
    for model in sorted(admin.site._registry, key=lambda model: model._meta.label):
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        with lazy_fetch_allowed():
            page = superuser.get(url)
        assert page.status_code == 200, url
        parameters = filter_parameters(page.content.decode()) | set(STANDARD_PARAMETERS)
        for parameter in sorted(parameters):
            for value in STANDARD_PARAMETERS.get(parameter, FILTER_VALUES):
                fuzzer.send(superuser, "get", f"{url}?{urlencode({parameter: value})}")
        # every filter at once, and the search with a sort
        fuzzer.send(superuser, "get", url + "?" + urlencode(dict.fromkeys(parameters, "abc")))
    fuzzer.check()
