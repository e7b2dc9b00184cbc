"""Bad input, as the people who meet it see it: a clear page or a form error, never an error
page, nothing lost, and nothing logged as a server error.

Each test is one of the reported HTTP 500s (or one found like them), told from the user's side.
"""

import io
import logging
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from openpyxl import load_workbook

from analysis.models import IndicatorValue
from events.models import Registration
from municipalities.demo import MUNICIPALITIES_CSV
from municipalities.models import ContactPerson, Municipality
from workshops.models import Deliverable

from ..conftest import client_for
from ..events.factories import PDF_BYTES, EventFactory

pytestmark = pytest.mark.django_db

LINES = MUNICIPALITIES_CSV.read_text(encoding="utf-8").splitlines()
HEADER, YLOJARVI = LINES[0], next(line for line in LINES if line.startswith("980,"))


class Errors(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture(autouse=True)
def no_server_errors():
    """No test here may log a server error (django.request does not propagate to the root)."""
    handler = Errors()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    yield
    logger.removeHandler(handler)
    assert not handler.records, [record.getMessage() for record in handler.records]


def quiet(client: Client) -> Client:
    client.raise_request_exception = False
    return client


# --- Addresses ---------------------------------------------------------------------------------


def test_a_calendar_app_asking_for_a_nul_token_gets_a_bad_request(network):
    # the reported anonymous 500
    response = quiet(Client()).get("/calendar/%00.ics")
    assert response.status_code == 400
    assert "Osoitteessa on merkkejä, jotka eivät ole sallittuja" in response.text


@pytest.mark.parametrize(
    "url",
    [
        "/portal/analysis/980%00/",
        "/portal/analysis/980/?season=%00",
        "/staff/analysis/?season=%00",
        "/admin/events/registration/?status__exact=%00",
    ],
)
def test_staff_following_a_mangled_link_get_a_bad_request_page(network, url):
    response = quiet(client_for(network, "staff")).get(url)
    assert response.status_code == 400
    assert '<a href="/">' in response.text  # a way on


def test_a_consultant_opening_a_proposal_for_a_mangled_membership_gets_not_found(network):
    client = quiet(client_for(network, "consultant"))
    for value in ("abc", "-1", "1.5", "9" * 30, "²"):
        response = client.get(reverse("workshops:workshop_propose"), {"membership": value})
        assert response.status_code == 404, value
    # the right one still opens
    response = client.get(
        reverse("workshops:workshop_propose"), {"membership": network.membership_a.pk}
    )
    assert response.status_code == 200


def test_the_network_table_with_a_mangled_year_or_sort_shows_the_defaults(network):
    client = quiet(client_for(network, "staff"))
    for query in ({"year": "²"}, {"year": "9" * 30}, {"year": "-1"}, {"sort": "x" * 10_000}):
        page = client.get(reverse("analysis:network_table"), query)
        assert page.status_code == 200, query
        assert page.context["sort"] in ("name", "value", "-value")
        assert 1900 <= page.context["year"] <= 2100
        export = client.get(reverse("analysis:network_table_xlsx"), query)
        assert export.status_code == 200, query


@pytest.mark.parametrize(
    "query",
    [
        "o=abc",
        "o=99.-99",
        "season__id__exact=abc",
        "status__exact=nonsense",
        "start__year=abc",
        "start__year=9999",  # the year after is beyond Python's dates
        "start__year=99999999999999999999",
        "start__year=2021&start__month=13",
        "p=abc",
        "p=-1",
        "q=" + "x" * 10_000,
    ],
)
def test_staff_with_bogus_changelist_parameters_see_the_list_or_djangos_message(network, query):
    response = quiet(client_for(network, "staff")).get(f"/admin/events/event/?{query}")
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.url.endswith("?e=1")  # "Database error": Django's own message


# --- Forms -------------------------------------------------------------------------------------


def test_an_overlong_login_name_is_answered_by_the_form(network):
    response = quiet(Client()).post(
        reverse("login"), {"username": "x" * 256 + "@example.fi", "password": "salasana"}
    )
    assert response.status_code == 200
    assert "enintään 254 merkkiä" in response.text  # Django's Finnish: "at most 254 characters"


def test_a_nul_in_a_new_participants_name_is_a_form_error_and_the_rest_is_kept(network):
    # given
    event = EventFactory(season=network.membership_a.season)
    client = quiet(client_for(network, "contact_a"))

    # when
    response = client.post(
        reverse("events:event_register", args=[event.pk]),
        {"name": "Aino\x00 Aalto", "email": "aino@example.fi", "title": "Valtuutettu"},
    )

    # then: the form again, with what was typed, and nobody registered
    assert response.status_code == 422
    assert response.context["form"].errors["name"]
    assert 'value="aino@example.fi"' in response.text
    assert not Registration.objects.filter(event=event).exists()


def test_control_characters_in_a_name_no_longer_break_the_events_export(network):
    # given: a contact registers a person whose name holds a control character
    event = EventFactory(season=network.membership_a.season)
    contact = quiet(client_for(network, "contact_a"))
    registered = contact.post(
        reverse("events:event_register", args=[event.pk]),
        {"name": "Aino\x07 Aalto\x1b", "email": "aino@example.fi", "title": "=1+1"},
    )
    assert registered.status_code == 302

    # when: staff download the participants
    response = quiet(client_for(network, "staff")).get(
        reverse("events:participants_xlsx", args=[event.pk])
    )

    # then: the file opens, the name without the control characters, the title as text
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "Aino Aalto"
    assert rows[1][3] == "'=1+1"


@override_settings(REQUEST_MAX_MEGABYTES=1)
def test_a_consultants_oversized_upload_is_refused_with_the_limit_named(network, programme):
    response = quiet(client_for(network, "consultant")).post(
        reverse("workshops:deliverable_upload", args=[programme.workshop_a.pk]),
        {
            "title": "Liian iso raportti",
            "file": SimpleUploadedFile("raportti.pdf", PDF_BYTES + b"0" * 2 * 1024 * 1024),
        },
    )
    assert response.status_code == 413
    assert "enintään 1 Mt kerrallaan" in response.text
    assert Deliverable.objects.filter(title="Liian iso raportti").count() == 0


# --- Imports -----------------------------------------------------------------------------------


def test_a_municipality_csv_with_a_huge_value_is_refused_by_line(tmp_path: Path):
    # given: the third line has a value over the csv module's limit of 131 072 characters
    path = tmp_path / "municipalities.csv"
    huge = YLOJARVI.replace("Ylöjärvi", "Y" * 131_073, 1)
    path.write_text(f"{HEADER}\n{YLOJARVI.replace('980,', '981,', 1)}\n{huge}\n", "utf-8")

    # when
    with pytest.raises(CommandError) as refused:
        call_command("import_municipalities", str(path), stdout=io.StringIO())

    # then: the line is named, nothing imported
    assert "nothing was imported" in str(refused.value)
    assert "line 3: a value is longer than 131072 characters" in str(refused.value)
    assert not Municipality.objects.exists()


def test_a_municipality_csv_that_is_not_utf8_is_refused(tmp_path: Path):
    path = tmp_path / "municipalities.csv"
    path.write_bytes(f"{HEADER}\n{YLOJARVI}\n".encode("latin-1", errors="replace"))
    with pytest.raises(CommandError) as refused:
        call_command("import_municipalities", str(path), stdout=io.StringIO())
    assert "is not UTF-8 text" in str(refused.value)
    assert not Municipality.objects.exists()


def test_an_indicator_csv_with_a_huge_value_is_refused_by_line(network, tmp_path: Path):
    path = tmp_path / "indicators.csv"
    path.write_text(
        "municipality_code,indicator,year,value,unit,source\n"
        "980,municipal_election_2021_turnout_pct,2021,60.1,%,Tilastokeskus\n"
        f"980,municipal_election_2021_turnout_pct,2020,60.1,%,{'x' * 131_073}\n",
        "utf-8",
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_indicators", str(path), stdout=io.StringIO())
    assert "line 3: a value is longer than 131072 characters" in str(refused.value)
    assert not IndicatorValue.objects.exists()


def test_a_damaged_indicator_workbook_is_refused(network, tmp_path: Path):
    path = tmp_path / "indicators.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(CommandError) as refused:
        call_command("import_indicators", str(path), stdout=io.StringIO())
    assert "not a readable XLSX workbook" in str(refused.value)


def test_a_contact_person_survives_a_long_name_as_a_form_error(network):
    response = quiet(client_for(network, "contact_a")).post(
        reverse("municipalities:contact_create"),
        {"name": "N" * 10_000, "email": "long@example.fi", "role": "official"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ContactPerson.objects.filter(email="long@example.fi").exists()
