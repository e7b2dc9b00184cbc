"""Background tasks of the analysis (Django's Tasks API; django-tasks-db in production)."""

from django.tasks import task

from uso_portal.leases import resumable


@resumable
@task
def render_report_batch(batch_id: int) -> None:
    """Render what is left of a batch of analysis reports (idempotent)."""
    from .batches import report_batch_run

    report_batch_run(batch_id)
