"""The stable billing CLI: billing_run, billing_issue and billing_export."""

import csv
import datetime
import hashlib
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from billing import services
from billing.finvoice import validate_finvoice
from billing.models import (
    BatchStatus,
    BillingBatch,
    DocumentStatus,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    TravelCost,
    TravelCostStatus,
)
from municipalities.models import PopulationFigure

from .factories import billing_world

pytestmark = pytest.mark.django_db

SEASON = ["--season", "2021-2022", "--year", "2021"]
HEADER = (
    "invoice_number;kind;municipality_code;municipality_name;business_id;invoice_date;due_date;"
    "reference;net_total;vat_total;gross_total;status"
)


@pytest.fixture
def billing(network):
    """Seller, the 2021-2022 fee schedule, billing addresses and the populations of 2020."""
    billing_world(network)
    return network


def run(name: str, *args: str) -> tuple[int, str]:
    """(exit status, stdout) of a management command."""
    out = io.StringIO()
    try:
        call_command(name, *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def approved_cost(network, membership, description: str, amount: str) -> TravelCost:
    return TravelCost.objects.create(
        membership=membership,
        date=datetime.date(2021, 4, 20),
        traveller="Aino Asiantuntija",
        description=description,
        net_amount=Decimal(amount),
        status=TravelCostStatus.APPROVED,
        recorded_by=network.consultant,
        approved_by=network.staff,
        approved_at=datetime.datetime(2021, 4, 21, 12, tzinfo=datetime.UTC),
    )


def issue_all(network) -> list[Invoice]:
    issued = []
    for draft in Invoice.objects.filter(status=InvoiceStatus.DRAFT).order_by("pk"):
        invoice = services.invoice_issue(
            invoice=draft, actor=network.finance, today=datetime.date(2021, 2, 15)
        )
        services.render_documents(invoice)
        issued.append(invoice)
    return issued


# --- billing_run ------------------------------------------------------------------------------


def test_billing_run_drafts_one_annual_fee_invoice_per_member_once(billing):
    # when
    status, out = run("billing_run", *SEASON)
    again_status, again = run("billing_run", *SEASON)

    # then
    assert status == 0
    assert "PROBLEM" not in out
    drafts = Invoice.objects.filter(kind=InvoiceKind.ANNUAL_FEE, year=2021).select_related(
        "membership__municipality"
    )
    assert sorted(draft.membership.municipality.code for draft in drafts) == ["562", "980"]
    assert all(draft.status == InvoiceStatus.DRAFT for draft in drafts)
    assert {line.net for line in InvoiceLine.objects.all()} == {Decimal("11000.00")}
    assert "2 drafted, 0 already there" in out
    assert again_status == 0
    assert "0 drafted, 2 already there" in again
    assert Invoice.objects.count() == 2


def test_billing_run_names_the_municipality_without_a_population_figure(billing):
    # given
    PopulationFigure.objects.filter(municipality=billing.municipality_b).delete()

    # when
    status, out = run("billing_run", *SEASON)

    # then
    assert status == 1
    problems = [line for line in out.splitlines() if line.startswith("PROBLEM")]
    assert len(problems) == 1
    assert "Orivesi" in problems[0]
    assert "31.12.2020" in problems[0]
    assert Invoice.objects.get().membership == billing.membership_a


def test_billing_run_refuses_a_year_outside_the_season(billing):
    with pytest.raises(CommandError, match="2021-2022"):
        run("billing_run", "--season", "2021-2022", "--year", "2023")
    assert not Invoice.objects.exists()


def test_billing_run_refuses_an_unknown_season(billing):
    with pytest.raises(CommandError, match="1999-2000"):
        run("billing_run", "--season", "1999-2000", "--year", "1999")


def test_billing_run_puts_each_approved_travel_cost_on_one_draft_once(billing):
    # given
    train = approved_cost(billing, billing.membership_a, "Junaliput", "84.60")
    taxi = approved_cost(billing, billing.membership_a, "Taksi", "46.30")
    recorded = approved_cost(billing, billing.membership_b, "Ei vielä hyväksytty", "10.00")
    TravelCost.objects.filter(pk=recorded.pk).update(
        status=TravelCostStatus.RECORDED, approved_by=None, approved_at=None
    )

    # when
    status, out = run("billing_run", *SEASON)
    run("billing_run", *SEASON)

    # then
    assert status == 0
    assert "travel costs: 2 on 1 draft invoice(s)" in out
    travel = Invoice.objects.get(kind=InvoiceKind.TRAVEL_COSTS)
    assert travel.status == InvoiceStatus.DRAFT
    assert travel.membership == billing.membership_a
    assert [line.travel_cost_id for line in travel.lines.order_by("position")] == [
        train.pk,
        taxi.pk,
    ]
    assert InvoiceLine.objects.filter(travel_cost__isnull=False).count() == 2
    train.refresh_from_db()
    assert train.status == TravelCostStatus.INVOICED
    assert not recorded.invoice_lines.exists()


# --- billing_issue ----------------------------------------------------------------------------


def test_billing_issue_numbers_every_draft_and_stores_its_documents(billing):
    # given
    approved_cost(billing, billing.membership_b, "Kilometrikorvaus", "158.24")
    run("billing_run", *SEASON)

    # when: rendered in a spawned worker process
    status, out = run("billing_issue", *SEASON, "--workers", "1", "--as", billing.finance.email)

    # then
    assert status == 0, out
    assert "Issued 3 invoice(s); stored documents of 3; 0 problem(s)" in out
    invoices = list(Invoice.objects.order_by("number"))
    assert [invoice.number for invoice in invoices] == ["1000001", "1000002", "1000003"]
    for invoice in invoices:
        assert invoice.status == InvoiceStatus.ISSUED
        assert invoice.issued_by_id == billing.finance.pk
        assert invoice.document_status == DocumentStatus.READY
        pdf, xml = invoice.pdf.read(), invoice.finvoice.read()
        assert pdf.startswith(b"%PDF")
        assert hashlib.sha256(pdf).hexdigest() == invoice.pdf_sha256
        assert hashlib.sha256(xml).hexdigest() == invoice.finvoice_sha256
    assert not Invoice.objects.filter(status=InvoiceStatus.DRAFT).exists()


def test_billing_issue_in_the_background_finishes_a_batch(
    billing, django_capture_on_commit_callbacks
):
    # given
    run("billing_run", *SEASON)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        status, out = run("billing_issue", *SEASON, "--background", "--as", billing.finance.email)

    # then
    batch = BillingBatch.objects.get()
    assert status == 0
    assert f"Batch {batch.pk} queued with 2 draft(s)." in out
    assert batch.status == BatchStatus.FINISHED
    assert batch.created_by == billing.finance
    assert batch.total == batch.issued == batch.rendered == 2
    assert batch.failed == 0
    assert set(batch.invoices.values_list("document_status", flat=True)) == {"ready"}


@pytest.mark.parametrize(
    "issuer",
    [["--as", "nobody@example.fi"], ["--as", "contact.a@example.fi"], []],
    ids=["unknown", "municipal-contact", "no-superuser"],
)
def test_billing_issue_refuses_to_issue_without_a_known_issuer(billing, issuer):
    # given: no superuser to fall back on
    run("billing_run", *SEASON)

    # when / then
    with pytest.raises(CommandError, match="--as EMAIL"):
        run("billing_issue", *SEASON, "--workers", "1", *issuer)
    assert not Invoice.objects.exclude(status=InvoiceStatus.DRAFT).exists()


# --- billing_export ---------------------------------------------------------------------------


@pytest.fixture
def exported(billing, tmp_path):
    """Four issued invoices (two fees, a credit note, travel costs) and a draft, exported."""
    approved_cost(billing, billing.membership_a, "Junaliput", "84.60")
    run("billing_run", *SEASON)
    issue_all(billing)
    original = Invoice.objects.get(membership=billing.membership_a, kind=InvoiceKind.ANNUAL_FEE)
    services.credit_note_create(original=original, actor=billing.finance, reason="Väärä luokka")
    issue_all(billing)
    approved_cost(billing, billing.membership_b, "Hotelliyö", "212.00")
    services.travel_cost_drafts(membership=billing.membership_b)  # stays a draft
    status, out = run("billing_export", *SEASON, "--out", str(tmp_path))
    assert status == 0
    assert "for 4 invoice(s)" in out
    return tmp_path


def test_billing_export_writes_the_register_csv(exported):
    content = (exported / "register.csv").read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as Finnish Excel needs
    text = content.decode("utf-8-sig")
    assert text.splitlines()[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    issued = Invoice.objects.exclude(status=InvoiceStatus.DRAFT).order_by("number")
    assert [row["invoice_number"] for row in rows] == [invoice.number for invoice in issued]
    assert Invoice.objects.filter(status=InvoiceStatus.DRAFT).count() == 1
    assert sorted(row["kind"] for row in rows) == [
        "annual_fee",
        "annual_fee",
        "credit_note",
        "travel_costs",
    ]
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["invoice_date"])
        assert row["invoice_date"] == "2021-02-15"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["due_date"])
        for column in ("net_total", "vat_total", "gross_total"):
            assert re.fullmatch(r"-?\d+\.\d{2}", row[column])
    credit = next(row for row in rows if row["kind"] == "credit_note")
    assert credit["gross_total"] == "-13640.00"
    assert credit["municipality_code"] == "980"
    assert credit["business_id"] == "0158221-7"
    statuses = {row["municipality_code"] + row["kind"]: row["status"] for row in rows}
    assert statuses == {
        "980annual_fee": "credited",
        "980credit_note": "issued",
        "980travel_costs": "issued",
        "562annual_fee": "issued",
    }
    travel = next(row for row in rows if row["kind"] == "travel_costs")
    assert (travel["net_total"], travel["vat_total"], travel["gross_total"]) == (
        "84.60",
        "20.30",
        "104.90",
    )


