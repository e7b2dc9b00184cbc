"""`manage.py billing_resume`: apply the stale-lease rule now (cron, or after a crash).

Billing batches whose worker stopped (no sign of life for BILLING_BATCH_LEASE seconds) are
queued again and continue where they stopped; tasks running longer than TASK_LEASE are marked
abandoned and, when they are resumable, enqueued again. `db_worker` does the same by itself;
this command is for monitoring scripts and for a recovery by hand. Exit status 0.
"""

from django.core.management.base import BaseCommand

from billing.services.batches import sweep


class Command(BaseCommand):
    help = "Queue abandoned billing batches again and mark abandoned background tasks."

    def handle(self, *args, **options) -> None:
        result = sweep()
        for batch in result.batches:
            self.stdout.write(f"RESUMED batch {batch.pk} ({batch})")
        for task_id in result.tasks:
            self.stdout.write(f"ABANDONED task {task_id}")
        self.stdout.write(
            f"{len(result.batches)} batch(es) queued again; "
            f"{len(result.tasks)} abandoned task(s) marked."
        )
