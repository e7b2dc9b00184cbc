"""Participant lists and the attendance report, read back with csv and openpyxl."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from events import exports
from events.models import Attendance, EventStatus, RegistrationStatus
from municipalities.models import ContactRole

from ..conftest import client_for
from ..municipalities.factories import ContactPersonFactory
from .factories import EventFactory, PastEventFactory, RegistrationFactory, in_days

HEADER = ["Name", "Municipality", "Role", "Title", "Status", "Attendance"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def english():
    """Exports are in the active language; English keeps the expected values readable."""
    with translation.override("en"):
        yield


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def read_xlsx(content: bytes) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(content))
    return {
        sheet.title: [
            ["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        for sheet in workbook.worksheets
    }


@pytest.fixture
def past_event(network):
    """A held event: A has two present and one absent, B one present and one cancelled."""
    event = PastEventFactory(season=network.membership_a.season, title_en="Ennakointi")
    a, b = network.municipality_a, network.municipality_b
    for name, attendance in [("Aino Aalto", "present"), ("Eero Esko", "present")]:
        RegistrationFactory(
            event=event,
            contact_person=ContactPersonFactory(municipality=a, name=name, title="Valtuutettu"),
            attendance=attendance,
        )
    RegistrationFactory(
        event=event,
        contact_person=ContactPersonFactory(
            municipality=a, name="Ville Virta", role=ContactRole.ELECTED_TRUSTEE
        ),
        attendance=Attendance.ABSENT,
    )
    RegistrationFactory(event=event, contact_person=network.contact_person_b, attendance="present")
    RegistrationFactory(
        event=event,
        contact_person=ContactPersonFactory(municipality=b, name="Peruttu Henkilö"),
        status=RegistrationStatus.CANCELLED,
        cancelled_at=timezone.now(),
    )
    return event


def test_participants_csv(network, past_event):
    # when
    rows = read_csv(exports.participants_csv(past_event, user=network.staff))

    # then: ordered by municipality (Orivesi, Ylöjärvi), then name; no cancelled people
    assert rows[0] == HEADER
    b = network.contact_person_b
    assert rows[1:] == [
        [b.name, "Orivesi", "Contact person", b.title, "Confirmed", "Present"],
        ["Aino Aalto", "Ylöjärvi", "Contact person", "Valtuutettu", "Confirmed", "Present"],
        ["Eero Esko", "Ylöjärvi", "Contact person", "Valtuutettu", "Confirmed", "Present"],
        ["Ville Virta", "Ylöjärvi", "Elected trustee", "Hallintojohtaja", "Confirmed", "Absent"],
    ]
    assert "Peruttu Henkilö" not in str(rows)


def test_participants_csv_of_an_upcoming_event(network):
    # given
    event = EventFactory(season=network.membership_a.season)
    RegistrationFactory(event=event, contact_person=network.contact_person_a)
    RegistrationFactory(
        event=event, contact_person=network.contact_person_b, status=RegistrationStatus.WAITLISTED
    )

    # when
    rows = read_csv(exports.participants_csv(event, user=network.staff))

    # then
    assert [(row[0], row[4], row[5]) for row in rows[1:]] == [
        (network.contact_person_b.name, "On the waitlist", ""),
        (network.contact_person_a.name, "Confirmed", ""),
    ]


def test_participants_xlsx_has_a_sheet_per_event(network, past_event):
    # given
    upcoming = EventFactory(season=network.membership_a.season, title_en="Katsaus")
    RegistrationFactory(event=upcoming, contact_person=network.contact_person_a)

    # when
    sheets = read_xlsx(exports.participants_xlsx([past_event, upcoming], user=network.staff))

    # then
    past_title = f"{timezone.localtime(past_event.start):%Y-%m-%d} Ennakointi"
    upcoming_title = f"{timezone.localtime(upcoming.start):%Y-%m-%d} Katsaus"
    assert list(sheets) == [past_title, upcoming_title]
    assert sheets[past_title][0] == HEADER
    assert [row[0] for row in sheets[past_title][1:]] == [
        network.contact_person_b.name,
        "Aino Aalto",
        "Eero Esko",
        "Ville Virta",
    ]
    assert sheets[past_title][4][1:] == [
        "Ylöjärvi",
        "Elected trustee",
        "Hallintojohtaja",
        "Confirmed",
        "Absent",
    ]
    a = network.contact_person_a
    assert sheets[upcoming_title][1:] == [
        [a.name, "Ylöjärvi", "Contact person", a.title, "Confirmed", ""]
    ]


def test_participants_xlsx_accepts_any_event_title(network):
    # given: characters that a worksheet title cannot have
    event = EventFactory(season=network.membership_a.season, title_en="Talous: mitä [2022]?")
    RegistrationFactory(event=event, contact_person=network.contact_person_a)

    # when
    sheets = read_xlsx(exports.participants_xlsx([event], user=network.staff))

    # then
    (rows,) = sheets.values()
    assert rows[1][0] == network.contact_person_a.name


def test_participants_xlsx_of_same_day_sessions_has_valid_sheet_titles(network):
    # given: a morning and an afternoon session with one long title
    title = "Tulevaisuusverstas kunnanhallitukselle"
    morning = EventFactory(season=network.membership_a.season, title_en=title, start=in_days(9))
    afternoon = EventFactory(
        season=network.membership_a.season, title_en=title, start=in_days(9, hour=13)
    )

    # when
    sheets = read_xlsx(exports.participants_xlsx([morning, afternoon], user=network.staff))

    # then: two sheets, named within Excel's limit of 31 characters
    assert len(sheets) == 2
    assert all(len(name) <= 31 for name in sheets), list(sheets)


def test_attendance_report_counts_present_per_municipality(network, past_event):
    # given
    season = network.membership_a.season
    later = EventFactory(season=season, title_en="Katsaus", start=in_days(-3))  # published
    RegistrationFactory(event=later, contact_person=network.contact_person_a, attendance="present")
    for status in (EventStatus.DRAFT, EventStatus.CANCELLED):
        ignored = PastEventFactory(season=season, status=status, title_en=f"Ei {status}")
        RegistrationFactory(
            event=ignored, contact_person=network.contact_person_a, attendance="present"
        )
    EventFactory(season=season, title_en="Tulossa")  # not held yet

    # when
    (rows,) = read_xlsx(exports.attendance_xlsx(season, user=network.staff)).values()

    # then
    assert rows[0] == [
        "Code",
        "Municipality",
        f"{timezone.localtime(past_event.start):%d.%m.%Y} Ennakointi",
        f"{timezone.localtime(later.start):%d.%m.%Y} Katsaus",
        "Present in all",
        "Registered in all",
        "Events attended",
    ]
    assert rows[1:] == [
        ["562", "Orivesi", 1, 0, 1, 1, 1],
        ["980", "Ylöjärvi", 2, 1, 3, 4, 2],
    ]


def test_attendance_report_lists_members_without_participants(network):
    # given
    PastEventFactory(season=network.membership_a.season)

    # when
    (rows,) = read_xlsx(
        exports.attendance_xlsx(network.membership_a.season, user=network.staff)
    ).values()

    # then
    assert [row[:2] for row in rows[1:]] == [["562", "Orivesi"], ["980", "Ylöjärvi"]]
    assert [row[2:] for row in rows[1:]] == [[0, 0, 0, 0], [0, 0, 0, 0]]


def test_staff_download_participants_csv(network, past_event):
    # when
    response = client_for(network, "staff").get(
        reverse("events:participants_csv", kwargs={"pk": past_event.pk})
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="participants-{past_event.pk}.csv"'
    )
    assert len(read_csv(response.content)) == 5


def test_staff_download_participants_xlsx(network, past_event):
    # when
    response = client_for(network, "staff").get(
        reverse("events:participants_xlsx", kwargs={"pk": past_event.pk})
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == (
        f'attachment; filename="participants-{past_event.pk}.xlsx"'
    )
    (rows,) = read_xlsx(response.content).values()
    assert len(rows) == 5


def test_staff_download_attendance_report(network, past_event):
    # when
    slug = network.membership_a.season.slug
    response = client_for(network, "staff").get(
        reverse("events:attendance_report", kwargs={"slug": slug})
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="attendance-{slug}.xlsx"'
    (rows,) = read_xlsx(response.content).values()
    assert [row[0] for row in rows[1:]] == ["562", "980"]


@pytest.mark.parametrize("name", ["participants_csv", "participants_xlsx"])
def test_municipal_contacts_cannot_download(network, past_event, name):
    response = client_for(network, "contact_a").get(
        reverse(f"events:{name}", kwargs={"pk": past_event.pk})
    )

    assert response.status_code == 403
