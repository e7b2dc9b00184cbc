"""Renewal: the next season from the current one, offers, answers, membership, pipeline, letter."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from billing.models import FeeSchedule
from municipalities import renewal_demo
from municipalities.models import Membership, Offer, OfferStatus, PopulationFigure, Season
from municipalities.renewal import selectors, services
from outbox.models import Message

from ..billing.factories import billing_world, fee_schedule
from ..conftest import client_for
from .factories import (
    ContactPersonFactory,
    MembershipFactory,
    MunicipalityFactory,
    SeasonFactory,
    SeasonThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def renewal(network):
    """The network's season with its themes and fees, and the next season made from it."""
    season = network.membership_a.season
    SeasonThemeFactory(season=season, name_fi="Kestävä kuntajohtaminen", is_lead_theme=True)
    SeasonThemeFactory(season=season, name_fi="Strateginen johtaminen", position=1)
    billing_world(network)  # A: 33 352 on 31.12.2020, B: 9 008
    return services.season_create_next(source=season)


def municipality_with_population(code: str, name: str, population: int, *, contact: bool = True):
    """A municipality with a population figure (an offer needs one for its fee) and, unless
    told otherwise, a contact person with an e-mail address (offers and reminders go there)."""
    municipality = MunicipalityFactory(code=code, name_fi=name)
    if contact:
        ContactPersonFactory(municipality=municipality)
    PopulationFigure.objects.create(
        municipality=municipality,
        reference_date=datetime.date(2021, 12, 31),
        population=population,
        source="x",
    )
    return municipality


def join_ylojarvi(network, offer: Offer) -> Offer:
    return services.offer_join(
        offer=offer,
        decision_reference="KH 1.12.2022 § 1",
        decision_date=datetime.date(2022, 12, 1),
        business_id="0158221-7",
        by=network.contact_a,
    )


def test_the_next_season_carries_the_programme_and_the_fees_over(network, renewal):
    season = network.membership_a.season
    assert (renewal.slug, renewal.name_fi) == ("2023-2024", "USO-kausi 2023–2024")
    assert (renewal.start_date, renewal.end_date) == (
        datetime.date(2023, 1, 1),
        datetime.date(2024, 12, 31),
    )
    assert [t.name_fi for t in renewal.themes.all()] == [t.name_fi for t in season.themes.all()]
    assert (renewal.theme_seminar_quota, renewal.workshops_per_member) == (6, 5)
    tiers = list(FeeSchedule.objects.get(season=renewal).tiers.values_list("annual_fee", flat=True))
    assert tiers == [Decimal("8000.00"), Decimal("11000.00"), Decimal("16000.00")]
    # the copy is its own rows: editing it leaves the old season's schedule alone
    assert FeeSchedule.objects.get(season=renewal).pk != season.fee_schedule.pk
    with pytest.raises(ValidationError):
        services.season_create_next(source=season)


def test_an_offer_is_sent_once_in_the_municipality_s_language(network, renewal):
    network.municipality_b.preferred_language = "sv"
    network.municipality_b.save()
    ContactPersonFactory(municipality=network.municipality_b, email="kontakt@example.fi")

    result = services.offers_send(
        season=renewal,
        municipalities=[network.municipality_a, network.municipality_b],
        sent_by=network.staff,
    )
    again = services.offers_send(
        season=renewal, municipalities=[network.municipality_b], sent_by=network.staff
    )

    assert (result.created, result.problems, again.created, again.existing) == (2, [], 0, 1)
    offer_b = Offer.objects.get(municipality=network.municipality_b)
    assert (offer_b.language, offer_b.status, offer_b.was_member) == ("sv", "invited", True)
    mails = Message.objects.filter(kind="municipalities.offer", about_id=offer_b.pk)
    assert sorted(mails.values_list("recipient", flat=True)) == [
        "contact.b@example.fi",
        "kontakt@example.fi",
    ]
    mail = mails.first()
    assert mail.language == "sv"
    assert "11\xa0000,00 €" in mail.text or "11 000,00 €" in mail.text
    assert f"/portal/offers/{offer_b.pk}/" in mail.text


