"""Billing batches: resumable and idempotent, counted from their invoices, with a lease whose
expiry marks abandoned work, which /healthz reports and the sweep takes again. The admin's
"render again" is a batch of the selected invoices. (A real worker killed with SIGKILL:
tests/faults/test_worker_killed.py.)"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from billing import services
from billing.models import (
    BatchKind,
    BatchStatus,
    BillingBatch,
    DocumentStatus,
    Invoice,
    InvoiceStatus,
)
from billing.services.batches import batch_run, batch_start, sweep

from ..conftest import client_for
from ..municipalities.factories import MembershipFactory, MunicipalityFactory
from .factories import billable, billing_world
from .test_admin import act

pytestmark = pytest.mark.django_db
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def drafts(network):
    """Four members' annual-fee drafts of 2021."""
    billing_world(network)
    season = network.membership_a.season
    for n in range(2):
        membership = MembershipFactory(
            municipality=MunicipalityFactory(code=f"{700 + n}"), season=season
        )
        billable(membership.municipality, population=5000 + n, business_id="")
    services.billing_run(season=season, year=2021)
    assert Invoice.objects.filter(status=InvoiceStatus.DRAFT).count() == 4
    return network


def queued_batch(network, settings) -> BillingBatch:
    """A batch of the season's drafts, queued for a database task worker (a committed
    transaction: the task is enqueued after the commit)."""
    settings.TASKS = DB_TASKS
    batch = batch_start(season=network.membership_a.season, year=2021, actor=network.finance)
    batch.refresh_from_db()
    assert DBTaskResult.objects.filter(pk=batch.task_id, status="READY").exists()
    return batch


def crash_after(batch: BillingBatch, *, issued: int, rendered: int) -> None:
    """What a worker killed mid-batch leaves: some drafts issued, fewer documents, the batch
    "running" with the lease it last renewed, its task "running"."""
    drafts = list(Invoice.objects.filter(batch=batch).order_by("membership__municipality__code"))
    for draft in drafts[:issued]:
        invoice = services.invoice_issue(invoice=draft, actor=batch.created_by)
        if rendered > 0:
            services.render_documents(invoice)
            rendered -= 1
    BillingBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.RUNNING,
        attempts=1,
        issued=issued,
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    DBTaskResult.objects.filter(pk=batch.task_id).update(
        status="RUNNING", started_at=timezone.now(), worker_ids=["killed-worker"]
    )


def assert_finished_once(batch: BillingBatch) -> None:
    batch.refresh_from_db()
    invoices = list(Invoice.objects.filter(batch=batch).order_by("number"))
    assert [invoice.number for invoice in invoices] == [f"100000{n}" for n in range(1, 5)]
    assert {invoice.document_status for invoice in invoices} == {DocumentStatus.READY}
    assert all(services.documents_problem(invoice) is None for invoice in invoices)
    assert (batch.status, batch.total, batch.issued, batch.rendered, batch.failed) == (
        BatchStatus.FINISHED,
        4,
        4,
        4,
        0,
    )


def test_a_batch_counts_its_invoices_and_a_second_run_changes_nothing(
    drafts, django_capture_on_commit_callbacks
):
    # given a finished batch
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_start(season=drafts.membership_a.season, year=2021, actor=drafts.finance)
    assert_finished_once(batch)
    stored = {invoice.pk: invoice.pdf_sha256 for invoice in Invoice.objects.all()}

    # when it is run again (a duplicate task, a re-run by hand)
    BillingBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.QUEUED)
    batch_run(batch.pk)

    # then nothing is issued, rendered or counted twice
    assert_finished_once(batch)
    assert {invoice.pk: invoice.pdf_sha256 for invoice in Invoice.objects.all()} == stored
    batch.refresh_from_db()
    assert batch.attempts == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_abandoned_batch_is_reported_then_resumed_where_it_stopped(
    drafts, settings, django_assert_num_queries
):
    # given a batch whose worker died after issuing two invoices and rendering one
    batch = queued_batch(drafts, settings)
    crash_after(batch, issued=2, rendered=1)
    dead_task = batch.task_id

    # then /healthz says so, in one query
    with django_assert_num_queries(1):
        health = Client().get("/healthz")
    assert health.status_code == 503
    assert b"batch abandoned: 1" in health.content
    # and the progress page tells finance what happens
    page = client_for(drafts, "finance").get(reverse("billing:batch_progress", args=[batch.pk]))
    assert page.context["abandoned"] is True

    # when the sweep runs (db_worker does every lease/2) and a worker takes the batch again
    result = sweep()
    batch.refresh_from_db()
    assert (batch.status, result.batches) == (BatchStatus.QUEUED, [batch])
    assert batch.task_id != dead_task
    batch_run(batch.pk)

    # then it finishes: every draft issued once, gapless, every document there
    assert_finished_once(batch)
    batch.refresh_from_db()
    assert batch.attempts == 2
    task = DBTaskResult.objects.get(pk=dead_task)
    assert (task.status, task.exception_class_path) == ("FAILED", "uso_portal.leases.LeaseExpired")
    assert "LeaseExpired" in task.traceback
    assert Client().get("/healthz").status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_db_worker_resumes_an_abandoned_batch_when_it_starts(drafts, settings):
    # given a batch abandoned by a killed worker
    batch = queued_batch(drafts, settings)
    crash_after(batch, issued=1, rendered=0)

    # when a worker starts (here: until the queue is empty)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    # then
    assert_finished_once(batch)
    batch.refresh_from_db()
    new_task = DBTaskResult.objects.get(pk=batch.task_id)
    assert new_task.status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_running_past_its_lease_is_marked_abandoned_and_enqueued_again(drafts, settings):
    # given a running render task whose worker is gone
    settings.TASKS = DB_TASKS
    invoice = services.invoice_issue(
        invoice=Invoice.objects.filter(status=InvoiceStatus.DRAFT).first(), actor=drafts.finance
    )
    task = DBTaskResult.objects.create(
        task_path="billing.tasks.render_invoice_documents",
        args_kwargs={"args": [invoice.pk], "kwargs": {}},
        backend_name="default",
        run_after=get_date_max(),
        status="RUNNING",
        started_at=timezone.now() - datetime.timedelta(seconds=settings.TASK_LEASE + 1),
        worker_ids=["gone"],
        exception_class_path="",
        traceback="",
    )
    assert Client().get("/healthz").content == b"task abandoned: 1 running longer than TASK_LEASE\n"

    # when
    out = io.StringIO()
    call_command("billing_resume", stdout=out)

    # then it is marked, enqueued again, and the worker renders the invoice
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert "worker gone stopped" in task.traceback
    assert f"ABANDONED task {task.pk}" in out.getvalue()
    again = DBTaskResult.objects.get(status="READY")
    assert again.args_kwargs == {"args": [invoice.pk], "kwargs": {}}
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    invoice.refresh_from_db()
    assert invoice.document_status == DocumentStatus.READY
    assert Client().get("/healthz").status_code == 200


