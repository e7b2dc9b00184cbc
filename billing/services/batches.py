"""Issuing a season's drafts of a year in bulk: numbers first (short transactions, in order),
then the documents, on every core in-process or by the background task worker."""

from __future__ import annotations

import datetime
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from municipalities.models import Season, User

from ..models import BatchStatus, BillingBatch, DocumentStatus, Invoice, InvoiceStatus
from ..rendering import render_job, worker_setup
from .issuing import invoice_issue, render_documents, store_documents

logger = logging.getLogger(__name__)


@dataclass
class IssueResult:
    issued: list[Invoice] = field(default_factory=list)
    rendered: int = 0
    problems: list[str] = field(default_factory=list)


def drafts_of(season: Season, year: int):
    return (
        Invoice.objects.filter(membership__season=season, year=year, status=InvoiceStatus.DRAFT)
        .select_related("membership__municipality")
        .order_by("membership__municipality__code", "kind", "pk")
    )


def issue_drafts(
    *,
    season: Season,
    year: int,
    actor: User,
    batch: BillingBatch | None = None,
    today: datetime.date | None = None,
) -> IssueResult:
    """Issue every draft of the season and year, each in its own short transaction."""
    result = IssueResult()
    for draft in drafts_of(season, year):
        try:
            invoice = invoice_issue(invoice=draft, actor=actor, today=today)
        except ValidationError as error:
            name = draft.membership.municipality.name_fi
            result.problems.append(f"{name}: {' '.join(error.messages)}")
            if batch is not None:
                BillingBatch.objects.filter(pk=batch.pk).update(failed=F("failed") + 1)
            continue
        if batch is not None:
            Invoice.objects.filter(pk=invoice.pk).update(batch=batch)
            BillingBatch.objects.filter(pk=batch.pk).update(issued=F("issued") + 1)
        result.issued.append(invoice)
    return result


def render_in_processes(invoices: list[Invoice], *, workers: int = 2) -> tuple[int, list[str]]:
    """Render documents of issued invoices on several cores; the parent stores them."""
    jobs = [
        (invoice.pk, invoice.snapshot, f"{invoice.number}-1", invoice.issued_at)
        for invoice in invoices
        if invoice.document_status != DocumentStatus.READY
    ]
    if not jobs:
        return 0, []
    by_id = {invoice.pk: invoice for invoice in invoices}
    rendered, problems = 0, []
    # "spawn": fresh worker processes that never share the parent's database connection (they
    # render from snapshots and touch no database).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=worker_setup
    ) as pool:
        for invoice_id, pdf, xml, error in pool.map(render_job, jobs, chunksize=4):
            invoice = by_id[invoice_id]
            if error:
                Invoice.objects.filter(pk=invoice_id).update(
                    document_status=DocumentStatus.FAILED, render_error=error
                )
                problems.append(f"{invoice.number}: {error}")
                continue
            store_documents(invoice, pdf, xml)
            rendered += 1
    return rendered, problems


@transaction.atomic
def batch_start(*, season: Season, year: int, actor: User) -> BillingBatch:
    """Record a batch and hand it to the task worker (run at once by the immediate backend)."""
    from ..tasks import issue_batch

    batch = BillingBatch.objects.create(
        season=season, year=year, created_by=actor, total=drafts_of(season, year).count()
    )
    transaction.on_commit(lambda: _enqueue(issue_batch, batch))
    return batch


def _enqueue(task, batch: BillingBatch) -> None:
    result = task.enqueue(batch.pk)
    BillingBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id))


def batch_run(batch_id: int) -> None:
    """The task body: issue then render one invoice at a time, updating the progress."""
    batch = BillingBatch.objects.select_related("season", "created_by").get(pk=batch_id)
    BillingBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING)
    try:
        result = issue_drafts(
            season=batch.season, year=batch.year, actor=batch.created_by, batch=batch
        )
        for invoice in result.issued:
            render_documents(invoice)
            field_name = "rendered" if invoice.document_status == DocumentStatus.READY else "failed"
            BillingBatch.objects.filter(pk=batch.pk).update(**{field_name: F(field_name) + 1})
        status = BatchStatus.FINISHED
        message = "\n".join(result.problems)
    except Exception as error:
        logger.exception("billing batch %s failed", batch.pk)
        status, message = BatchStatus.FAILED, f"{type(error).__name__}: {error}"
    BillingBatch.objects.filter(pk=batch.pk).update(
        status=status, message=message, finished_at=timezone.now()
    )


def retry_failed_documents() -> int:
    """Render again every issued invoice whose documents are missing or failed."""
    count = 0
    for invoice in Invoice.objects.exclude(status=InvoiceStatus.DRAFT).exclude(
        document_status=DocumentStatus.READY
    ):
        if render_documents(invoice) is not None:
            count += 1
    return count
