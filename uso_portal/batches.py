"""Resumable background batches of stored documents (one PDF per member), shared by the apps.

A batch (`DocumentBatch`) is the work: who started it, its progress, its lease. A document
(`StoredDocument`) is one member's PDF, kept in the document storage under MEDIA_ROOT/private
and replaced when a later batch renders it again. The analysis reports and the season reports
are such batches; each app has its concrete models and a `DocumentBatchRunner` that names them,
the function that renders one document and the task that runs a batch.

The rules, the same as billing's batches (`uso_portal/leases.py`):

* a run claims the batch with a lease and renews it after every document; a worker that dies
  leaves the batch RUNNING with an expiring lease, the stale-lease sweep (`db_worker`,
  `billing_resume`) queues it again and the next run continues where it stopped;
* a run renders only the documents of the batch that this batch has not rendered yet, the
  counters are counted from the documents, so nothing is rendered twice;
* each document is stored atomically (whole or not at all) and its row updated in its own
  short transaction; one that fails is recorded with its reason (keeping its earlier version,
  still downloadable) and never stops the others.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import leases

logger = logging.getLogger(__name__)


class BatchStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Queued")
    RUNNING = "running", gettext_lazy("Running")
    FINISHED = "finished", gettext_lazy("Finished")
    FAILED = "failed", gettext_lazy("Failed")


class DocumentStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Waiting")
    READY = "ready", gettext_lazy("Ready")
    FAILED = "failed", gettext_lazy("Rendering failed")


ACTIVE = (BatchStatus.QUEUED, BatchStatus.RUNNING)
DONE = (BatchStatus.FINISHED, BatchStatus.FAILED)


class DocumentBatch(models.Model):
    """The fields and progress of a batch of a season's documents; the concrete model adds
    what else it is a batch of."""

    season = models.ForeignKey(
        "municipalities.Season",
        verbose_name=gettext_lazy("season"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        gettext_lazy("status"),
        max_length=10,
        choices=BatchStatus.choices,
        default=BatchStatus.QUEUED,
    )
    total = models.PositiveIntegerField(gettext_lazy("reports"), default=0)
    ready = models.PositiveIntegerField(gettext_lazy("ready"), default=0)
    failed = models.PositiveIntegerField(gettext_lazy("failed"), default=0)
    message = models.TextField(gettext_lazy("message"), blank=True)
    task_id = models.CharField(gettext_lazy("task"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(gettext_lazy("runs"), default=0)
    lease_expires_at = models.DateTimeField(gettext_lazy("lease expires"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("started"), auto_now_add=True)
    finished_at = models.DateTimeField(gettext_lazy("finished"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.season.slug} #{self.pk} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def progress_percent(self) -> int:
        if not self.total:
            return 100 if self.status == BatchStatus.FINISHED else 0
        return round(100 * (self.ready + self.failed) / self.total)

    def is_abandoned(self, now: datetime.datetime | None = None) -> bool:
        """Running, but its lease has expired: the worker has stopped."""
        return (
            self.status == BatchStatus.RUNNING
            and self.lease_expires_at is not None
            and self.lease_expires_at < (now or timezone.now())
        )


class StoredDocument(models.Model):
    """One member's PDF: its language, state and stored file. The concrete model adds the
    member, the `batch` foreign key (related name `documents` is not required) and its rule."""

    language = models.CharField(gettext_lazy("language"), max_length=5)
    status = models.CharField(
        gettext_lazy("status"),
        max_length=10,
        choices=DocumentStatus.choices,
        default=DocumentStatus.PENDING,
    )
    file = models.CharField(gettext_lazy("file"), max_length=300, blank=True)
    size = models.PositiveIntegerField(gettext_lazy("size (bytes)"), default=0)
    error = models.TextField(gettext_lazy("error"), blank=True)
    rendered_at = models.DateTimeField(gettext_lazy("rendered"), null=True, blank=True)

    class Meta:
        abstract = True


def batch_lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.BILLING_BATCH_LEASE)


def _storage():
    from billing.storage import get_document_storage

    return get_document_storage()


@dataclass(frozen=True)
class DocumentBatchRunner:
    """The batch machinery for one pair of concrete models.

    `render(document) -> bytes` renders one document (looked up at call time, so a test may
    replace the function it calls); `file_name(document)` is its stored name; `task` the
    resumable task (`@resumable @task`) that calls `run(batch_id)`; `select` the relations a
    document's rendering reads."""

    name: str  # in logs and the stale-lease reason, e.g. "analysis report batch"
    batch_model: type[DocumentBatch]
    document_model: type[StoredDocument]
    render: Callable[[StoredDocument], bytes]
    file_name: Callable[[StoredDocument], str]
    task: Callable[[], object]  # returns the task (imported lazily: tasks import the runner)
    select: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ("pk",)

    # --- starting -----------------------------------------------------------------------------

    def refuse_if_running(self, **of) -> None:
        running = self.batch_model.objects.filter(status__in=ACTIVE, **of).first()
        if running is not None:
            raise ValidationError(
                _("Batch #%(number)s of this season's reports is still running.")
                % {"number": running.pk}
            )

    def start(self, batch: DocumentBatch, documents: Iterable[StoredDocument]) -> DocumentBatch:
        """Attach the (new or existing) documents to the new batch and queue it after commit.
        A ready document stays downloadable until its new version replaces it."""
        for document in documents:
            document.batch = batch
            if document.status != DocumentStatus.READY:
                document.status = DocumentStatus.PENDING
            document.error = ""
            document.save()
        self.refresh_counts(batch)
        transaction.on_commit(lambda: self.enqueue(batch))
        return batch

    def enqueue(self, batch: DocumentBatch) -> None:
        result = self.task().enqueue(batch.pk)
        self.batch_model.objects.filter(pk=batch.pk).update(task_id=str(result.id))

    # --- running ------------------------------------------------------------------------------

    def run(self, batch_id: int) -> None:
        """The task body: render what is left of the batch, renewing its lease after each."""
        batch = leases.claim_batch(
            self.batch_model.objects.all(),
            batch_id,
            lease=batch_lease(),
            running=BatchStatus.RUNNING,
            done=DONE,
        )
        if batch is None:
            return
        try:
            problems = self._work(batch)
        except Exception as error:  # the batch says so; the worker goes on with other tasks
            logger.exception("%s %s failed", self.name, batch.pk)
            self._finish(batch, BatchStatus.FAILED, [f"{type(error).__name__}: {error}"])
        else:
            self._finish(batch, BatchStatus.FINISHED, problems)

    def left_of(self, batch: DocumentBatch):
        """The documents a run of the batch still has to render (a rerun: the failed ones)."""
        return (
            self.document_model.objects.filter(batch=batch)
            .filter(Q(rendered_at__isnull=True) | Q(rendered_at__lt=batch.created_at))
            .select_related(*self.select)
            .order_by(*self.order_by)
        )

    def _work(self, batch: DocumentBatch) -> list[str]:
        problems = []
        for document in self.left_of(batch):
            error = self.render_document(document)
            if error:
                problems.append(f"{self.owner_name(document)}: {error}")
            self.refresh_counts(batch, renew=True)
        return problems

    @staticmethod
    def owner_name(document: StoredDocument) -> str:
        return str(document.municipality.name)

    def render_document(self, document: StoredDocument) -> str:
        """Render and store one document; returns why it failed ('' when it is ready).

        A document that fails keeps the file of its earlier version (still READY and
        downloadable) and says why the new one failed; one without an earlier version FAILS."""
        rows = self.document_model.objects.filter(pk=document.pk)
        try:
            pdf = self.render(document)
            name = _storage().save(self.file_name(document), ContentFile(pdf))
        except Exception as error:  # recorded on the document; the next one goes on
            logger.exception("%s: document %s failed", self.name, document.pk)
            reason = f"{type(error).__name__}: {error}".replace("\n", " ")[:500]
            status = DocumentStatus.READY if document.file else DocumentStatus.FAILED
            rows.update(status=status, error=reason, rendered_at=timezone.now())
            return reason
        rows.update(
            status=DocumentStatus.READY,
            file=name,
            size=len(pdf),
            error="",
            rendered_at=timezone.now(),
        )
        if document.file and document.file != name:
            remove_file(document.file)  # the earlier version, now replaced
        return ""

    def counts(self, batch: DocumentBatch) -> dict[str, int]:
        done = Q(rendered_at__gte=batch.created_at)  # by this batch (a document is in one)
        return self.document_model.objects.filter(batch=batch).aggregate(
            total=Count("pk"),
            ready=Count("pk", filter=done & Q(error="")),
            failed=Count("pk", filter=done & ~Q(error="")),
        )

    def refresh_counts(self, batch: DocumentBatch, *, renew: bool = False) -> None:
        counts = self.counts(batch)
        if renew:
            counts["lease_expires_at"] = batch.lease_expires_at = timezone.now() + batch_lease()
        self.batch_model.objects.filter(pk=batch.pk).update(**counts)
        for name, value in counts.items():
            setattr(batch, name, value)

    def _finish(self, batch: DocumentBatch, status: str, problems: list[str]) -> None:
        self.batch_model.objects.filter(pk=batch.pk).update(
            status=status,
            message="\n".join(problems),
            finished_at=timezone.now(),
            lease_expires_at=None,
            **self.counts(batch),
        )

    # --- resuming -----------------------------------------------------------------------------

    def abandoned(self, now: datetime.datetime | None = None):
        return leases.expired_batches(
            self.batch_model.objects, running=BatchStatus.RUNNING, now=now
        )

    def resume(self, *, batch: DocumentBatch, reason: str = "") -> DocumentBatch:
        """Queue an abandoned or failed batch again; it continues where it stopped."""
        with transaction.atomic():
            batch = self.batch_model.objects.select_for_update().get(pk=batch.pk)
            if batch.status == BatchStatus.FINISHED and not batch.failed:
                raise ValidationError(_("The batch is finished; there is nothing left to do."))
            expired = batch.lease_expires_at is not None and batch.lease_expires_at < timezone.now()
            if batch.status == BatchStatus.RUNNING and not expired:
                raise ValidationError(_("The batch is running; its worker is alive."))
            reason = reason or "LeaseExpired: the batch was resumed"
            leases.task_abandon(batch.task_id, reason=reason)
            if batch.status == BatchStatus.FINISHED:  # again for the failed ones
                failed = self.document_model.objects.filter(batch=batch).exclude(error="")
                failed.update(rendered_at=None)
            batch.status = BatchStatus.QUEUED
            batch.lease_expires_at = None
            batch.save(update_fields=["status", "lease_expires_at"])
            transaction.on_commit(lambda: self.enqueue(batch))
        return batch

    def resume_abandoned(self, now: datetime.datetime | None = None) -> list[DocumentBatch]:
        """The stale-lease rule for these batches (called by billing's `sweep`)."""
        resumed = []
        for batch in self.abandoned(now).order_by("pk"):
            reason = f"LeaseExpired: {self.name} {batch.pk} showed no sign of life; worker stopped."
            try:
                resumed.append(self.resume(batch=batch, reason=reason))
            except ValidationError:  # resumed or finished meanwhile
                continue
            logger.warning("%s %s was abandoned; queued again", self.name, batch.pk)
        return resumed

    def connect(self, label: str) -> None:
        """At start-up: the stale-lease sweep and `/healthz` know these batches, and a deleted
        document takes its file along."""
        from django.db.models.signals import post_delete

        leases.register_batches(label, abandoned=self.abandoned, resume=self.resume_abandoned)
        post_delete.connect(
            document_deleted, sender=self.document_model, dispatch_uid=f"{label}_document_file"
        )


def remove_file(name: str) -> None:
    """Delete a stored document; a missing one or a storage error is logged, not raised."""
    try:
        _storage().delete(name)
    except OSError:
        logger.warning("document file %s could not be removed", name, exc_info=True)


def document_deleted(sender, instance: StoredDocument, **kwargs) -> None:
    """A deleted document (its member deleted, or staff in the admin) takes its file along,
    once the deletion has committed (a rolled-back delete keeps it)."""
    if instance.file:
        transaction.on_commit(lambda: remove_file(instance.file))


def open_stored(document: StoredDocument):
    """The stored file of a ready document, opened for reading; 404 when it is gone."""
    from django.http import Http404

    storage = _storage()
    if not storage.exists(document.file):
        raise Http404("The report's file is missing; produce the season's reports again.")
    return storage.open(document.file, "rb")
