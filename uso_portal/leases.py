"""The stale-lease rule for background tasks (django-tasks-db).

django-tasks-db 0.13 marks a task RUNNING when a worker claims it and SUCCESSFUL or FAILED when
the worker finishes it; it has no heartbeat, so a task whose worker was killed (`kill -9`, OOM,
a lost machine) stays RUNNING for ever and nobody runs it again. The rule here: a task RUNNING
for longer than `TASK_LEASE` seconds has been abandoned. `expire_abandoned_tasks` marks it
FAILED (`LeaseExpired`, with the workers that held it) and enqueues it again when its task is
registered as resumable (idempotent: running it twice does no harm). `/healthz` answers 503
while such a task exists, and the project's `db_worker` applies the rule at start and every
lease/2 (billing's management command).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

DB_BACKEND = "django_tasks_db.DatabaseBackend"
RESUMABLE: set[str] = set()  # module paths of tasks that may simply run again


class LeaseExpired(Exception):
    """Recorded as the error of a task whose worker stopped while running it."""


def resumable(task):
    """Register a task (decorated with @task) as safe to enqueue again when it was abandoned."""
    RESUMABLE.add(task.module_path)
    return task


def uses_database_backend() -> bool:
    return settings.TASKS["default"]["BACKEND"] == DB_BACKEND


def task_lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.TASK_LEASE)


def overdue_tasks(now: datetime.datetime | None = None) -> tuple[Q, Q]:
    """(ready tasks waiting longer than TASK_WORKER_MAX_WAIT, running tasks past their lease)"""
    from django_tasks_db.models import get_date_max

    now = now or timezone.now()
    wait_limit = now - datetime.timedelta(seconds=settings.TASK_WORKER_MAX_WAIT)
    waiting = Q(status="READY") & (
        Q(run_after=get_date_max(), enqueued_at__lt=wait_limit) | Q(run_after__lt=wait_limit)
    )
    stuck = Q(status="RUNNING", started_at__lt=now - task_lease())
    return waiting, stuck


def abandoned_tasks(now: datetime.datetime | None = None) -> QuerySet:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(overdue_tasks(now)[1])


def task_abandon(task_id: str, *, reason: str) -> bool:
    """Mark one RUNNING task FAILED as abandoned (its worker is known to be gone)."""
    if not task_id or not uses_database_backend():
        return False
    from django_tasks_db.models import DBTaskResult

    return bool(
        DBTaskResult.objects.filter(pk=task_id, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path=f"{LeaseExpired.__module__}.{LeaseExpired.__qualname__}",
            traceback=reason,
        )
    )


def expire_abandoned_tasks(now: datetime.datetime | None = None) -> list[str]:
    """Apply the rule; returns the ids of the tasks marked abandoned."""
    if not uses_database_backend():
        return []
    expired = []
    with transaction.atomic():
        for row in abandoned_tasks(now).select_for_update(skip_locked=True):
            workers = ", ".join(row.worker_ids) or "?"
            reason = (
                f"LeaseExpired: running since {row.started_at:%Y-%m-%d %H:%M:%S %Z}, longer than "
                f"TASK_LEASE ({settings.TASK_LEASE} s); worker {workers} stopped."
            )
            task_abandon(str(row.pk), reason=reason)
            expired.append(str(row.pk))
            if row.task_path in RESUMABLE:
                arguments, task = row.args_kwargs, row.task
                transaction.on_commit(
                    lambda task=task, arguments=arguments: task.enqueue(
                        *arguments["args"], **arguments["kwargs"]
                    )
                )
                logger.warning("task %s (%s) abandoned; enqueued again", row.pk, row.task_path)
            else:  # its own retry rule (e.g. an outbox) or staff decide
                logger.error("task %s (%s) abandoned; not resumable", row.pk, row.task_path)
    return expired


# Batches of other apps that follow the same lease rule as billing's: each app registers, at
# start-up, a function `(now) -> queryset of its abandoned batches` and a function
# `(now) -> list of the batches it queued again`; billing's `sweep` and `/healthz` use them all.
BATCH_KINDS: list[tuple[str, object, object]] = []


def register_batches(name: str, *, abandoned, resume) -> None:
    if all(existing != name for existing, _a, _r in BATCH_KINDS):
        BATCH_KINDS.append((name, abandoned, resume))


def claim_batch(queryset: QuerySet, pk: int, *, lease: datetime.timedelta, running: str, done):
    """Take a resumable batch (a model with `status`, `attempts` and `lease_expires_at`) for this
    run: None when it is `done` or another run holds a live lease; else RUNNING with a new lease
    and one more attempt. Billing's invoice batches and the analysis report batches share it."""
    now = timezone.now()
    with transaction.atomic():
        batch = queryset.select_for_update(of=("self",)).get(pk=pk)
        if batch.status in done:
            return None
        if batch.status == running and (batch.lease_expires_at or now) > now:
            return None  # another run holds it (a running batch has a lease)
        batch.status = running
        batch.attempts += 1
        batch.lease_expires_at = now + lease
        batch.save(update_fields=["status", "attempts", "lease_expires_at"])
    return batch


def expired_batches(queryset: QuerySet, *, running: str, now: datetime.datetime | None = None):
    """The RUNNING batches whose lease has expired: their worker has stopped."""
    return queryset.filter(status=running, lease_expires_at__lt=now or timezone.now())
