"""Offers and reminders to a municipality with nobody to e-mail: the offer is still made, the
e-mail waits for an address, and the admin says which municipalities got none and why."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from billing.models import FeeSchedule
from municipalities.models import Offer
from municipalities.renewal import services
from outbox.models import Message

from ..billing.factories import billing_world, fee_schedule
from ..conftest import client_for
from .factories import ContactPersonFactory, SeasonFactory, SeasonThemeFactory
from .test_renewal import municipality_with_population

pytestmark = pytest.mark.django_db

AGO = datetime.timedelta(days=30)


@pytest.fixture
def renewal(network):
    """The network's season with its fees, and the next season made from it."""
    SeasonThemeFactory(season=network.membership_a.season, name_fi="Kestävä kuntajohtaminen")
    billing_world(network)
    return services.season_create_next(source=network.membership_a.season)


def admin_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def staff_client(network):
    client = client_for(network, "staff")
    client.cookies["django_language"] = "en"
    return client


def test_an_offer_to_a_municipality_without_an_address_is_made_but_not_emailed(network, renewal):
    # given a prospect with no contact person
    pirkkala = municipality_with_population("604", "Pirkkala", 8000, contact=False)
    before = Message.objects.filter(kind="municipalities.offer").count()

    # when staff send it the offer
    result = services.offers_send(season=renewal, municipalities=[pirkkala], sent_by=network.staff)

    # then the offer exists with its fees (its page works) but records that nobody was e-mailed
    assert (result.created, result.no_address) == (1, [str(pirkkala)])
    offer = Offer.objects.get(municipality=pirkkala)
    assert offer.emailed_at is None and offer.fees.count() == 2
    assert Message.objects.filter(kind="municipalities.offer").count() == before
    page = client_for(network, "staff").get(reverse("municipalities:offer_detail", args=[offer.pk]))
    assert page.status_code == 200


def test_sending_again_once_there_is_an_address_emails_the_offer_once(network, renewal):
    pirkkala = municipality_with_population("604", "Pirkkala", 8000, contact=False)
    services.offers_send(season=renewal, municipalities=[pirkkala], sent_by=None)
    # when a contact person is added and the offers are sent again, twice
    contact = ContactPersonFactory(municipality=pirkkala)
    again = services.offers_send(season=renewal, municipalities=[pirkkala], sent_by=None)
    third = services.offers_send(season=renewal, municipalities=[pirkkala], sent_by=None)
    # then the existing offer is e-mailed the second time only, and not reported any more
    assert (again.created, again.existing, again.emailed_late, again.no_address) == (0, 1, 1, [])
    assert (third.emailed_late, third.no_address) == (0, [])
    assert (
        Message.objects.filter(kind="municipalities.offer", recipient=contact.email.lower()).count()
        == 1
    )
    assert Offer.objects.get(municipality=pirkkala).emailed_at is not None


def test_an_offer_emailed_when_made_records_it(network, renewal):
    tampere = municipality_with_population("837", "Tampere", 240000)
    moment = timezone.now()
    result = services.offers_send(
        season=renewal, municipalities=[tampere], sent_by=None, now=moment
    )
    assert result.no_address == []
    assert Offer.objects.get(municipality=tampere).emailed_at == moment


def test_offer_remind_tells_not_due_from_nobody_to_email(network, renewal):
    pirkkala = municipality_with_population("604", "Pirkkala", 8000, contact=False)
    kangasala = municipality_with_population("211", "Kangasala", 33000)
    sent = timezone.now() - AGO
    services.offers_send(
        season=renewal, municipalities=[pirkkala, kangasala], sent_by=None, now=sent
    )
    fresh = municipality_with_population("837", "Tampere", 240000)
    services.offers_send(season=renewal, municipalities=[fresh], sent_by=None)
    offers = {o.municipality.code: o for o in Offer.objects.select_related("municipality")}

    outcomes = {code: services.offer_remind(offer=offers[code], by=None) for code in offers}

    assert outcomes == {
        "604": services.RemindOutcome.NO_ADDRESS,
        "211": services.RemindOutcome.SENT,
        "837": services.RemindOutcome.NOT_DUE,
    }
    assert {code: bool(outcome) for code, outcome in outcomes.items()} == {
        "604": False,
        "211": True,
        "837": False,
    }


