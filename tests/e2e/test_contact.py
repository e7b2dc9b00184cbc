"""A municipal contact person in a real browser: log in, register a participant to a seminar,
propose a workshop, download an invoice PDF, open the analysis; another municipality's contact is
refused A's pages."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from events.models import Registration, RegistrationStatus
from workshops.models import Workshop, WorkshopStatus

from ..municipalities.factories import PASSWORD
from .conftest import log_in, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_contact_registers_proposes_downloads_and_reads_the_analysis(portal, new_page):
    network = portal.network
    page = new_page()

    # given the contact at the login page
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    screenshot(page, "login")

    # when they log in through the form
    log_in(page, network.contact_a, PASSWORD)

    # then they are on their municipality's dashboard
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.locator("main")).to_contain_text("Ylöjärvi")
    screenshot(page, "dashboard")

    # when they open the seminar from the event list and register a new person
    page.locator("nav a[href='/portal/events/']").click()
    expect(page.locator("main")).to_contain_text(portal.seminar.title_fi)
    screenshot(page, "event-list")
    page.get_by_role("link", name=portal.seminar.title_fi).click()
    expect(page.locator("h1")).to_have_text(portal.seminar.title_fi)
    form = page.locator("#registrations form[action$='/register/']")
    form.locator("input[name=name]").fill("Aino Valtuutettu")
    form.locator("input[name=email]").fill("aino.valtuutettu@example.fi")
    form.locator("input[name=title]").fill("Valtuuston puheenjohtaja")
    form.locator("select[name=role]").select_option("elected_trustee")
    form.locator("button[type=submit]").click()

    # then the registrations section (swapped in by htmx) lists the person
    registrations = page.locator("#registrations table")
    expect(registrations).to_contain_text("Aino Valtuutettu")
    screenshot(page, "event-detail")
    registration = Registration.objects.get(
        event=portal.seminar, contact_person__email="aino.valtuutettu@example.fi"
    )
    assert registration.municipality == network.municipality_a
    assert registration.status == RegistrationStatus.CONFIRMED

    # when they propose a workshop
    page.locator("nav a[href='/portal/workshops/']").click()
    expect(page.locator("main")).to_contain_text(portal.workshop_a.title)
    screenshot(page, "workshop-list")
    page.locator("main a[href='/portal/workshops/new/']").click()
    form = page.locator("main form[method=post]")
    form.locator("input[name=title]").fill("Strategiapäivä johtoryhmälle")
    form.locator("select[name=kind]").select_option("workshop")
    form.locator("select[name=topic]").select_option(label="Strategiatyö")
    form.locator("input[name=audiences]").first.check()
    form.locator("textarea[name=goals]").fill("Yhteinen näkemys strategian painopisteistä.")
    screenshot(page, "workshop-propose")
    form.locator("button[type=submit]").click()

    # then the workshop's page shows the proposal, which is recorded as proposed by them
    expect(page.locator("h1")).to_have_text("Strategiapäivä johtoryhmälle")
    screenshot(page, "workshop-detail")
    workshop = Workshop.objects.get(title="Strategiapäivä johtoryhmälle")
    assert workshop.membership == network.membership_a
    assert workshop.status == WorkshopStatus.PROPOSED
    assert workshop.proposed_by == network.contact_a
    assert page.url.endswith(f"/portal/workshops/{workshop.pk}/")

    # when they download the invoice's PDF from the invoice list
    page.locator("nav a[href='/portal/invoices/']").click()
    invoice = portal.invoice_a
    expect(page.locator("main table.striped")).to_contain_text(invoice.number)
    screenshot(page, "invoices")
    with page.expect_download() as download_info:
        page.locator(f"a[href='/portal/invoices/{invoice.pk}/pdf/']").click()
    download = download_info.value

    # then it is the invoice's PDF
    assert download.suggested_filename == f"{invoice.number}.pdf"
    content = open(download.path(), "rb").read()  # noqa: SIM115 (Playwright owns the file)
    assert content.startswith(b"%PDF")
    text = "".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(content)).pages)
    assert invoice.number in text

    # when they open the analysis
    page.locator("nav a[href='/portal/analysis/']").click()

    # then it is their municipality's, with the indicator values loaded
    assert page.url.endswith("/portal/analysis/980/")
    main = page.locator("main")
    expect(main).to_contain_text("Ylöjärvi")
    expect(main).to_contain_text("58,3")
    expect(main).to_contain_text("33 352")
    # the summary opens the page; the perspectives are collapsed, so a laptop reads it whole
    expect(page.locator("#summary-heading")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollHeight") < 13_000
    page.locator("#perspective-leadership ~ details > summary").click()
    expect(page.locator("#indicator-municipal_election_2021_turnout_pct")).to_be_visible()
    screenshot(page, "analysis")


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("invoice", lambda portal: f"/portal/invoices/{portal.invoice_a.pk}/pdf/"),
        ("workshop", lambda portal: f"/portal/workshops/{portal.workshop_a.pk}/"),
        ("analysis", lambda portal: "/portal/analysis/980/"),
    ],
)
def test_a_contact_of_another_municipality_is_refused(portal, new_page, name, url):
    # given B's contact, logged in
    page = new_page()
    log_in(page, portal.network.contact_b, PASSWORD)
    expect(page.locator("main")).to_contain_text("Orivesi")

    # when they open A's page
    response = page.goto(url(portal))

    # then they get the portal's 404 page
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Sivua ei löytynyt")
    screenshot(page, f"refused-{name}")