def test_render_again_renders_only_the_selected_invoices_as_a_task(
    drafts, django_capture_on_commit_callbacks
):
    # given three issued invoices whose rendering failed
    invoices = []
    for draft in Invoice.objects.filter(status=InvoiceStatus.DRAFT).order_by("pk")[:3]:
        invoices.append(services.invoice_issue(invoice=draft, actor=drafts.finance))
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(
        document_status=DocumentStatus.FAILED, render_error="OSError: disk full"
    )

    # when finance selects two of them and renders them again
    with django_capture_on_commit_callbacks(execute=True):
        response = act(client_for(drafts, "finance"), "invoice", "retry_documents", *invoices[:2])

    # then a batch of exactly those two ran (a task), and the page is its progress
    batch = BillingBatch.objects.get()
    assert response["Location"] == reverse("billing:batch_progress", args=[batch.pk])
    assert (batch.kind, batch.status, batch.total, batch.rendered) == (
        BatchKind.RENDER,
        BatchStatus.FINISHED,
        2,
        2,
    )
    statuses = [Invoice.objects.get(pk=invoice.pk).document_status for invoice in invoices]
    assert statuses == [DocumentStatus.READY, DocumentStatus.READY, DocumentStatus.FAILED]


def test_render_again_of_drafts_only_answers_with_a_message(drafts):
    draft = Invoice.objects.filter(status=InvoiceStatus.DRAFT).first()
    response = act(client_for(drafts, "finance"), "invoice", "retry_documents", draft)
    assert response.status_code == 302
    assert not BillingBatch.objects.exists()


def test_finance_resumes_a_failed_batch_in_the_admin(drafts, django_capture_on_commit_callbacks):
    # given a batch that failed half-way (e.g. the database went away)
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_start(season=drafts.membership_a.season, year=2021, actor=drafts.finance)
    Invoice.objects.filter(batch=batch).update(document_status=DocumentStatus.PENDING)
    BillingBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        act(client_for(drafts, "finance"), "billingbatch", "resume", batch)

    # then
    assert_finished_once(batch)


def test_a_draft_refused_by_one_batch_is_tried_again_by_the_next(
    drafts, django_capture_on_commit_callbacks
):
    # given a batch that could not issue Ylöjärvi's draft (no e-invoice operator ID)
    drafts.municipality_a.einvoice_operator = ""
    drafts.municipality_a.save()
    season = drafts.membership_a.season
    with django_capture_on_commit_callbacks(execute=True):
        first = batch_start(season=season, year=2021, actor=drafts.finance)
    first.refresh_from_db()
    assert (first.total, first.issued, first.failed) == (4, 3, 1)
    assert "Ylöjärvi (980)" in first.message

    # when the operator ID is added and the drafts are issued again in a batch
    drafts.municipality_a.einvoice_operator = "003723327487"
    drafts.municipality_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        second = batch_start(season=season, year=2021, actor=drafts.finance)

    # then the second batch takes just that draft and issues it
    second.refresh_from_db()
    assert (second.total, second.issued, second.rendered, second.failed) == (1, 1, 1, 0)
    assert second.message == ""
    assert not Invoice.objects.filter(status=InvoiceStatus.DRAFT).exists()
