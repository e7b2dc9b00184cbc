"""The season reports' background task (Django's Tasks API; django-tasks-db in production)."""

from django.tasks import task

from uso_portal.leases import resumable


@resumable
@task
def render_season_report_batch(batch_id: int) -> None:
    """Render what is left of a batch of season reports (idempotent)."""
    from .batches import RUNNER

    RUNNER.run(batch_id)
