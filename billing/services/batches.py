"""Billing work in bulk: issuing a season's drafts of a year (numbers first, in short
transactions and in order, then the documents) and rendering documents again, on every core
in-process (`billing_issue`) or as a batch run by the background task worker.

Every run is idempotent and resumable: it does only what is left (drafts not yet issued, issued
invoices whose documents are missing), and a batch's counters are counted from its invoices. A
running batch renews its lease after every invoice; one whose lease has expired was abandoned by
a worker that died, and `sweep` (run by `db_worker`, `billing_resume` and `billing_issue`) puts
it back in the queue, where it continues where it stopped.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities.models import Season, User
from uso_portal import leases

from ..models import (
    BatchKind,
    BatchStatus,
    BillingBatch,
    DocumentStatus,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
)
from ..rendering import render_job, render_pool
from .documents import mark_documents_missing, render_documents, store_documents
from .issuing import AlreadyIssued, invoice_issue

logger = logging.getLogger(__name__)

Progress = Callable[[], None]


def _nothing() -> None:
    return None


@dataclass
class IssueResult:
    issued: list[Invoice] = field(default_factory=list)
    rendered: int = 0
    problems: list[str] = field(default_factory=list)


def drafts_of(season: Season, year: int):
    """The drafts a bulk run issues: never credit notes (they are issued one by one)."""
    return (
        Invoice.objects.filter(membership__season=season, year=year, status=InvoiceStatus.DRAFT)
        .exclude(kind=InvoiceKind.CREDIT_NOTE)
        .select_related("membership__municipality")
        .order_by("membership__municipality__code", "kind", "pk")
    )


def credit_note_drafts_of(season: Season, year: int) -> int:
    return Invoice.objects.filter(
        membership__season=season,
        year=year,
        status=InvoiceStatus.DRAFT,
        kind=InvoiceKind.CREDIT_NOTE,
    ).count()


def issued_of(season: Season, year: int):
    return (
        Invoice.objects.filter(membership__season=season, year=year)
        .exclude(status=InvoiceStatus.DRAFT)
        .order_by("number")
    )


def issue_drafts(
    *,
    season: Season,
    year: int,
    actor: User,
    today: datetime.date | None = None,
    drafts: Iterable[Invoice] | None = None,
    on_progress: Progress = _nothing,
) -> IssueResult:
    """Issue every draft (default: of the season and year), each in its own short transaction.

    A draft issued meanwhile by someone else is skipped; a refused one keeps its reason in
    `issue_error` (shown in the admin) and in the result's problems.
    """
    result = IssueResult()
    for draft in drafts_of(season, year) if drafts is None else drafts:
        try:
            invoice = invoice_issue(invoice=draft, actor=actor, today=today)
        except AlreadyIssued:
            continue
        except ValidationError as error:
            problem = " ".join(error.messages)
            Invoice.objects.filter(pk=draft.pk).update(issue_error=problem)
            result.problems.append(problem)
        else:
            result.issued.append(invoice)
        on_progress()
    return result


def render_in_processes(
    invoices: list[Invoice], *, workers: int = 2, on_progress: Progress = _nothing
) -> tuple[int, list[str]]:
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
    with render_pool(workers) as pool:
        for invoice_id, pdf, xml, error in pool.map(render_job, jobs, chunksize=4):
            invoice = by_id[invoice_id]
            if error:
                Invoice.objects.filter(pk=invoice_id).update(
                    document_status=DocumentStatus.FAILED, render_error=error
                )
                problems.append(f"{invoice.number}: {error}")
            elif store_documents(invoice, pdf, xml):
                rendered += 1
            elif invoice.document_status != DocumentStatus.READY:
                problems.append(f"{invoice.number}: {invoice.render_error}")
            on_progress()
    return rendered, problems


# --- Batches ----------------------------------------------------------------------------------


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.BILLING_BATCH_LEASE)


def _lease_expired(batch: BillingBatch) -> bool:
    return batch.lease_expires_at is not None and batch.lease_expires_at < timezone.now()


def abandoned_batches(now: datetime.datetime | None = None):
    """Running batches whose worker has shown no sign of life for longer than the lease."""
    return leases.expired_batches(BillingBatch.objects, running=BatchStatus.RUNNING, now=now)


@transaction.atomic
def batch_start(*, season: Season, year: int, actor: User) -> BillingBatch:
    """Record a batch of the season's drafts of a year and hand it to the task worker (run at
    once by the immediate backend). The batch takes the drafts no other active batch holds."""
    batch = BillingBatch.objects.create(
        kind=BatchKind.ISSUE, season=season, year=year, created_by=actor
    )
    drafts_of(season, year).filter(
        Q(batch__isnull=True) | ~Q(batch__status__in=[BatchStatus.QUEUED, BatchStatus.RUNNING])
    ).update(batch=batch, issue_error="")  # an earlier refusal is tried again
    _refresh_counts(batch)
    transaction.on_commit(lambda: _enqueue(batch))
    return batch


@transaction.atomic
def render_batch_start(*, invoice_ids: list[int], actor: User) -> BillingBatch:
    """Render the missing or failed documents of the given issued invoices in the background."""
    ids = sorted(
        Invoice.objects.filter(pk__in=invoice_ids)
        .exclude(status=InvoiceStatus.DRAFT)
        .values_list("pk", flat=True)
    )
    if not ids:
        raise ValidationError(_("Select issued invoices: drafts have no documents."))
    batch = BillingBatch.objects.create(kind=BatchKind.RENDER, invoice_ids=ids, created_by=actor)
    _refresh_counts(batch)
    transaction.on_commit(lambda: _enqueue(batch))
    return batch


def _enqueue(batch: BillingBatch) -> None:
    from ..tasks import issue_batch

    result = issue_batch.enqueue(batch.pk)
    BillingBatch.objects.filter(pk=batch.pk).update(task_id=str(result.id))


def batch_run(batch_id: int) -> None:
    """The task body: do what is left of the batch, renewing its lease after every invoice."""
    batch = _claim(batch_id)
    if batch is None:
        return
    try:
        problems = _work(batch)
    except Exception as error:
        logger.exception("billing batch %s failed", batch.pk)
        _finish(batch, BatchStatus.FAILED, [f"{type(error).__name__}: {error}"])
    else:
        _finish(batch, BatchStatus.FINISHED, problems)


def _claim(batch_id: int) -> BillingBatch | None:
    """Take the batch for this run, unless it is finished or another run holds a live lease."""
    return leases.claim_batch(
        BillingBatch.objects.select_related("season", "created_by"),
        batch_id,
        lease=lease(),
        running=BatchStatus.RUNNING,
        done=(BatchStatus.FINISHED, BatchStatus.FAILED),
    )


def _work(batch: BillingBatch) -> list[str]:
    def heartbeat() -> None:
        _refresh_counts(batch, renew=True)

    problems = []
    if batch.kind == BatchKind.ISSUE:
        drafts = drafts_of(batch.season, batch.year).filter(batch=batch)
        result = issue_drafts(
            season=batch.season,
            year=batch.year,
            actor=batch.created_by,
            drafts=drafts,
            on_progress=heartbeat,
        )
        problems += result.problems
    for invoice, _problem in mark_documents_missing(batch_invoices(batch).order_by("number")):
        render_documents(invoice)
        if invoice.document_status != DocumentStatus.READY:
            problems.append(f"{invoice.number}: {invoice.render_error}")
        heartbeat()
    return problems


def batch_invoices(batch: BillingBatch):
    """The issued invoices of a batch: those it issued, or those selected for rendering."""
    if batch.kind == BatchKind.ISSUE:
        rows = Invoice.objects.filter(batch=batch)
    else:
        rows = Invoice.objects.filter(pk__in=batch.invoice_ids)
    return rows.exclude(status=InvoiceStatus.DRAFT)


def _counts(batch: BillingBatch) -> dict[str, int]:
    if batch.kind == BatchKind.ISSUE:
        rows = Invoice.objects.filter(batch=batch)
    else:
        rows = Invoice.objects.filter(pk__in=batch.invoice_ids)
    refused = Q(status=InvoiceStatus.DRAFT) & ~Q(issue_error="")
    return rows.aggregate(
        total=Count("pk"),
        issued=Count("pk", filter=~Q(status=InvoiceStatus.DRAFT)),
        rendered=Count("pk", filter=Q(document_status=DocumentStatus.READY)),
        failed=Count("pk", filter=Q(document_status=DocumentStatus.FAILED) | refused),
    )


def _refresh_counts(batch: BillingBatch, *, renew: bool = False) -> None:
    counts = _counts(batch)
    if renew:
        counts["lease_expires_at"] = batch.lease_expires_at = timezone.now() + lease()
    BillingBatch.objects.filter(pk=batch.pk).update(**counts)
    for name, value in counts.items():
        setattr(batch, name, value)


def _finish(batch: BillingBatch, status: str, problems: list[str]) -> None:
    counts = _counts(batch)
    BillingBatch.objects.filter(pk=batch.pk).update(
        status=status,
        message="\n".join(problems),
        finished_at=timezone.now(),
        lease_expires_at=None,
        **counts,
    )


@transaction.atomic
def batch_resume(*, batch: BillingBatch, reason: str = "") -> BillingBatch:
    """Queue an abandoned or failed batch again; it continues where it stopped."""
    batch = BillingBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == BatchStatus.FINISHED:
        raise ValidationError(_("The batch is finished; there is nothing left to do."))
    if batch.status == BatchStatus.RUNNING and not _lease_expired(batch):
        raise ValidationError(_("The batch is running; its worker is alive."))
    leases.task_abandon(batch.task_id, reason=reason or "LeaseExpired: the batch was resumed")
    batch.status = BatchStatus.QUEUED
    batch.lease_expires_at = None
    batch.save(update_fields=["status", "lease_expires_at"])
    transaction.on_commit(lambda: _enqueue(batch))
    return batch


def resume_abandoned_batches(now: datetime.datetime | None = None) -> list[BillingBatch]:
    """Queue every abandoned batch again."""
    resumed = []
    for batch in abandoned_batches(now).order_by("pk"):
        reason = (
            f"LeaseExpired: batch {batch.pk} showed no sign of life after "
            f"{batch.lease_expires_at - lease():%Y-%m-%d %H:%M:%S %Z} (BILLING_BATCH_LEASE "
            f"{settings.BILLING_BATCH_LEASE} s); its worker stopped."
        )
        try:
            resumed.append(batch_resume(batch=batch, reason=reason))
        except ValidationError:  # resumed or finished meanwhile
            continue
        logger.warning("billing batch %s was abandoned; queued again", batch.pk)
    return resumed


@dataclass
class SweepResult:
    tasks: list[str]
    batches: list[BillingBatch]


def sweep(now: datetime.datetime | None = None) -> SweepResult:
    """The stale-lease rule for all background work: abandoned batches are queued again, and
    abandoned tasks are marked so (and enqueued again when resumable)."""
    batches = resume_abandoned_batches(now)
    for _name, _abandoned, resume in leases.BATCH_KINDS:
        batches += resume(now)
    return SweepResult(tasks=leases.expire_abandoned_tasks(now), batches=batches)


def batches_take_over(*, season: Season, year: int) -> list[BillingBatch]:
    """For `billing_issue`: the season's abandoned batches of the year, claimed for this run so
    that no worker resumes them meanwhile (their drafts and documents are done by the run)."""
    taken = []
    for batch in abandoned_batches().filter(season=season, year=year, kind=BatchKind.ISSUE):
        claimed = _claim(batch.pk)
        if claimed is not None:
            leases.task_abandon(claimed.task_id, reason="LeaseExpired: taken over by billing_issue")
            taken.append(claimed)
    return taken


def batches_renew(batches: list[BillingBatch]) -> None:
    if batches:
        BillingBatch.objects.filter(pk__in=[batch.pk for batch in batches]).update(
            lease_expires_at=timezone.now() + lease()
        )


def batch_close(batch: BillingBatch, *, problems: list[str]) -> None:
    """Finish a batch whose work another run (billing_issue) did."""
    _finish(batch, BatchStatus.FINISHED, problems)
