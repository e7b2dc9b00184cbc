"""Formula injection and broken files: every CSV and XLSX export, read back as staff open them.

A participant's name or title, a municipality's name or an event's title is typed by a person.
In every export it must arrive as text: no XLSX cell is a formula, no cell starts with a character
a spreadsheet would start a formula with (OWASP: = + - @ tab CR), and a control character that
XML cannot hold is dropped instead of breaking the file.
"""

import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from billing.models import Invoice
from uso_portal import spreadsheets, xlsx

from ..billing.factories import stored_invoice
from ..conftest import client_for
from ..events.factories import EventFactory, PastEventFactory, RegistrationFactory
from ..municipalities.factories import ContactPersonFactory
from ..workshops.factories import WorkshopFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1)",
    "\tx",
    "\rx",
    "Bell\x07, escape\x1b and\x01 more",
    "\x08=1+1",  # a formula behind a control character
]
# PostgreSQL cannot store NUL: it reaches the helper only (the portal refuses it in input).
HOSTILE_TEXT = [*HOSTILE, "Nul\x00 name", "\x00=1+1"]
# What each hostile value becomes in a cell.
NEUTRALISED = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-1+1": "'-1+1",
    "@SUM(1)": "'@SUM(1)",
    "\tx": "'\tx",
    "\rx": "'\rx",
    "Bell\x07, escape\x1b and\x01 more": "Bell, escape and more",
    "\x08=1+1": "'=1+1",
    "Nul\x00 name": "Nul name",
    "\x00=1+1": "'=1+1",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTROL = {chr(code) for code in range(32)} - {"\t", "\n", "\r"}


BOM = b"\xef\xbb\xbf"


def assert_safe_text(value: str) -> None:
    assert not value.startswith(FORMULA_START) or spreadsheets.PLAIN_NUMBER.fullmatch(value), value
    assert not CONTROL & set(value), repr(value)


def csv_cells(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM)  # UTF-8 with BOM: Finnish Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))
    for row in rows:
        for value in row:
            assert_safe_text(value)
    return rows


def xlsx_cells(content: bytes) -> list[list]:
    """Every sheet's values, after checking that no cell is a formula or unsafe text."""
    workbook = load_workbook(io.BytesIO(content))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
                    assert_safe_text(cell.value)
            values.append([cell.value for cell in row])
    return values


def flat(rows: list[list]) -> set:
    return {value for row in rows for value in row}


def assert_all_neutralised(rows: list[list], hostile=HOSTILE) -> None:
    found = flat(rows)
    missing = [NEUTRALISED[value] for value in hostile if NEUTRALISED[value] not in found]
    assert not missing, f"not in the export as neutralised text: {missing}"


@pytest.fixture
def hostile_participants(network):
    """People with hostile names and titles registered to A's event."""
    event = PastEventFactory(season=network.membership_a.season, title_en="Seminaari")
    for value in HOSTILE:
        person = ContactPersonFactory(municipality=network.municipality_a, name=value, title=value)
        RegistrationFactory(event=event, contact_person=person, attendance="present")
    return event


# --- The helper ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE_TEXT)
def test_a_typed_value_is_neutralised(value):
    assert spreadsheets.cell(value) == NEUTRALISED[value]


@pytest.mark.parametrize(
    "value",
    [
        "Aino Aalto",
        "-13640.00",
        "84.60",
        "0158221-7",
        "2021-02-15",
        "Valtuutettu\nKunnanhallitus",
        12,
        Decimal("-1.50"),
        None,
    ],
)
def test_computed_values_and_ordinary_text_pass_unchanged(value):
    assert spreadsheets.cell(value) == value


def test_dates_stay_dates_in_xlsx():
    workbook = xlsx.new_workbook()
    xlsx.add_sheet(workbook, "t", ["date", "amount"], [[datetime.date(2021, 2, 15), -12.5]])
    sheet = load_workbook(io.BytesIO(xlsx.to_bytes(workbook))).active
    assert sheet["A2"].is_date and sheet["A2"].value == datetime.datetime(2021, 2, 15)
    assert (sheet["B2"].data_type, sheet["B2"].value) == ("n", -12.5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=4), st.text())
def test_any_text_makes_a_readable_safe_file(values, title):
    """Whatever a person types, both files are written, read back, and nothing is a formula."""
    workbook = xlsx.new_workbook()
    xlsx.add_sheet(workbook, title, values, [values])
    xlsx_cells(xlsx.to_bytes(workbook))
    csv_cells(spreadsheets.csv_bytes(values, [values]))


# --- Every export --------------------------------------------------------------------------------


def test_participants_csv(network, hostile_participants):
    url = reverse("events:participants_csv", args=[hostile_participants.pk])
    response = client_for(network, "staff").get(url)
    assert response.status_code == 200
    rows = csv_cells(response.content)
    assert len(rows) == 1 + len(HOSTILE)
    assert_all_neutralised(rows)
    # the name and the title columns both
    expected = {NEUTRALISED[value] for value in HOSTILE}
    assert {row[0] for row in rows[1:]} == {row[3] for row in rows[1:]} == expected


def test_participants_xlsx(network, hostile_participants):
    url = reverse("events:participants_xlsx", args=[hostile_participants.pk])
    response = client_for(network, "staff").get(url)
    assert response.status_code == 200
    rows = xlsx_cells(response.content)
    assert len(rows) == 1 + len(HOSTILE)
    assert_all_neutralised(rows)