def test_a_municipality_without_a_population_is_named_and_the_others_are_sent(network, renewal):
    prospect = MunicipalityFactory(code="908", name_fi="Valkeakoski")
    result = services.offers_send(
        season=renewal, municipalities=[prospect, network.municipality_a], sent_by=None
    )
    assert result.created == 1
    assert len(result.problems) == 1 and "Valkeakoski" in result.problems[0]


def _offer(network, renewal, municipality=None):
    offer, _created = services.offer_send(
        season=renewal, municipality=municipality or network.municipality_a, sent_by=None
    )
    return offer


def test_joining_needs_the_decision_and_the_business_id(network, renewal):
    offer = _offer(network, renewal)
    with pytest.raises(ValidationError) as error:
        services.offer_join(
            offer=offer, decision_reference="", decision_date=None, business_id="", by=None
        )
    assert set(error.value.message_dict) == {"decision_reference", "decision_date", "business_id"}
    with pytest.raises(ValidationError) as error:
        services.offer_join(
            offer=offer,
            decision_reference="KAUPHALL 14.12.2022 § 357",
            decision_date=datetime.date(2022, 12, 14),
            business_id="0158221-8",  # wrong check digit
            by=network.contact_a,
        )
    assert "business_id" in error.value.message_dict
    offer.refresh_from_db()
    assert offer.status == OfferStatus.INVITED
    assert not Membership.objects.filter(season=renewal).exists()


def test_the_pending_decision_needs_its_meeting_and_declining_a_reason(network, renewal):
    offer = _offer(network, renewal)
    with pytest.raises(ValidationError):
        services.offer_mark_decision_pending(offer=offer, board_meeting_date=None, by=None)
    with pytest.raises(ValidationError):
        services.offer_decline(offer=offer, reason="   ", by=None)
    services.offer_decline(offer=offer, reason="Ei määrärahaa", by=network.contact_a)
    with pytest.raises(ValidationError):  # a declined offer is final
        services.offer_mark_interested(offer=offer, by=network.contact_a)


