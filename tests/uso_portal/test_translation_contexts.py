"""Words with two meanings get a context, and the translator's review shows where people see it:
a workshop's title is not a job title, the admin's edit link is not the file widget's "replace",
Swedish invoices count in "st", and the registration e-mail says who registered whom."""

import io
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from billing import services as billing
from billing.finvoice import validate_finvoice
from billing.models import Invoice
from events import services as events
from feedback.models import Survey
from municipalities.models import MembershipStatus
from tests.auth import login
from workshops.models import Deliverable

from ..billing.factories import billing_world
from ..conftest import client_for
from ..events.factories import EventFactory
from ..municipalities.factories import ContactPersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def in_language(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def label_of(html: str, field: str) -> str:
    match = re.search(rf'<label[^>]*\bfor="id_{field}"[^>]*>(.*?)</label>', html, re.S)
    assert match, f"no label for {field}"
    return re.sub(r"<[^>]+>", "", match[1]).strip().rstrip(":*").strip()


# --- "title": the heading of a workshop, a file or a material vs a person's job title ---------


def test_the_workshop_proposal_asks_for_a_title_not_a_job_title(network):
    # when
    page = in_language(client_for(network, "contact_a"), "fi").get(
        reverse("workshops:workshop_propose")
    )

    # then
    assert page.status_code == 200
    html = page.content.decode()
    assert label_of(html, "title") == "Otsikko"
    assert "Tehtävänimike" not in html


@pytest.mark.parametrize(
    ("language", "heading", "job_title"),
    [("fi", "Otsikko", "Tehtävänimike"), ("sv", "Rubrik", "Titel")],
)
def test_the_admin_labels_a_materials_title_as_a_heading_and_a_contacts_as_a_job_title(
    network, language, heading, job_title
):
    client = in_language(login(Client(), UserFactory(is_staff=True, is_superuser=True)), language)
    for model, label in [
        ("workshops_workshop", heading),
        ("events_eventmaterial", heading),
        ("events_announcementattachment", heading),
        ("municipalities_contactperson", job_title),
    ]:
        page = client.get(reverse(f"admin:{model}_add"))
        assert page.status_code == 200, model
        assert label_of(page.content.decode(), "title") == label, model
    # a workshop's file and a survey (its event's or workshop's title) are headings too
    with translation.override(language):
        for model in (Deliverable, Survey):
            assert model._meta.get_field("title").verbose_name.capitalize() == heading


def test_the_contact_list_keeps_the_job_title_and_a_persons_active_column(network):
    html = (
        in_language(client_for(network, "contact_a"), "sv")
        .get(reverse("municipalities:contact_list"))
        .content.decode()
    )
    assert '<th scope="col">Titel</th>' in html
    # the contact person (common gender), unlike the membership status (neuter)
    assert '<th scope="col">Aktiv</th>' in html
    with translation.override("sv"):
        assert MembershipStatus.ACTIVE.label == "Aktivt"


# --- "Change": the admin's edit link (Django's word) vs the file widget's "replace" -----------


@pytest.mark.parametrize(
    ("language", "edit", "replace"), [("fi", "Muokkaa", "Vaihda"), ("sv", "Ändra", "Byt")]
)
def test_the_admin_index_edits_and_the_file_widget_replaces(network, language, edit, replace):
    # when
    html = in_language(client_for(network, "staff"), language).get("/admin/").content.decode()

    # then: every model's link says "edit", none says "replace"
    links = set(re.findall(r'class="changelink"[^>]*>([^<]+)<', html))
    assert links == {edit}
    with translation.override(language):
        assert translation.pgettext("file input", "Change") == replace


def test_the_finnish_admin_asks_in_finnish_before_deleting(network):
    client = in_language(login(Client(), UserFactory(is_staff=True, is_superuser=True)), "fi")
    free = ContactPersonFactory(municipality=network.municipality_a)
    protected = network.contact_person_a  # registered, a user: Django lists what protects it
    for person, wording in [
        (free, "Haluatko varmasti poistaa kohteen yhteyshenkilö"),
        (protected, "poistaminen edellyttäisi seuraavien suojattujen"),
    ]:
        url = reverse("admin:municipalities_contactperson_delete", args=[person.pk])
        html = client.get(url).content.decode()
        assert wording in html
        assert "Are you sure" not in html
        assert "Deleting the" not in html


# --- The unit of an invoice line is in the invoice's language ---------------------------------


@pytest.mark.parametrize(("language", "unit", "other"), [("sv", "st", "kpl"), ("fi", "kpl", "st")])
def test_an_invoice_counts_in_its_own_language(network, language, unit, other):
    # given: municipality A is invoiced in `language`
    network.municipality_a.preferred_language = language
    network.municipality_a.save()
    billing_world(network)
    billing.billing_run(season=network.membership_a.season, year=2021)
    draft = Invoice.objects.get(membership=network.membership_a, kind="annual_fee")

    # when
    invoice = billing.invoice_issue(invoice=draft, actor=network.finance)
    billing.render_documents(invoice)
    invoice.refresh_from_db()

    # then: the line, the PDF and the Finvoice say `unit`, whose UN/ECE code stays C62
    assert [line.unit for line in invoice.lines.all()] == [unit]
    text = PdfReader(io.BytesIO(invoice.pdf.read())).pages[0].extract_text()
    assert re.search(rf"\b{unit}\b", text)
    assert not re.search(rf"\b{other}\b", text)
    xml = invoice.finvoice.read()
    validate_finvoice(xml)
    assert f'QuantityUnitCode="{unit}"'.encode() in xml
    assert b'QuantityUnitCodeUN="C62"' in xml


# --- The registration e-mail: the contact registered the participant -------------------------


@pytest.mark.parametrize(
    ("language", "wording", "wrong"),
    [
        ("fi", "sinut on ilmoitettu alla olevaan tapahtumaan", "olet ilmoittautunut"),
        ("sv", "du är anmäld till evenemanget nedan", "du har anmält dig"),
    ],
)
def test_the_registration_email_says_the_participant_was_registered(
    network, django_capture_on_commit_callbacks, language, wording, wrong
):
    # given
    network.municipality_a.preferred_language = language
    network.municipality_a.save()
    event = EventFactory(season=network.membership_a.season)

    # when: the contact registers a colleague
    with django_capture_on_commit_callbacks(execute=True):
        events.registration_create(
            event=event,
            contact_person=ContactPersonFactory(
                municipality=network.municipality_a, email="aino@example.fi"
            ),
            actor=network.contact_a,
        )

    # then
    (message,) = mail.outbox
    assert wording in message.body
    assert wrong not in message.body


# --- Finland-Swedish dates -------------------------------------------------------------------


def test_swedish_pages_write_dates_as_in_finland(network):
    html = (
        in_language(client_for(network, "contact_a"), "sv")
        .get(reverse("municipalities:dashboard"))
        .content.decode()
    )
    assert "1.1.2021–31.12.2022" in html
    assert "14.12.2020" in html  # joined on
    assert "2021-01-01" not in html


def test_the_admins_javascript_strings_are_finnish_too(network):
    # the project's djangojs catalogue fills what Django's Finnish one lacks
    client = in_language(client_for(network, "staff"), "fi")
    script = client.get(reverse("admin:jsi18n")).content.decode()
    assert "Poista-nuolipainike" in script
    assert "(tyhjenn\\u00e4 napsauttamalla)" in script or "(tyhjennä napsauttamalla)" in script