def test_event_admin_export_actions(network, hostile_participants):
    # given: a hostile title as well (the sheet's name and the admin's CSV)
    hostile_participants.title_fi = hostile_participants.title_en = '=HYPERLINK("http://x","y")'
    hostile_participants.save()
    client = client_for(network, "staff")
    changelist = reverse("admin:events_event_changelist")
    selected = {"_selected_action": [hostile_participants.pk], "index": 0}

    # when: "Export participants (XLSX)"
    response = client.post(changelist, {**selected, "action": "export_xlsx"})

    # then
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="participants.xlsx"'
    assert_all_neutralised(xlsx_cells(response.content))

    # when: "Export participants (CSV, one event)" sends to the CSV download
    response = client.post(changelist, {**selected, "action": "export_csv"})
    assert response.status_code == 302
    assert response.url == reverse("events:participants_csv", args=[hostile_participants.pk])
    assert_all_neutralised(csv_cells(client.get(response.url).content))


def test_attendance_report(network, hostile_participants):
    # given: a municipality's name and an event's title (a column header) that are formulas
    network.municipality_a.name_fi = '=HYPERLINK("http://x","y")'
    network.municipality_a.save()
    hostile_participants.title_fi = "@SUM(1)"
    hostile_participants.save()

    # when
    url = reverse("events:attendance_report", args=[network.membership_a.season.slug])
    response = client_for(network, "staff").get(url)

    # then
    assert response.status_code == 200
    rows = xlsx_cells(response.content)
    assert '\'=HYPERLINK("http://x","y")' in flat(rows)
    assert any(str(value).endswith(" @SUM(1)") for value in rows[0])  # after the date: text
    present = next(row for row in rows if row[0] == "980")
    assert present[2] == len(HOSTILE)  # counts stay numbers


@pytest.fixture
def hostile_invoices(network):
    """Issued invoices whose buyer (typed master data, frozen in the snapshot) is hostile, and
    negative amounts (as on a credit note) that must stay numbers."""
    for number, value in enumerate(HOSTILE, start=1000001):
        invoice = stored_invoice(network.membership_a, number=str(number))
        Invoice.objects.filter(pk=invoice.pk).update(  # issued invoices are frozen
            kind="travel_costs", snapshot={"buyer": {"name": value, "business_id": "0158221-7"}}
        )
    credit = stored_invoice(network.membership_b, number="1000100")
    Invoice.objects.filter(pk=credit.pk).update(  # amounts as on a credit note
        net_total=Decimal("-11000.00"), vat_total=Decimal("-2640.00"), gross_total=-13640
    )
    return network


def assert_register_safe(files: dict[str, bytes]) -> None:
    rows = csv_cells(files["register.csv"])
    assert_all_neutralised(rows)
    credit = next(row for row in rows if row[0] == "1000100")
    assert credit[8:11] == ["-11000.00", "-2640.00", "-13640.00"]  # numbers, not prefixed
    cells = xlsx_cells(files["register.xlsx"])
    assert_all_neutralised(cells)
    credit = next(row for row in cells if row[0] == "1000100")
    assert credit[8:11] == [-11000.0, -2640.0, -13640.0]


def test_billing_register_of_billing_export(hostile_invoices, tmp_path):
    call_command(
        "billing_export", "--season", "2021-2022", "--year", "2021", "--out", str(tmp_path),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert_register_safe(
        {name: (tmp_path / name).read_bytes() for name in ("register.csv", "register.xlsx")}
    )


def test_billing_register_in_the_zip_download(hostile_invoices):
    url = reverse("billing:export_zip", args=["2021-2022", 2021])
    response = client_for(hostile_invoices, "finance").get(url)
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert_register_safe({name: archive.read(name) for name in archive.namelist()})


def test_analysis_network_table_xlsx(network):
    network.municipality_a.name_fi = "+cmd|' /C calc'!A0"
    network.municipality_a.save()
    network.municipality_b.name_fi = HOSTILE[6]
    network.municipality_b.save()
    response = client_for(network, "staff").get(reverse("analysis:network_table_xlsx"))
    assert response.status_code == 200
    assert_all_neutralised(xlsx_cells(response.content), hostile=HOSTILE[1:2] + HOSTILE[6:7])


def test_workshop_season_overview_xlsx(network):
    network.municipality_a.name_fi = "-1+1"
    network.municipality_a.save()
    network.consultant.first_name, network.consultant.last_name = "@SUM(1)", ""
    network.consultant.save()
    WorkshopFactory(membership=network.membership_a)
    url = reverse("workshops:season_overview_xlsx", args=["2021-2022"])
    response = client_for(network, "staff").get(url)
    assert response.status_code == 200
    rows = xlsx_cells(response.content)
    assert_all_neutralised(rows, hostile=["-1+1", "@SUM(1)"])
    row = next(row for row in rows if row[0] == "980")
    assert row[4] == 1  # used: a number


def test_an_event_title_with_control_characters_still_exports(network, hostile_participants):
    """The reported defect: control characters in a name broke the event's XLSX export."""
    hostile_participants.title_en = "Seminaari\x01\x08"
    hostile_participants.save()
    event = EventFactory(season=network.membership_a.season, title_en="Toinen\x1b")
    RegistrationFactory(event=event, contact_person=network.contact_person_a)
    from events import exports

    rows = xlsx_cells(exports.participants_xlsx([hostile_participants, event], user=network.staff))
    assert "Bell, escape and more" in flat(rows)
