"""Browser tests: the portal in a real Chromium driven by Playwright, and axe-core checks.

They need Debian's `chromium` (or `E2E_CHROMIUM=/path/to/chromium`) and axe-core in
tests/e2e/node_modules: `make e2e-deps` installs both. Without them the tests are skipped, with
the reason; `USO_REQUIRE_E2E=1` (CI, `make e2e`) makes a missing browser or axe-core an error
instead, as `USO_REQUIRE_POSTGRES` does for PostgreSQL.

Screenshots of the pages go to `$E2E_ARTIFACTS/screenshots/` (default `test-artifacts/`).
"""

import datetime
import os
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS") or ROOT / "test-artifacts")
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    return shutil.which(os.environ.get("E2E_CHROMIUM") or "chromium")


def missing_tools() -> list[str]:
    missing = []
    if not chromium_path():
        missing.append("Debian's chromium")
    if not AXE_JS.is_file():
        missing.append("axe-core (npm ci --prefix tests/e2e)")
    return missing


def pytest_collection_modifyitems(config, items):
    """Browser tests skip without chromium or axe-core; CI insists that they run."""
    e2e = [item for item in items if "e2e" in item.keywords]
    missing = missing_tools()
    if not e2e or not missing:
        return
    needed = f"{' and '.join(missing)}: make e2e-deps installs them"
    if os.environ.get("USO_REQUIRE_E2E"):
        raise pytest.UsageError(f"USO_REQUIRE_E2E is set but the browser tests need {needed}")
    skip = pytest.mark.skip(reason=f"browser tests need {needed}")
    for item in e2e:
        item.add_marker(skip)


def start_playwright():
    """Start Playwright's sync API, keeping this thread's database connections.

    Playwright keeps an asyncio loop marked as running in this (the main) thread. Django then
    looks its connections up per asyncio context instead of per thread and would open new ones,
    without the test database's serialised data that `serialized_rollback` restores from: hand
    it the thread's own."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    own = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, connection in own.items():
        connections[alias] = connection
    return playwright


@pytest.fixture(scope="package")
def playwright_loop():
    """Playwright's sync API keeps an asyncio loop running in this (the main) thread, so Django
    would refuse the tests' own, synchronous ORM calls (SynchronousOnlyOperation). They are safe:
    allow them while the browser tests run, and only then."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = start_playwright()
    yield playwright
    playwright.stop()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright_loop):
    browser = playwright_loop.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """`new_page()` opens a page in a fresh context (own cookies) on the live server."""
    contexts = []

    def open_page(**options):
        context = browser.new_context(base_url=live_server.url, locale="fi-FI", **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


# --- Helpers -------------------------------------------------------------------------------------


def screenshot(page, name: str) -> Path:
    """A full-page PNG of the page under the artefact folder; fails when it was not written."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    content = path.read_bytes()
    assert content.startswith(PNG_MAGIC) and len(content) > 1000, path
    return path


def log_in(page, user, password: str, *, at: str = "/") -> None:
    """Log in through the real form at `at` (the portal's login page or the admin's)."""
    page.goto(at)
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(user.email)
    form.locator("input[name=password]").fill(password)
    form.locator("[type=submit]").click()
    page.wait_for_load_state()


def pass_second_factor(page, device) -> None:
    """Type the authenticator app's current code into the two-step verification form."""
    from tests.auth import totp_token

    assert "/account/two-factor/" in page.url, page.url
    form = page.locator("form:has(input[name=otp_token])")
    form.locator("input[name=otp_token]").fill(totp_token(device))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def axe_violations(page) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations axe-core finds on the page, one line each.

    The portal's CSP (script-src 'self', nothing inline) blocks the inline <script> that
    `add_script_tag` injects. So the pages axe checks are opened in a browser context made with
    `bypass_csp=True` (`axe_page()` in test_accessibility.py); the flows run under the real CSP.
    """
    page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} – "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def reflow_problems(page, width: int = 320) -> list[str]:
    """WCAG 1.4.10 (reflow), which axe-core cannot judge: at 320 CSS pixels the page must not
    scroll sideways (wide tables scroll inside their own region)."""
    viewport = page.viewport_size
    page.set_viewport_size({"width": width, "height": 640})
    try:
        scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size(viewport)
    if scroll_width <= width:
        return []
    return [f"reflow: the page is {scroll_width} px wide in a {width} px window (WCAG 1.4.10)"]


# --- Data ----------------------------------------------------------------------------------------


@dataclass
class Portal:
    network: object
    seminar: object
    workshop_a: object
    invoice_a: object


def upcoming_seminar(season):
    from events.models import EventKind

    from ..events.factories import EventFactory, in_days

    return EventFactory(
        season=season,
        kind=EventKind.THEME_SEMINAR,
        title_fi="Teemaseminaari: johtaminen muutoksessa",
        title_sv="Temaseminarium: ledarskap i förändring",
        title_en="Theme seminar: leadership in change",
        description_fi="Seminaarin kuvaus.",
        description_sv="Seminariets beskrivning.",
        start=in_days(21),
        registration_opens=timezone.now() - datetime.timedelta(days=7),
        registration_closes=in_days(14),
        capacity=80,
    )


def indicator_values(network) -> None:
    """Turnout and population of A, B and a peer outside the network, so comparisons have data."""
    from analysis.models import Indicator, IndicatorValue

    from ..municipalities.factories import MunicipalityFactory

    peer = MunicipalityFactory(code="536", name_fi="Nokia", name_sv="Nokia")
    values = {
        "municipal_election_2021_turnout_pct": {"980": "58.3", "562": "61.2", "536": "60.1"},
        "population": {"980": "33352", "562": "9008", "536": "34000"},
    }
    municipalities = {m.code: m for m in (network.municipality_a, network.municipality_b, peer)}
    for code, by_municipality in values.items():
        indicator = Indicator.objects.get(code=code)
        for municipality_code, value in by_municipality.items():
            IndicatorValue.objects.create(
                municipality=municipalities[municipality_code],
                indicator=indicator,
                year=2021 if code != "population" else 2020,
                value=Decimal(value),
                source="Tilastokeskus",
            )


@pytest.fixture
def portal(network) -> Portal:
    """The network of tests/conftest.py with what the browser tests look at: an upcoming seminar
    open for registration, a scheduled workshop, A's issued annual fee with its PDF rendered, and
    indicator values for the analysis."""
    from billing import services
    from billing.models import Invoice

    from ..billing.factories import billing_world
    from ..workshops.factories import ScheduledWorkshopFactory, WorkshopTopicFactory

    season = network.membership_a.season
    WorkshopTopicFactory(season=season, name_fi="Strategiatyö", name_sv="Strategiarbete")
    billing_world(network)
    services.billing_run(season=season, year=2021)
    draft = Invoice.objects.get(membership=network.membership_a, kind="annual_fee")
    invoice = services.invoice_issue(
        invoice=draft, actor=network.finance, today=datetime.date(2021, 2, 15)
    )
    services.render_documents(invoice)
    invoice.refresh_from_db()
    assert invoice.document_status == "ready", invoice.render_error
    indicator_values(network)
    return Portal(
        network=network,
        seminar=upcoming_seminar(season),
        workshop_a=ScheduledWorkshopFactory(
            membership=network.membership_a,
            proposed_by=network.contact_a,
            title="Valtuustoseminaari",
        ),
        invoice_a=invoice,
    )
