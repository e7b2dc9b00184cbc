"""Background tasks (Django's Tasks API; the django-tasks-db backend in production)."""

from django.tasks import task


@task
def issue_batch(batch_id: int) -> None:
    from .services.batches import batch_run

    batch_run(batch_id)


@task
def render_invoice_documents(invoice_id: int) -> None:
    from .models import Invoice
    from .services import render_documents

    render_documents(Invoice.objects.get(pk=invoice_id))
