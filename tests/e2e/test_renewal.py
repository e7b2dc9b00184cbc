"""The offer page in a real browser, in Finnish and in Swedish: axe-core finds no serious or
critical WCAG 2.1 A/AA violation, the page does not scroll sideways at 320 px, and the contact
answers through the form (a join without its decision is explained, not taken)."""

import pytest
from playwright.sync_api import expect

from municipalities.models import Offer, OfferStatus
from municipalities.renewal import services

from ..billing.factories import billing_world
from ..municipalities.factories import PASSWORD, SeasonThemeFactory
from .conftest import axe_violations, log_in, reflow_problems, screenshot
from .test_accessibility import assert_none, axe_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def offer(network) -> Offer:
    season = network.membership_a.season
    SeasonThemeFactory(
        season=season, name_fi="Kestävä kuntajohtaminen", name_sv="Hållbart ledarskap"
    )
    billing_world(network)
    next_season = services.season_create_next(source=season)
    offer, _created = services.offer_send(
        season=next_season, municipality=network.municipality_a, sent_by=network.staff
    )
    return offer


@pytest.mark.parametrize(
    ("language", "heading", "fee_heading"),
    [
        ("fi", "tarjous: Ylöjärvi", "Osallistumismaksu"),
        ("sv", "erbjudande: Ylöjärvi", "Deltagaravgift"),
    ],
)
def test_the_offer_page_is_accessible_and_answers(
    network, offer, new_page, language, heading, fee_heading
):
    # given the contact of Ylöjärvi, logged in, in the language
    page = axe_page(new_page, language)
    log_in(page, network.contact_a, PASSWORD)

    # when they open the offer
    response = page.goto(f"/portal/offers/{offer.pk}/")

    # then it states the season, the fee and its population, with no serious violation
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("h1")).to_contain_text(heading)
    expect(page.locator("#fee-heading")).to_have_text(fee_heading)
    expect(page.locator("table").first).to_contain_text("11")
    found = {"offer": axe_violations(page) + reflow_problems(page)}
    screenshot(page, f"renewal-{language}-offer")
    assert_none(found)

    # and a join without the decision is explained on the page, not taken
    page.locator("input[name=answer][value=joined]").check()
    page.locator("form:has(input[name=answer]) button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("[name=decision_reference]")).to_have_attribute("aria-invalid", "true")
    found = {"offer-errors": axe_violations(page)}
    assert_none(found)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.INVITED

    # and "interested" is taken
    page.locator("input[name=answer][value=interested]").check()
    page.locator("form:has(input[name=answer]) button[type=submit]").click()
    page.wait_for_load_state()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.INTERESTED

    # and the letter opens
    letter = page.request.get(f"/portal/offers/{offer.pk}/letter.pdf")
    assert letter.status == 200 and letter.body().startswith(b"%PDF")
