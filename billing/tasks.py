"""Background tasks (Django's Tasks API; the django-tasks-db backend in production).

Both are idempotent (they do what is left), so the stale-lease rule may enqueue them again when
their worker died (`uso_portal.leases`).
"""

from django.tasks import task

from uso_portal.leases import resumable


@resumable
@task
def issue_batch(batch_id: int) -> None:
    """Run a billing batch (issuing or rendering); does only what is left of it."""
    from .services.batches import batch_run

    batch_run(batch_id)


@resumable
@task
def render_invoice_documents(invoice_id: int) -> None:
    from .models import Invoice
    from .services import render_documents

    render_documents(Invoice.objects.get(pk=invoice_id))
