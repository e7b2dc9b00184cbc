"""`manage.py db_worker`: django-tasks-db's worker plus the stale-lease rule.

django-tasks-db leaves the work of a killed worker RUNNING for ever. This worker first sweeps
(abandoned billing batches are queued again, abandoned tasks marked and, when resumable,
enqueued again; see `billing.services.batches.sweep`), and keeps sweeping every lease/2 in a
background thread while it runs, so a worker started after a crash, or one that kept running
beside the one that died, finishes what is left. Options are those of django-tasks-db's worker.
"""

import logging
import threading

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

logger = logging.getLogger("billing.worker")


def sweep_once(*, close_connection: bool = False) -> None:
    from billing.services.batches import sweep

    try:
        result = sweep()
    except Exception:  # the worker goes on; the next sweep tries again
        logger.exception("the stale-lease sweep failed")
        return
    finally:
        if close_connection:  # the sweeping thread's own connection
            connection.close()
    for batch in result.batches:
        logger.warning("billing batch %s was abandoned by its worker; queued again", batch.pk)
    if result.tasks:
        logger.warning("abandoned tasks marked failed: %s", ", ".join(result.tasks))


def sweep_interval() -> float:
    return max(1.0, min(settings.BILLING_BATCH_LEASE, settings.TASK_LEASE) / 2)


def _keep_sweeping(stop: threading.Event) -> None:
    while not stop.wait(sweep_interval()):
        sweep_once(close_connection=True)


class Command(DatabaseWorkerCommand):
    help = "Run the background task worker (django-tasks-db) with the stale-lease sweep."

    def handle(self, *args, **options) -> None:
        sweep_once()
        stop = threading.Event()
        if not options.get("batch"):
            threading.Thread(
                target=_keep_sweeping, args=(stop,), name="lease-sweep", daemon=True
            ).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
