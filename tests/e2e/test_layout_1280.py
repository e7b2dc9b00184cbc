"""At 1280 × 800, a common laptop window: the event changelist shows its status, counts and
export links without scrolling sideways, and the portal's header fits with a clear user menu."""

import pytest
from playwright.sync_api import expect

from events.models import EventKind, EventStatus, RegistrationStatus
from tests.auth import confirmed_device

from ..events.factories import EventFactory, RegistrationFactory
from ..municipalities.factories import PASSWORD
from .conftest import log_in, pass_second_factor, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

VIEWPORT = {"width": 1280, "height": 800}


def right_edge(locator) -> float:
    box = locator.bounding_box()
    assert box is not None, locator
    return box["x"] + box["width"]


@pytest.fixture
def staff_page(network, new_page):
    device = confirmed_device(network.staff)
    page = new_page(viewport=VIEWPORT)
    log_in(page, network.staff, PASSWORD)
    pass_second_factor(page, device)
    return page


def test_the_event_changelist_fits_1280_px(network, staff_page):
    # given events with long titles, one full with a waitlist
    season = network.membership_a.season
    full = EventFactory(
        season=season,
        kind=EventKind.TRUSTEE_TRAINING,
        status=EventStatus.PUBLISHED,
        title_fi="Luottamushenkilösparraus: toimiva kaksoisjohtaminen ja strateginen johtaminen",
        capacity=1,
    )
    RegistrationFactory(event=full, contact_person=network.contact_person_a)
    RegistrationFactory(
        event=full, contact_person=network.contact_person_b, status=RegistrationStatus.WAITLISTED
    )
    EventFactory(season=season, title_fi="Vertaiskeskustelu: strategian jalkauttaminen")
    page = staff_page
    # when staff open the event changelist
    page.goto("/admin/events/event/")
    rows = page.locator("#result_list tbody tr")
    expect(rows.first).to_be_visible()
    screenshot(page, "admin-event-changelist-1280")
    # then the page does not scroll sideways and the last columns are in the window
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORT["width"]
    # (the table scrolls inside its own box when it is too wide: that box must not scroll)
    results = page.locator("#changelist .results")
    overflow = results.evaluate("box => box.scrollWidth - box.clientWidth")
    assert overflow <= 0, f"the event table is {overflow} px wider than its box"
    visible_right = min(VIEWPORT["width"], right_edge(results))
    for row in range(rows.count()):
        status = rows.nth(row).locator("td.field-status")
        expect(status).to_be_visible()
        assert right_edge(status) <= visible_right
        for link in ("XLSX", "CSV"):
            export = rows.nth(row).locator("td.field-downloads a", has_text=link)
            expect(export).to_be_visible()
            assert right_edge(export) <= visible_right
    # and the counts share one column: confirmed / places, the waitlist below
    places = page.locator("td.field-places", has_text="1 / 1")
    expect(places).to_contain_text("1 jonossa")
    # and XLSX is offered before CSV
    first = rows.first.locator("td.field-downloads a").first
    expect(first).to_have_text("XLSX")


def test_the_header_fits_1280_px_with_a_clear_user_menu(network, staff_page):
    # given staff on a portal page (the longest menu: every link of every role)
    network.staff.first_name, network.staff.last_name = "Sanna", "Salminen"
    network.staff.save()
    page = staff_page
    page.goto("/portal/events/")
    header = page.locator("header.site-header")
    screenshot(page, "portal-header-1280")
    # then the header is one row that does not scroll sideways
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORT["width"]
    middles = header.locator("nav > ul > li").evaluate_all(
        "items => items.map(li => { const r = li.getBoundingClientRect(); "
        "return r.top + r.height / 2; })"
    )
    assert max(middles) - min(middles) < 20, middles
    # and the user menu is a button with the user's name, opening the account's actions
    menu = header.locator("details.user-menu")
    toggle = menu.locator("summary")
    expect(toggle).to_have_attribute("role", "button")
    expect(toggle).to_contain_text("Sanna Salminen")
    assert right_edge(toggle) <= VIEWPORT["width"]
    logout = menu.get_by_role("button", name="Kirjaudu ulos", exact=True)
    expect(logout).to_be_hidden()
    toggle.click()
    screenshot(page, "portal-user-menu-1280")
    expect(logout).to_be_visible()
    expect(menu.get_by_role("link", name="Vaihda salasana")).to_be_visible()
    assert right_edge(logout) <= VIEWPORT["width"]
