"""The admin speaks Finnish and Swedish throughout: its JavaScript strings (the time-zone note
under date fields, the calendar) and the template strings Django 6.x's catalogues lack."""

import json
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# (language, msgid, the translation the admin must show)
JS_STRINGS = [
    (
        "fi",
        "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour ahead.)",
        [
            "Huom: ajat kirjoitetaan tällä aikavyöhykkeellä: %(timezone)s. "
            "(Selaimen aika on %(offset)s tunnin edellä.)",
            "Huom: ajat kirjoitetaan tällä aikavyöhykkeellä: %(timezone)s. "
            "(Selaimen aika on %(offset)s tuntia edellä.)",
        ],
    ),
    (
        "sv",
        "Note: Enter times in the %(timezone)s timezone. (You are %(offset)s hour behind.)",
        [
            "Obs: ange tider i den här tidszonen: %(timezone)s. "
            "(Webbläsarens tid ligger %(offset)s timme efter.)",
            "Obs: ange tider i den här tidszonen: %(timezone)s. "
            "(Webbläsarens tid ligger %(offset)s timmar efter.)",
        ],
    ),
    ("fi", "Today (%(date)s)", "Tänään (%(date)s)"),
    ("sv", "Today (%(date)s)", "I dag (%(date)s)"),
    ("fi", "(click to clear)", "(tyhjennä napsauttamalla)"),
    ("fi", "Now", "Nyt"),  # from Django's own catalogue, still merged in
    ("sv", "Now", "Nu"),
]


def js_catalogue(client, language: str) -> dict:
    client.cookies["django_language"] = language
    response = client.get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    found = re.search(r"const newcatalog = (\{.*?\});\n", response.content.decode(), re.S)
    assert found, "no catalogue in the admin's jsi18n"
    return json.loads(found.group(1))


@pytest.mark.parametrize(("language", "msgid", "expected"), JS_STRINGS)
def test_the_admin_javascript_catalogue_is_translated(staff_client, language, msgid, expected):
    assert js_catalogue(staff_client, language).get(msgid) == expected


@pytest.mark.parametrize(
    ("language", "filter_label", "run_button"),
    [("fi", "Suodata: liittymispäivä", "Suorita"), ("sv", "Filtrera efter", "Kör")],
)
def test_the_admin_changelist_is_translated(staff_client, language, filter_label, run_button):
    # given a changelist with a date hierarchy and actions
    staff_client.cookies["django_language"] = language
    # when the staff member opens it
    response = staff_client.get(reverse("admin:municipalities_membership_changelist"))
    # then the filter label and the action button are in the chosen language
    html = response.content.decode()
    assert response.status_code == 200
    assert filter_label in html
    assert f">{run_button}</button>" in html
    assert "Filter by" not in html
