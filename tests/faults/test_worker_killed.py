"""Billing with its worker killed (`kill -9`) mid-batch, on PostgreSQL with real processes.

- A `manage.py db_worker` issuing a season's batch is killed while it renders the documents.
  The batch and its task stay "running" (nothing can tell a dead worker from a slow one) until
  the batch's lease expires; then /healthz answers 503. A worker started again takes the
  abandoned batch and finishes it: every draft issued once, the numbers gapless, every document
  stored once, and /healthz answers 200.
- `manage.py billing_issue` is killed while its pool renders: its rendering processes die with
  it; `billing_export` refuses (exit 1) while documents are missing; `billing_issue` run again
  names and renders them, and the export then goes through.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from billing import services
from billing.models import BatchStatus, BillingBatch, DocumentStatus, Invoice, InvoiceStatus
from billing.services.batches import batch_start
from billing.storage import AtomicFileSystemStorage

from ..billing.factories import billable, billing_world
from ..billing.test_rendering import alive, children_of, is_pool_worker
from ..municipalities.factories import MembershipFactory, MunicipalityFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROOT = Path(__file__).resolve().parents[2]
MEMBERS = 30
LEASE = 3  # seconds: BILLING_BATCH_LEASE of the test's workers
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def season_drafts(network, settings, tmp_path):
    """The annual-fee drafts of 2021 of 30 members; a media directory of the test's own."""
    settings.TASKS = DB_TASKS
    settings.BILLING_BATCH_LEASE = LEASE
    settings.MEDIA_ROOT = str(tmp_path / "media")
    billing_world(network)
    season = network.membership_a.season
    for n in range(MEMBERS - 2):
        membership = MembershipFactory(
            municipality=MunicipalityFactory(code=f"{600 + n}"), season=season
        )
        billable(membership.municipality, population=4000 + 1000 * n, business_id="")
    services.billing_run(season=season, year=2021)
    assert Invoice.objects.filter(status=InvoiceStatus.DRAFT).count() == MEMBERS
    return network


