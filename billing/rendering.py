"""Rendering an issued invoice's documents from its snapshot; no database access, so it can run
in worker processes (`billing_issue` renders on every core)."""

from __future__ import annotations

import datetime
from typing import Any

from .documents import InvoiceDocument


def render_pair(
    snapshot: dict[str, Any], *, message_id: str, timestamp: datetime.datetime | None
) -> tuple[bytes, bytes]:
    """(PDF, Finvoice XML) of a snapshot; the Finvoice is validated against the XSD."""
    from .finvoice import build_validated_finvoice
    from .pdf import render_invoice_pdf

    document = InvoiceDocument.from_snapshot(snapshot)
    pdf = render_invoice_pdf(document)
    xml = build_validated_finvoice(document, message_id=message_id, timestamp=timestamp)
    return pdf, xml


def worker_setup() -> None:
    """Initializer of a rendering worker process."""
    import django

    django.setup()


def render_job(job: tuple[int, dict[str, Any], str, datetime.datetime | None]):
    """Process-pool job: (invoice id, snapshot, message id, timestamp) → (id, pdf, xml, error)."""
    invoice_id, snapshot, message_id, timestamp = job
    try:
        pdf, xml = render_pair(snapshot, message_id=message_id, timestamp=timestamp)
    except Exception as error:  # reported back and recorded on the invoice
        return invoice_id, None, None, f"{type(error).__name__}: {error}"
    return invoice_id, pdf, xml, ""