def test_from_invitation_to_membership_in_the_portal(network, renewal):
    # given an offer to Ylöjärvi, whose contact answers on the offer page
    offer = _offer(network, renewal)
    client = client_for(network, "contact_a")
    url = reverse("municipalities:offer_detail", args=[offer.pk])
    assert url in client.get(reverse("municipalities:dashboard")).content.decode()  # the panel
    page = client.get(url)
    assert page.status_code == 200
    shown = page.content.decode().replace("\xa0", " ")
    assert "11 000,00 €" in shown and "Kestävä kuntajohtaminen" in shown

    # when they are interested, the board will decide, then it decides to join
    assert client.post(url, {"answer": "interested"}).status_code == 302
    refused = client.post(url, {"answer": "decision_pending"})
    assert refused.status_code == 200 and "board_meeting_date" in refused.context["form"].errors
    client.post(url, {"answer": "decision_pending", "board_meeting_date": "2022-12-14"})
    skipped = client.post(url, {"answer": "joined", "decision_reference": "KAUPHALL § 357"})
    assert skipped.status_code == 200  # no date, no business ID: not joined
    response = client.post(
        url,
        {
            "answer": "joined",
            "decision_reference": "KAUPHALL 14.12.2022 § 357",
            "decision_date": "2022-12-14",
            "cost_centre": "1106",
            "business_id": "0158221-7",
            "einvoice_address": "003701582217",
            "einvoice_operator": "003721291126",
        },
    )

    # then the membership of the new season exists, with the decision and the cost centre
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.JOINED
    membership = Membership.objects.get(season=renewal, municipality=network.municipality_a)
    assert offer.membership == membership
    assert (membership.decision_reference, membership.buyer_reference) == (
        "KAUPHALL 14.12.2022 § 357",
        "1106",
    )
    assert membership.responsible_consultant == network.consultant  # carried over
    assert membership.joined_on == datetime.date(2023, 1, 1)  # decided before the season
    # the history says who moved the offer, step by step
    statuses = list(offer.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["invited", "interested", "decision_pending", "joined"]
    assert offer.history.latest().history_user == network.contact_a
    assert url not in client.get(reverse("municipalities:dashboard")).content.decode()
    # and the joined offer cannot be answered again; the membership stays one
    assert client.post(url, {"answer": "declined"}).status_code == 403
    assert services.membership_for_offer(offer=offer) == membership
    assert Membership.objects.filter(season=renewal).count() == 1


def test_an_existing_membership_is_reused_when_joining(network, renewal):
    existing = MembershipFactory(municipality=network.municipality_a, season=renewal)
    offer = _offer(network, renewal)
    services.offer_join(
        offer=offer,
        decision_reference="KH 1.12.2022 § 1",
        decision_date=datetime.date(2022, 12, 1),
        business_id="0158221-7",
        by=network.contact_a,
    )
    offer.refresh_from_db()
    assert offer.membership == existing


def test_another_municipality_s_offer_is_404_to_a_contact(network, renewal):
    offer = _offer(network, renewal)
    client = client_for(network, "contact_b")
    assert client.get(reverse("municipalities:offer_detail", args=[offer.pk])).status_code == 404
    assert client.get(reverse("municipalities:offer_letter", args=[offer.pk])).status_code == 404
    response = client.post(
        reverse("municipalities:offer_detail", args=[offer.pk]), {"answer": "declined"}
    )
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.INVITED


@pytest.mark.parametrize(
    ("language", "marker"), [("fi", "Osallistumismaksu"), ("sv", "Deltagaravgift")]
)
def test_the_letter_reads_back_with_the_name_and_the_fee(network, renewal, language, marker):
    network.municipality_a.preferred_language = language
    network.municipality_a.save()
    offer = _offer(network, renewal)
    client = client_for(network, "contact_a")

    response = client.get(reverse("municipalities:offer_letter", args=[offer.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\xa0", " ").replace("\u202f", " ")
    assert "Ylöjärvi" in text
    assert "11 000,00 €" in text
    assert marker in text
    assert "2023" in text and "2024" in text
    assert "31.12.2020" in text  # the population figure's date


def test_the_pipeline_counts_answers_fees_and_reminders(network, renewal):
    # given five offers: joined, pending (meeting passed), interested, declined, not answered
    others = [
        municipality_with_population(code, name, 8000 if code == "604" else 20000)
        for code, name in (("908", "Valkeakoski"), ("211", "Kangasala"), ("604", "Pirkkala"))
    ]
    sent = timezone.now() - datetime.timedelta(days=30)
    everyone = [network.municipality_a, network.municipality_b, *others]
    services.offers_send(season=renewal, municipalities=everyone, sent_by=None, now=sent)
    offers = {o.municipality.code: o for o in Offer.objects.select_related("municipality")}
    join_ylojarvi(network, offers["980"])
    services.offer_mark_decision_pending(
        offer=offers["562"],
        board_meeting_date=timezone.localdate() - datetime.timedelta(days=1),
        by=None,
        now=sent,
    )
    services.offer_mark_interested(offer=offers["908"], by=None)
    services.offer_decline(offer=offers["211"], reason="Ei nyt", by=None)

    # when staff look at the pipeline
    pipeline = selectors.pipeline_for(user=network.staff, season=renewal)

    # then
    counts = {status: count for status, _label, count in pipeline.counts}
    assert counts == {
        "invited": 1,
        "interested": 1,
        "decision_pending": 1,
        "joined": 1,
        "declined": 1,
    }
    # A 11 000 joined; B 11 000 + Valkeakoski 11 000 + Pirkkala 8 000 still open, per year
    assert pipeline.fees == [
        (2023, Decimal("11000.00"), Decimal("30000.00")),
        (2024, Decimal("11000.00"), Decimal("30000.00")),
    ]
    assert [o.municipality.code for o in pipeline.not_answered] == ["604"]
    # not answered for 30 days, and a board meeting that has passed: both due
    assert sorted(o.municipality.code for o in pipeline.reminders_due) == ["562", "604"]
    # the page and the workbook say the same
    client = client_for(network, "staff")
    page = client.get(reverse("municipalities:renewal_pipeline", args=[renewal.slug]))
    assert page.status_code == 200 and "Pirkkala" in page.content.decode()
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("municipalities:renewal_xlsx", args=[renewal.slug])).content)
    )
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 6 and rows[0][-2:] == ("Maksu 2023 (EUR)", "Maksu 2024 (EUR)")
    # a reminder goes to the one not answered, once
    before = Message.objects.filter(kind="municipalities.offer_reminder").count()
    assert services.offer_remind(offer=offers["604"], by=network.staff)
    assert not services.offer_remind(offer=offers["604"], by=network.staff)
    assert not services.offer_remind(offer=offers["980"], by=network.staff)
    # (one message: Pirkkala's one contact person; the second call and the joined one send none)
    assert Message.objects.filter(kind="municipalities.offer_reminder").count() == before + 1


def test_a_contact_cannot_see_the_pipeline(network, renewal):
    client = client_for(network, "contact_a")
    url = reverse("municipalities:renewal_pipeline", args=[renewal.slug])
    assert client.get(url).status_code == 403


def test_the_demo_sends_offers_and_answers_some_of_them_deterministically(network):
    # given the network's season with fees and a prospect with a population figure
    season = network.membership_a.season
    billing_world(network)
    fee_schedule(season)
    prospect = MunicipalityFactory(code="908", name_fi="Valkeakoski")
    PopulationFigure.objects.create(
        municipality=prospect,
        reference_date=datetime.date(2021, 12, 31),
        population=9000,
        source="x",
    )
    # when the demo runs twice
    lines = []
    next_season = renewal_demo.load(season, None, say=lines.append)
    renewal_demo.load(season, next_season, say=lines.append)
    # then the members and the prospect have offers; Ylöjärvi's is open for the walk-through
    offers = {o.municipality.code: o for o in Offer.objects.select_related("municipality")}
    assert set(offers) == {"980", "562", "908"}
    assert offers["980"].status == OfferStatus.INVITED
    assert offers["562"].status == OfferStatus.JOINED  # the first member by code
    assert offers["908"].status == OfferStatus.INTERESTED  # the first prospect
    assert Membership.objects.get(season=next_season).municipality == network.municipality_b
    assert Offer.objects.count() == 3
    assert lines[-1].endswith("0 sent (1 to prospects), 0 answered.")


def test_staff_create_the_next_season_and_send_offers_from_the_admin(network):
    # given the network's season with its fees
    billing_world(network)
    season = network.membership_a.season
    client = client_for(network, "staff")
    seasons = reverse("admin:municipalities_season_changelist")

    # when staff create the next season, then send its offers to the season's members
    client.post(seasons, {"action": "create_next_season", "_selected_action": [season.pk]})
    created = Season.objects.get(slug="2023-2024")
    client.post(seasons, {"action": "send_offers", "_selected_action": [created.pk]})

    # then the members have offers of the new season, sent by staff
    offers = Offer.objects.filter(season=created).select_related("municipality", "created_by")
    assert sorted(o.municipality.code for o in offers) == ["562", "980"]
    assert {o.created_by for o in offers} == {network.staff}


def test_staff_send_a_prospect_the_offer_of_the_season_in_preparation(network):
    # given a season that starts next year, with fees, and a prospect with a population figure
    year = timezone.localdate().year + 1
    upcoming = SeasonFactory(
        slug=f"{year}-{year + 1}",
        name_fi=f"USO-kausi {year}–{year + 1}",
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year + 1, 12, 31),
    )
    fee_schedule(upcoming)
    prospect = MunicipalityFactory(code="908", name_fi="Valkeakoski")
    PopulationFigure.objects.create(
        municipality=prospect,
        reference_date=datetime.date(2021, 12, 31),
        population=9000,
        source="x",
    )

    # when staff send it from the municipalities' list
    client_for(network, "staff").post(
        reverse("admin:municipalities_municipality_changelist"),
        {"action": "send_offer", "_selected_action": [prospect.pk]},
    )

    # then the prospect has the offer, 11 000 € a year (9 000 is in the middle tier)
    offer = Offer.objects.get(municipality=prospect)
    assert offer.season == upcoming and not offer.was_member
    assert [fee.annual_fee for fee in offer.fees.all()] == [Decimal("11000.00")] * 2