def test_a_reminder_of_an_offer_never_emailed_sends_the_offer_itself(network, renewal):
    pirkkala = municipality_with_population("604", "Pirkkala", 8000, contact=False)
    services.offers_send(
        season=renewal, municipalities=[pirkkala], sent_by=None, now=timezone.now() - AGO
    )
    contact = ContactPersonFactory(municipality=pirkkala)
    offer = Offer.objects.get(municipality=pirkkala)
    assert services.offer_remind(offer=offer, by=None) is services.RemindOutcome.SENT
    mails = Message.objects.filter(recipient=contact.email.lower())
    assert list(mails.values_list("kind", flat=True)) == ["municipalities.offer"]
    offer.refresh_from_db()
    assert offer.emailed_at is not None and offer.reminded_at is not None


def test_the_admin_reminder_action_says_reminded_not_due_and_nobody_to_email_apart(
    network, renewal
):
    # given three open offers: two sent a month ago (one to a municipality without any
    # contact person), one sent today
    pirkkala = municipality_with_population("604", "Pirkkala", 8000, contact=False)
    kangasala = municipality_with_population("211", "Kangasala", 33000)
    sent = timezone.now() - AGO
    services.offers_send(
        season=renewal, municipalities=[pirkkala, kangasala], sent_by=None, now=sent
    )
    tampere = municipality_with_population("837", "Tampere", 240000)
    services.offers_send(season=renewal, municipalities=[tampere], sent_by=None)
    offers = list(Offer.objects.filter(season=renewal).values_list("pk", flat=True))

    # when staff send reminders of all three from the offers' list
    response = staff_client(network).post(
        reverse("admin:municipalities_offer_changelist"),
        {"action": "send_reminders", "_selected_action": offers},
    )

    # then the message says how many were reminded, how many were not due, and who has nobody
    assert response.status_code == 302
    said = admin_messages(response)
    assert said[0] == "1 reminder sent."
    assert said[1].startswith("1 offer was not due a reminder")
    assert "nobody to e-mail" in said[2] and str(pirkkala) in said[2]
    assert str(kangasala) not in " ".join(said) and str(tampere) not in " ".join(said)
    assert Offer.objects.get(municipality=pirkkala).reminded_at is None


def test_the_admin_send_action_names_the_municipalities_that_got_no_email(network):
    # given a season in preparation with fees, and a prospect without a contact person
    year = timezone.localdate().year + 1
    upcoming = SeasonFactory(
        slug=f"{year}-{year + 1}",
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year + 1, 12, 31),
    )
    fee_schedule(upcoming)
    assert FeeSchedule.objects.filter(season=upcoming).exists()
    prospect = municipality_with_population("908", "Valkeakoski", 9000, contact=False)
    client = staff_client(network)
    url = reverse("admin:municipalities_municipality_changelist")
    form = {"action": "send_offer", "_selected_action": [prospect.pk]}

    # when staff send it the offer
    said = admin_messages(client.post(url, form))

    # then the offer is made, and the warning names the municipality and why it got no e-mail
    assert said[0] == "1 offer sent, 0 sent before."
    assert "not e-mailed" in said[1] and str(prospect) in said[1]
    assert Offer.objects.get(municipality=prospect).emailed_at is None

    # and once it has a contact person, sending again e-mails the offer made before
    ContactPersonFactory(municipality=prospect)
    said = admin_messages(client.post(url, form))[-2:]  # after the first post's, shown since
    assert said == [
        "0 offers sent, 1 sent before.",
        "1 offer made before without an e-mail was e-mailed now.",
    ]
    assert Offer.objects.get(municipality=prospect).emailed_at is not None


def test_the_pipeline_names_the_offers_nobody_received(network, renewal):
    # given an offer e-mailed to Ylöjärvi's contact and one to a prospect with nobody to e-mail
    pirkkala = municipality_with_population("604", "Pirkkala", 8000, contact=False)
    services.offers_send(
        season=renewal, municipalities=[network.municipality_a, pirkkala], sent_by=network.staff
    )

    # when staff open the season's pipeline
    page = staff_client(network).get(
        reverse("municipalities:renewal_pipeline", args=[renewal.slug])
    )

    # then Pirkkala is listed as not e-mailed, Ylöjärvi is not
    assert page.status_code == 200
    section = page.content.decode().split('id="pipeline-not-emailed"')[1].split("</ul>")[0]
    assert "Pirkkala" in section
    assert network.municipality_a.name not in section
    assert page.content.decode().count("(not e-mailed)") == 1
