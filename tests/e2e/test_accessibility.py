"""axe-core on the portal's pages, in Finnish and in Swedish: no serious or critical WCAG 2.1
A/AA violation, and (which axe cannot judge) no sideways scrolling in a 320 px window."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from billing.models import BillingBatch
from tests.auth import confirmed_device

from ..municipalities.factories import PASSWORD
from .conftest import axe_violations, log_in, pass_second_factor, reflow_problems, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LANGUAGES = ["fi", "sv"]


def contact_pages(portal) -> dict[str, str]:
    return {
        "dashboard": "/portal/",
        "event-list": "/portal/events/",
        "event-detail": f"/portal/events/{portal.seminar.pk}/",
        "workshop-list": "/portal/workshops/",
        "workshop-detail": f"/portal/workshops/{portal.workshop_a.pk}/",
        "workshop-propose": "/portal/workshops/new/",
        "invoices": "/portal/invoices/",
        "analysis": "/portal/analysis/980/",
    }


def axe_page(new_page, language: str):
    """A page at the login form in `language` (chosen with the language switcher), in a context
    where axe can be injected: the portal's CSP forbids inline scripts, and Playwright injects
    axe-core as one, so this context bypasses the CSP (the flows run under it)."""
    page = new_page(bypass_csp=True)
    page.goto("/")
    if language != "fi":
        switcher = page.locator("form.language-switcher")
        switcher.locator("select[name=language]").select_option(language)
        switcher.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    return page


def check(page, pages: dict[str, str], language: str, found: dict[str, list[str]]) -> None:
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, (url, response.status)
        expect(page.locator("html")).to_have_attribute("lang", language)
        found[name] = axe_violations(page) + reflow_problems(page)
        screenshot(page, f"a11y-{language}-{name}")


def assert_none(found: dict[str, list[str]]) -> None:
    report = [f"{name}: {line}" for name, lines in found.items() for line in lines]
    assert not report, "\n".join(["accessibility problems:", *report])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_contacts_pages_have_no_serious_accessibility_violation(portal, new_page, language):
    # given the login page in the language
    page = axe_page(new_page, language)

    # when axe checks it and, logged in, each page of a municipal contact
    found = {"login": axe_violations(page) + reflow_problems(page)}
    screenshot(page, f"a11y-{language}-login")
    log_in(page, portal.network.contact_a, PASSWORD)
    check(page, contact_pages(portal), language, found)

    # then none has a serious or critical violation
    assert_none(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_staff_pages_have_no_serious_accessibility_violation(portal, new_page, language):
    # given network staff with an authenticator app, and a billing batch
    staff = portal.network.staff
    device = confirmed_device(staff)
    batch = BillingBatch.objects.create(
        season=portal.network.membership_a.season, year=2021, created_by=staff
    )
    page = axe_page(new_page, language)

    # when axe checks the two-step verification and, past it, the staff's portal pages
    log_in(page, staff, PASSWORD)
    found = {"two-factor": axe_violations(page) + reflow_problems(page)}
    pass_second_factor(page, device)
    pages = {
        "batch-progress": f"/staff/billing/batches/{batch.pk}/",
        "consultant-home": "/portal/consultant/",
        "season-workshops": "/staff/workshops/2021-2022/",
        "network-table": "/staff/analysis/",
        "staff-invoices": "/portal/invoices/",
    }
    check(page, pages, language, found)
    # and the enrolment pages of a consultant who has no authenticator app yet: the page that
    # e-mails the enrolment link, then (link followed) the QR code
    enrolment = axe_page(new_page, language)
    log_in(enrolment, portal.network.consultant, PASSWORD)
    assert "/account/two-factor/setup/" in enrolment.url, enrolment.url
    mail.outbox.clear()
    enrolment.locator("button[name=send_link]").click()
    expect(enrolment.locator("[role=status]")).to_contain_text(portal.network.consultant.email)
    found["two-factor-link"] = axe_violations(enrolment) + reflow_problems(enrolment)
    screenshot(enrolment, f"a11y-{language}-two-factor-link")
    [message] = mail.outbox
    enrolment.goto(re.search(r"https?://\S+", message.body).group(0))
    expect(enrolment.locator("figure.qr-code svg")).to_be_visible()
    found["two-factor-setup"] = axe_violations(enrolment) + reflow_problems(enrolment)
    screenshot(enrolment, f"a11y-{language}-two-factor-setup")

    # then none has a serious or critical violation
    assert_none(found)