def test_billing_export_writes_the_same_rows_to_xlsx(exported):
    text = (exported / "register.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    sheet = load_workbook(exported / "register.xlsx").active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [str(value) for value in cells[0]] == rows[0]
    assert len(cells) == len(rows) == 5
    for from_xlsx, from_csv in zip(cells[1:], rows[1:], strict=True):
        assert [str(value) for value in from_xlsx[:8]] == from_csv[:8]
        assert [Decimal(str(value)) for value in from_xlsx[8:11]] == [
            Decimal(value) for value in from_csv[8:11]
        ]
        assert from_xlsx[11] == from_csv[11]


def test_billing_export_writes_the_stored_documents(exported):
    issued = Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
    assert sorted(path.name for path in (exported / "pdf").iterdir()) == sorted(
        f"{invoice.number}.pdf" for invoice in issued
    )
    for invoice in issued:
        pdf = (exported / "pdf" / f"{invoice.number}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF")
        assert pdf == invoice.pdf.read()
        xml = (exported / "finvoice" / f"{invoice.number}.xml").read_bytes()
        validate_finvoice(xml)
        assert xml == invoice.finvoice.read()
    assert len(list((exported / "finvoice").iterdir())) == 4


# --- After a crash: billing_issue finishes, billing_export refuses until it has -----------------


@pytest.fixture
def crashed(billing):
    """What a crash in the middle of `billing_issue` leaves: three issued invoices, one without
    its PDF file, one whose PDF was altered, one still "pending"; and a draft not yet issued."""
    approved_cost(billing, billing.membership_b, "Kilometrikorvaus", "158.24")
    run("billing_run", *SEASON)
    issue_all(billing)
    invoices = list(Invoice.objects.order_by("number"))
    gone, altered, pending = invoices
    gone.pdf.storage.delete(gone.pdf.name)
    with open(altered.pdf.path, "ab") as handle:
        handle.write(b"%% appended")
    Invoice.objects.filter(pk=pending.pk).update(
        document_status=DocumentStatus.PENDING,
        pdf="",
        finvoice="",
        pdf_sha256="",
        finvoice_sha256="",
    )
    approved_cost(billing, billing.membership_a, "Taksi", "46.30")
    services.travel_cost_drafts(membership=billing.membership_a)
    return billing, {"gone": gone, "altered": altered, "pending": pending}


def test_billing_export_refuses_and_names_the_invoices_without_documents(crashed, tmp_path):
    _network, broken = crashed

    # when
    status, out = run("billing_export", *SEASON, "--out", str(tmp_path))

    # then nothing is written and each invoice is named with why
    assert status == 1
    assert list(tmp_path.iterdir()) == []
    missing = sorted(line for line in out.splitlines() if line.startswith("MISSING "))
    with translation.override("fi"):  # the commands speak the portal's language
        unreadable = _("the stored %(document)s cannot be read (%(error)s)") % {
            "document": "PDF",
            "error": "No such file or directory",
        }
        altered = _("the stored %(document)s does not match its SHA-256") % {"document": "PDF"}
        pending = str(DocumentStatus.PENDING.label)
    assert missing == [
        f"MISSING {broken['gone'].number}: {unreadable}",
        f"MISSING {broken['altered'].number}: {altered}",
        f"MISSING {broken['pending'].number}: {pending}",
    ]
    assert "run billing_issue --season 2021-2022 --year 2021" in out


def test_billing_issue_again_renders_every_invoice_left_without_documents(crashed, tmp_path):
    network, broken = crashed

    # when billing_issue is run again
    status, out = run("billing_issue", *SEASON, "--workers", "1", "--as", network.finance.email)

    # then it names and renders them, issues the draft, and the export goes through
    assert status == 0, out
    again = sorted(line.split(":")[0] for line in out.splitlines() if line.startswith("RENDER "))
    assert again == sorted(f"RENDER AGAIN {invoice.number}" for invoice in broken.values())
    assert "Issued 1 invoice(s); stored documents of 4 (3 left without documents before)" in out
    invoices = Invoice.objects.exclude(status=InvoiceStatus.DRAFT).order_by("number")
    assert [invoice.number for invoice in invoices] == [f"100000{n}" for n in range(1, 5)]
    assert all(services.documents_problem(invoice) is None for invoice in invoices)
    assert run("billing_export", *SEASON, "--out", str(tmp_path))[0] == 0
    assert len(list((tmp_path / "pdf").iterdir())) == 4


def test_billing_issue_leaves_credit_note_drafts_and_says_so(billing):
    run("billing_run", *SEASON)
    issue_all(billing)
    original = Invoice.objects.get(membership=billing.membership_a)
    credit = services.credit_note_create(original=original, actor=billing.finance)

    status, out = run("billing_issue", *SEASON, "--workers", "1", "--as", billing.finance.email)

    assert status == 0
    assert "NOTE 1 credit-note draft(s) not issued" in out
    credit.refresh_from_db()
    assert credit.status == InvoiceStatus.DRAFT


def test_the_zip_export_refuses_when_documents_are_missing(crashed):
    from django.urls import reverse

    from ..conftest import client_for
    from .test_admin import act

    network, broken = crashed
    finance = client_for(network, "finance")

    # the staff download answers 409 naming the invoices
    response = finance.get(reverse("billing:export_zip", args=["2021-2022", 2021]))
    assert response.status_code == 409
    assert broken["pending"].number in response.text
    # the admin action answers with a message, not a partial ZIP
    action = act(finance, "invoice", "export_zip", *broken.values())
    assert action.status_code == 302
    assert "Content-Disposition" not in action