def environment() -> dict[str, str]:
    """The production settings, pointed at the test database and media."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "uso_portal.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": settings.MEDIA_ROOT,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "BILLING_BATCH_LEASE": str(LEASE),
        "LOG_LEVEL": "WARNING",
    }


def manage(log: Path, *arguments: str) -> subprocess.Popen:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "manage.py", *arguments],
            cwd=ROOT,
            env=environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def worker(log: Path) -> subprocess.Popen:
    return manage(log, "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload")


def wait_for(condition, seconds: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    output = log.read_text(errors="replace")[-3000:] if log else ""
    raise AssertionError(f"{what}: not within {seconds} s\n{output}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def health() -> tuple[int, bytes]:
    response = Client().get("/healthz")
    return response.status_code, response.content


def assert_issued_once_with_documents() -> None:
    invoices = list(Invoice.objects.order_by("number"))
    assert [invoice.number for invoice in invoices] == [
        f"1{n:06d}" for n in range(1, MEMBERS + 1)
    ]  # every draft issued, once, gapless
    assert all(services.documents_problem(invoice) is None for invoice in invoices)
    root = Path(AtomicFileSystemStorage().location) / "billing"
    pdfs = sorted(path.name for path in (root / "pdf").iterdir())
    xmls = sorted(path.name for path in (root / "finvoice").iterdir())
    # each stored once, and no temporary file of a killed write left behind
    assert pdfs == [f"{invoice.number}.pdf" for invoice in invoices]
    assert xmls == [f"{invoice.number}.xml" for invoice in invoices]


def test_a_batch_whose_worker_is_killed_finishes_after_a_restart(season_drafts, tmp_path):
    log = tmp_path / "worker.log"
    batch = batch_start(
        season=season_drafts.membership_a.season, year=2021, actor=season_drafts.finance
    )
    batch.refresh_from_db()
    first_task = batch.task_id

    # given a worker killed with SIGKILL while the batch renders the documents
    first = worker(log)
    try:
        wait_for(
            lambda: BillingBatch.objects.filter(pk=batch.pk, rendered__gte=4).exists(),
            180,
            "the worker renders",
            log,
        )
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RUNNING
    assert 4 <= batch.rendered < MEMBERS, "the batch finished before the kill: add members"
    assert DBTaskResult.objects.get(pk=first_task).status == "RUNNING"

    # then once its lease has expired, /healthz says the work was abandoned
    wait_for(
        lambda: BillingBatch.objects.get(pk=batch.pk).lease_expires_at < timezone.now(),
        LEASE + 5,
        "the lease expires",
    )
    status, body = health()
    assert status == 503
    assert b"batch abandoned: 1" in body

    # when a worker is started again
    second = worker(log)
    try:
        wait_for(
            lambda: BillingBatch.objects.filter(pk=batch.pk, status=BatchStatus.FINISHED).exists(),
            240,
            "the restarted worker finishes the batch",
            log,
        )
    finally:
        stop(second)

    # then the batch is finished: nothing twice, nothing missing, and the record says so
    assert_issued_once_with_documents()
    batch.refresh_from_db()
    assert (batch.total, batch.issued, batch.rendered, batch.failed) == (
        MEMBERS,
        MEMBERS,
        MEMBERS,
        0,
    )
    assert batch.attempts == 2
    dead = DBTaskResult.objects.get(pk=first_task)
    assert (dead.status, dead.exception_class_path) == ("FAILED", "uso_portal.leases.LeaseExpired")
    assert DBTaskResult.objects.get(pk=batch.task_id).status == "SUCCESSFUL"
    assert health() == (200, b"ok\n")


def test_billing_issue_killed_mid_render_leaves_no_renderers_and_a_rerun_finishes(
    season_drafts, tmp_path
):
    log = tmp_path / "issue.log"
    season = ["--season", "2021-2022", "--year", "2021", "--as", season_drafts.finance.email]

    # given billing_issue killed with SIGKILL while its two renderers work
    issuing = manage(log, "billing_issue", *season, "--workers", "2")
    try:
        wait_for(
            lambda: Invoice.objects.filter(document_status=DocumentStatus.READY).count() >= 2,
            180,
            "billing_issue renders",
            log,
        )
        renderers = [pid for pid in children_of(issuing.pid) if is_pool_worker(pid)]
    finally:
        os.kill(issuing.pid, signal.SIGKILL)
        issuing.wait()
    assert len(renderers) == 2

    # then its renderers die with it
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in renderers):
        time.sleep(0.1)
    assert [pid for pid in renderers if alive(pid)] == []
    without = Invoice.objects.exclude(document_status=DocumentStatus.READY)
    left = set(without.values_list("number", flat=True))
    assert 0 < len(left) < MEMBERS

    # and the export refuses, naming every invoice without documents, writing nothing
    out = tmp_path / "export"
    export = subprocess.run(
        [sys.executable, "manage.py", "billing_export", *season[:4], "--out", str(out)],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert export.returncode == 1, export.stdout + export.stderr
    lines = export.stdout.splitlines()
    named = {line.split()[1].rstrip(":") for line in lines if line.startswith("MISSING")}
    assert named == left
    assert not out.exists() or list(out.iterdir()) == []

    # when billing_issue is run again
    again = subprocess.run(
        [sys.executable, "manage.py", "billing_issue", *season, "--workers", "2"],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )

    # then it names and renders each of them, and the export goes through
    assert again.returncode == 0, again.stdout + again.stderr
    rendered_again = {
        line.split()[2].rstrip(":") for line in again.stdout.splitlines() if "RENDER AGAIN" in line
    }
    assert rendered_again == left
    assert_issued_once_with_documents()
    export = subprocess.run(
        [sys.executable, "manage.py", "billing_export", *season[:4], "--out", str(out)],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert export.returncode == 0, export.stdout + export.stderr
    assert len(list((out / "pdf").iterdir())) == MEMBERS


def test_healthz_is_one_query_with_the_database_backend(season_drafts, django_assert_num_queries):
    # a running batch within its lease and a task that started a moment ago: all is well
    batch = batch_start(
        season=season_drafts.membership_a.season, year=2021, actor=season_drafts.finance
    )
    BillingBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.RUNNING,
        lease_expires_at=timezone.now() + datetime.timedelta(seconds=60),
    )
    with django_assert_num_queries(1):
        assert health() == (200, b"ok\n")
