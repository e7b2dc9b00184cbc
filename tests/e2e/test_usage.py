"""The entitlement panel of the contact's dashboard and the staff's usage matrix in a real
browser, in Finnish and in Swedish: the figures are on the page, axe-core finds no serious or
critical WCAG 2.1 A/AA violation and the pages do not scroll sideways at 320 px."""

import pytest
from playwright.sync_api import expect

from events.models import Attendance, EventKind
from tests.auth import confirmed_device

from ..events.factories import PastEventFactory, RegistrationFactory
from ..municipalities.factories import PASSWORD
from ..workshops.factories import QuotaGrantFactory, ScheduledWorkshopFactory
from .conftest import axe_violations, log_in, pass_second_factor, reflow_problems, screenshot
from .test_accessibility import assert_none, axe_page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def used(network):
    """A was present at a held theme seminar with its contact; one workshop held, one grant."""
    season = network.membership_a.season
    seminar = PastEventFactory(
        season=season,
        kind=EventKind.THEME_SEMINAR,
        title_fi="Teemaseminaari: johtaminen",
        title_sv="Temaseminarium: ledarskap",
    )
    RegistrationFactory(
        event=seminar, contact_person=network.contact_person_a, attendance=Attendance.PRESENT
    )
    ScheduledWorkshopFactory(membership=network.membership_a, status="held")
    QuotaGrantFactory(membership=network.membership_a, extra=1)
    return seminar


@pytest.mark.parametrize(
    ("language", "caption", "seminar"),
    [
        ("fi", "Kauden tapahtumat", "Teemaseminaari: johtaminen"),
        ("sv", "Periodens evenemang", "Temaseminarium: ledarskap"),
    ],
)
def test_the_entitlement_dashboard_is_accessible(
    network, used, new_page, language, caption, seminar
):
    # given the contact of Ylöjärvi, logged in, in the language
    page = axe_page(new_page, language)
    log_in(page, network.contact_a, PASSWORD)

    # when they open the dashboard
    response = page.goto("/portal/")

    # then the entitlement panel shows the season's events and the workshops, without a
    # serious violation
    assert response.status == 200
    panel = page.locator("article:has(#entitlements-heading)")
    expect(panel.locator("caption").first).to_have_text(caption)
    expect(panel).to_contain_text(seminar)
    first_row = panel.locator("table").first.locator("tbody tr").first
    expect(first_row.locator("td")).to_have_text(["6", "1", "1", "1", "5"])
    workshops = panel.locator("table").nth(1).locator("tbody td")
    expect(workshops).to_have_text(["5", "1", "1", "0", "5"])
    found = {"dashboard": axe_violations(page) + reflow_problems(page)}
    screenshot(page, f"usage-{language}-dashboard")
    assert_none(found)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_usage_matrix_is_accessible(network, used, new_page, language):
    # given network staff past the second factor
    device = confirmed_device(network.staff)
    page = axe_page(new_page, language)
    log_in(page, network.staff, PASSWORD)
    pass_second_factor(page, device)

    # when they open the season's usage matrix
    response = page.goto(f"/staff/usage/{network.membership_a.season.slug}/")

    # then both members are there with their figures, without a serious violation
    assert response.status == 200
    expect(page.locator("table tbody tr")).to_have_count(2)
    expect(page.locator("table")).to_contain_text("Ylöjärvi")
    expect(page.locator("td.use-4").first).to_contain_text("1 / 6")
    found = {"usage-matrix": axe_violations(page) + reflow_problems(page)}
    screenshot(page, f"usage-{language}-matrix")
    assert_none(found)
