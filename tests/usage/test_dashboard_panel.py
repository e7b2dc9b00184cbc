"""The contact's entitlement panel on the dashboard, against hand-counted registrations and
workshops (the programme of tests/usage/test_entitlements.py)."""

import pytest
from django.urls import reverse
from django.utils import translation

from analysis.batch_models import Report, ReportStatus

from ..conftest import client_for
from .tables import tables
from .test_entitlements import season_usage  # noqa: F401 - the hand-counted programme

pytestmark = pytest.mark.django_db


def dashboard(network, persona="contact_a", language="en"):
    client = client_for(network, persona)
    client.cookies["django_language"] = language
    response = client.get(reverse("municipalities:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_each_kind_of_event_shows_what_is_included_held_attended_and_to_come(
    network,
    season_usage,  # noqa: F811
):
    events = tables(dashboard(network))["Events of the season"]

    assert events[0] == [
        "Kind of event",
        "Included",
        "Held",
        "Attended",
        "People present",
        "Still to come",
    ]
    rows = {row[0]: row[1:] for row in events[1:]}
    # seminars: quota 6, 2 held (A present at the first with 2 people), 4 still to come
    assert rows["Theme seminar"] == ["6", "2", "1", "2", "4"]
    assert rows["Training for elected trustees"] == ["2", "0", "0", "0", "2"]
    # foresight: 2 held (one skipped, one ended without being marked), none attended
    assert rows["Foresight session"] == ["4", "2", "0", "0", "2"]
    assert rows["Current-affairs review"] == ["0", "0", "0", "0", "0"]
    assert rows["Peer discussion / development event"] == ["1", "0", "0", "0", "1"]


def test_workshops_used_planned_and_left_with_the_extra_grant(network, season_usage):  # noqa: F811
    workshops = tables(dashboard(network))["Development workshops"]

    assert workshops == [
        ["Included", "Extra grants", "Used", "Planned", "Left"],
        ["5", "1", "2", "2", "2"],  # reported + held; scheduled + proposed; 6 − 4
    ]


def test_each_held_event_shows_how_many_of_the_municipalitys_people_were_present(
    network,
    season_usage,  # noqa: F811
):
    held = tables(dashboard(network))["Events held: your people present"]

    present = {row[0]: row[2] for row in held[1:]}
    assert present[season_usage["first"].title_en] == "2"  # B's participant is not counted
    assert present[season_usage["second"].title_en] == "0"  # absent; the cancelled one neither
    assert present[season_usage["skipped"].title_en] == "0"
    assert present[season_usage["unmarked"].title_en] == "1 registered, attendance not marked"
    # the latest first
    assert held[1][0] == season_usage["unmarked"].title_en


def test_the_analysis_report_is_linked_once_delivered(network, season_usage):  # noqa: F811
    assert "has not been delivered yet" in dashboard(network)

    report = Report.objects.create(
        municipality=network.municipality_a,
        season=network.membership_a.season,
        language="fi",
        status=ReportStatus.READY,
        file="analysis/test/980.pdf",
    )

    html = dashboard(network)
    assert "The season's report was delivered on" in html
    assert reverse("analysis:report_download", args=["980", report.pk]) in html


def test_the_panel_is_translated(network, season_usage):  # noqa: F811
    finnish = tables(dashboard(network, language="fi"))
    swedish = tables(dashboard(network, language="sv"))
    with translation.override("fi"):
        assert "Kauden tapahtumat" in finnish
    assert "Periodens evenemang" in swedish


def test_another_municipalitys_contact_sees_their_own_figures(network, season_usage):  # noqa: F811
    rows = {
        row[0]: row[1:]
        for row in tables(dashboard(network, "contact_b"))["Events of the season"][1:]
    }
    # B was present at the first seminar and at the skipped foresight session
    assert rows["Theme seminar"] == ["6", "2", "1", "1", "4"]
    assert rows["Foresight session"] == ["4", "2", "1", "1", "2"]
