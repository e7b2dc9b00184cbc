"""Every CSV export opens in Finnish Excel (semicolons, UTF-8 with BOM), and each has an XLSX
with the same rows, offered first."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from billing.exports import export_files, register_invoices
from billing.models import Invoice
from events.admin.events import EventAdmin

from ..billing.factories import stored_invoice
from ..conftest import client_for
from ..events.factories import PastEventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM)
    text = content.decode("utf-8-sig")
    assert csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,").delimiter == ";"
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def read_xlsx(content: bytes) -> list[list[str]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def test_the_participant_list_as_csv_and_xlsx(network):
    # given an event with two participants, one with a comma and a semicolon in the title
    event = PastEventFactory(season=network.membership_a.season)
    network.contact_person_a.title = "Kehitysjohtaja, hallinto; talous"
    network.contact_person_a.save()
    RegistrationFactory(event=event, contact_person=network.contact_person_a)
    RegistrationFactory(event=event, contact_person=network.contact_person_b)
    client = client_for(network, "staff")
    # when both files are downloaded
    csv_response = client.get(reverse("events:participants_csv", args=[event.pk]))
    xlsx_response = client.get(reverse("events:participants_xlsx", args=[event.pk]))
    # then the CSV reads back with semicolons, row for row the XLSX
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(csv_response.content)
    assert len(rows) == 3 and all(len(row) == 6 for row in rows)
    assert "Kehitysjohtaja, hallinto; talous" in {row[3] for row in rows}
    assert rows == read_xlsx(xlsx_response.content)


def test_the_invoice_register_as_csv_and_xlsx(network):
    # given two issued invoices, one a credit note
    stored_invoice(network.membership_a, number="1000001")
    credit = stored_invoice(network.membership_b, number="1000002")
    Invoice.objects.filter(pk=credit.pk).update(gross_total=-100)
    # when the export is made
    files = export_files(register_invoices(network.membership_a.season, 2021))
    # then the XLSX comes first and the CSV has the same rows, semicolon-separated
    assert list(files)[:2] == ["register.xlsx", "register.csv"]
    rows = read_csv(files["register.csv"])
    assert [row[0] for row in rows] == ["invoice_number", "1000001", "1000002"]
    assert rows[2][10] == "-100.00"  # a plain number, not neutralised
    assert [row[0] for row in read_xlsx(files["register.xlsx"])] == [row[0] for row in rows]


def test_the_admin_offers_xlsx_before_csv(network):
    PastEventFactory(season=network.membership_a.season)
    assert EventAdmin.actions.index("export_xlsx") < EventAdmin.actions.index("export_csv")
    html = client_for(network, "staff").get(reverse("admin:events_event_changelist"))
    page = html.content.decode()
    assert page.index("Vie osallistujat (XLSX)") < page.index("Vie osallistujat (CSV")
