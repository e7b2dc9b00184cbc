"""A staff user in a real browser: password and authenticator code, then the season's invoices
issued in the admin as a background batch whose progress page follows the worker (htmx)."""

import re
import signal
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from billing import services
from billing.models import BatchStatus, BillingBatch, DocumentStatus, Invoice, InvoiceStatus
from tests.auth import confirmed_device

from ..billing.factories import billing_world
from ..municipalities.factories import PASSWORD
from .conftest import log_in, pass_second_factor, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@contextmanager
def signal_handlers_kept():
    """`db_worker` installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    names = [name for name in ("SIGINT", "SIGTERM", "SIGQUIT") if hasattr(signal, name)]
    saved = {name: signal.getsignal(getattr(signal, name)) for name in names}
    try:
        yield
    finally:
        for name, handler in saved.items():
            signal.signal(getattr(signal, name), handler)


def run_task_worker() -> None:
    """What `manage.py db_worker` does in production, until the queue is empty."""
    with signal_handlers_kept():
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


@pytest.fixture
def drafts(network, settings):
    """The season's annual fees of 2021 drafted (A and B), queued work left to a task worker."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    billing_world(network)
    services.billing_run(season=network.membership_a.season, year=2021)
    drafts = Invoice.objects.filter(status=InvoiceStatus.DRAFT)
    assert drafts.count() == 2
    return drafts


def test_staff_issue_the_seasons_invoices_and_follow_the_batch(network, drafts, new_page):
    finance = network.finance
    device = confirmed_device(finance)
    page = new_page()

    # given finance logged in to the admin with the password and the authenticator app's code
    log_in(page, finance, PASSWORD, at="/admin/login/")
    expect(page.locator("input[name=otp_token]")).to_be_visible()
    screenshot(page, "two-factor")
    pass_second_factor(page, device)
    expect(page).to_have_url(re.compile(r"/admin/$"))

    # when they select the season's drafts and issue them in the background
    page.goto("/admin/billing/invoice/?status__exact=draft")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("issue_in_background")
    page.locator("button[name=index]").click()

    # then the batch's progress page waits for the task worker, polling
    expect(page).to_have_url(re.compile(r"/staff/billing/batches/\d+/$"))
    batch = BillingBatch.objects.get()
    assert batch.status == BatchStatus.QUEUED and batch.total == 2
    progress = page.locator("#batch-progress")
    expect(progress).to_have_attribute("hx-trigger", "every 2s")
    screenshot(page, "batch-queued")
    page.evaluate("() => { window.stillTheSamePage = true; }")

    # when the worker runs the batch
    run_task_worker()

    # then the page, without reloading, shows it finished
    with translation.override("fi"):
        finished = str(BatchStatus.FINISHED.label)
    expect(progress.locator("strong")).to_have_text(finished, timeout=20_000)
    expect(progress.locator("progress")).to_have_attribute("value", "100")
    assert page.evaluate("() => window.stillTheSamePage") is True
    screenshot(page, "batch-finished")

    # and both invoices are issued, numbered, with their documents, in the admin
    invoices = Invoice.objects.filter(batch=batch)
    assert invoices.count() == 2
    assert all(invoice.status == InvoiceStatus.ISSUED for invoice in invoices)
    assert all(invoice.document_status == DocumentStatus.READY for invoice in invoices)
    page.locator("main a[href*='/admin/billing/invoice/']").click()
    result_list = page.locator("#result_list")
    for invoice in invoices:
        expect(result_list).to_contain_text(invoice.number)
    screenshot(page, "admin-batch-invoices")