def test_consultants_follow_but_do_not_send_offers(network):
    billing_world(network)
    season = network.membership_a.season
    client = client_for(network, "consultant")
    response = client.post(
        reverse("admin:municipalities_season_changelist"),
        {"action": "create_next_season", "_selected_action": [season.pk]},
    )
    assert response.status_code in (200, 302, 403)
    assert not Season.objects.filter(slug="2023-2024").exists()


def test_the_cron_command_reminds_each_due_offer_once(
    network, renewal, django_capture_on_commit_callbacks
):
    # given offers sent 30 days ago: one joined since, two not answered
    sent = timezone.now() - datetime.timedelta(days=30)
    pirkkala = municipality_with_population("604", "Pirkkala", 8000)
    everyone = [network.municipality_a, network.municipality_b, pirkkala]
    services.offers_send(season=renewal, municipalities=everyone, sent_by=None, now=sent)
    offers = {o.municipality.code: o for o in Offer.objects.select_related("municipality")}
    join_ylojarvi(network, offers["980"])
    out = io.StringIO()
    # when cron runs the command twice
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_offer_reminders", stdout=out)
        call_command("send_offer_reminders", stdout=out)
    # then the two open offers were reminded once each, the joined one not at all
    assert out.getvalue().splitlines() == ["2 offer reminder(s) sent.", "0 offer reminder(s) sent."]
    reminded = Offer.objects.exclude(reminded_at=None).select_related("municipality")
    assert sorted(o.municipality.code for o in reminded) == ["562", "604"]
    reminders = Message.objects.filter(kind="municipalities.offer_reminder")
    assert reminders.count() == len(services.offer_recipients(network.municipality_b)) + len(
        services.offer_recipients(pirkkala)
    )


def test_a_due_offer_without_a_contact_address_is_reported_and_stays_due(
    network, renewal, django_capture_on_commit_callbacks
):
    # given an offer to a prospect that has no contact person at all, unanswered for 30 days
    pirkkala = municipality_with_population("604", "Pirkkala", 8000, contact=False)
    sent = timezone.now() - datetime.timedelta(days=30)
    services.offers_send(season=renewal, municipalities=[pirkkala], sent_by=None, now=sent)
    out, err = io.StringIO(), io.StringIO()
    # when cron runs the command
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_offer_reminders", stdout=out, stderr=err)
    # then nothing is sent, the municipality is named, and the pipeline still shows it as due
    assert out.getvalue().strip() == "0 offer reminder(s) sent."
    assert "Pirkkala" in err.getvalue()
    offer = Offer.objects.get(municipality=pirkkala)
    assert offer.reminded_at is None
    assert not Message.objects.filter(kind="municipalities.offer_reminder").exists()
    pipeline = selectors.pipeline_for(user=network.staff, season=renewal)
    assert [o.municipality.code for o in pipeline.reminders_due] == ["604"]
