"""The documents of issued invoices: rendered after the commit, stored whole or not at all, and
checked against their SHA-256 before anyone relies on them.

A failure of any kind (the renderer, a full disk, a storage that refuses) leaves the invoice
issued with "Rendering failed" and the error, never "pending" and never a partial file; rendering
again is always safe (the frozen snapshot gives the same content, the file of a failed attempt is
replaced).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import DocumentStatus, Invoice

logger = logging.getLogger(__name__)

DOCUMENT_FIELDS = ["pdf", "finvoice", "pdf_sha256", "finvoice_sha256", "document_status"]


class DocumentsMissing(Exception):
    """An issued invoice's documents are not stored whole; the message says what is wrong."""

    def __init__(self, invoice: Invoice, problem: str):
        self.invoice, self.problem = invoice, problem
        super().__init__(f"{invoice.number}: {problem}")


def stored_documents(invoice: Invoice) -> tuple[bytes, bytes]:
    """The stored (PDF, Finvoice) of an issued invoice, each checked against its SHA-256;
    DocumentsMissing when they are not ready, not stored, unreadable or altered."""
    if invoice.document_status != DocumentStatus.READY:
        status = invoice.get_document_status_display()
        problem = f"{status}: {invoice.render_error}" if invoice.render_error else str(status)
        raise DocumentsMissing(invoice, problem)
    contents = []
    for field, digest, label in (
        (invoice.pdf, invoice.pdf_sha256, "PDF"),
        (invoice.finvoice, invoice.finvoice_sha256, "Finvoice"),
    ):
        if not field.name:
            raise DocumentsMissing(
                invoice, _("the %(document)s is not stored") % {"document": label}
            )
        try:
            with field.storage.open(field.name, "rb") as handle:
                content = handle.read()
        except OSError as error:
            raise DocumentsMissing(
                invoice,
                _("the stored %(document)s cannot be read (%(error)s)")
                % {"document": label, "error": error.strerror or error},
            ) from error
        if hashlib.sha256(content).hexdigest() != digest:
            raise DocumentsMissing(
                invoice,
                _("the stored %(document)s does not match its SHA-256") % {"document": label},
            )
        contents.append(content)
    return contents[0], contents[1]


def documents_problem(invoice: Invoice) -> str | None:
    """Why an issued invoice's documents are missing, or None when both are stored whole."""
    try:
        stored_documents(invoice)
    except DocumentsMissing as missing:
        return missing.problem
    return None


def mark_documents_missing(invoices) -> list[tuple[Invoice, str]]:
    """Check the stored documents of issued invoices; those marked ready whose files are gone,
    unreadable or altered become "Rendering failed" with the reason, so they are rendered again.
    Returns every invoice whose documents are missing, with why."""
    missing = []
    for invoice in invoices:
        problem = documents_problem(invoice)
        if problem is None:
            continue
        if invoice.document_status == DocumentStatus.READY:
            _record_failure(invoice, problem)
        missing.append((invoice, problem))
    return missing


def render_documents(invoice: Invoice) -> bytes | None:
    """Render and store the PDF and the Finvoice message once; returns the PDF, or None when
    they were already there or could not be made (then the invoice says why)."""
    from ..rendering import render_pair

    if invoice.document_status == DocumentStatus.READY:
        return None
    try:
        pdf, xml = render_pair(
            invoice.snapshot, message_id=f"{invoice.number}-1", timestamp=invoice.issued_at
        )
    except Exception as error:
        logger.exception("rendering invoice %s failed", invoice.number)
        _record_failure(invoice, f"{type(error).__name__}: {error}")
        return None
    return pdf if store_documents(invoice, pdf, xml) else None


def store_documents(invoice: Invoice, pdf: bytes, xml: bytes) -> bool:
    """Store rendered documents under the invoice's row lock (one writer at a time, so the
    files and their recorded SHA-256 always agree). False when they were stored meanwhile by
    someone else, or could not be stored (then "Rendering failed" says why)."""
    written = []
    try:
        with transaction.atomic():
            current = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if current.document_status == DocumentStatus.READY:
                _copy_documents(current, invoice)
                return False
            documents = ((current.pdf, pdf, "pdf"), (current.finvoice, xml, "xml"))
            for field, content, suffix in documents:
                field.save(f"{invoice.number}.{suffix}", ContentFile(content), save=False)
                written.append(field.name)
            current.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            current.finvoice_sha256 = hashlib.sha256(xml).hexdigest()
            current.document_status = DocumentStatus.READY
            current.render_error = ""
            current.save(update_fields=[*DOCUMENT_FIELDS, "render_error"])
    except OSError as error:
        logger.exception("storing the documents of invoice %s failed", invoice.number)
        storage = invoice.pdf.storage
        for name in written:  # nothing half-stored: both documents or neither
            with contextlib.suppress(OSError):
                storage.delete(name)
        _record_failure(
            invoice,
            _("The documents could not be stored: %(error)s") % {"error": _os_error(error)},
        )
        return False
    _copy_documents(current, invoice)
    invoice.render_error = ""
    return True


def _os_error(error: OSError) -> str:
    return f"{error.strerror} (errno {error.errno})" if error.strerror else str(error)


def _copy_documents(source: Invoice, target: Invoice) -> None:
    target.pdf.name, target.finvoice.name = source.pdf.name, source.finvoice.name
    target.pdf_sha256, target.finvoice_sha256 = source.pdf_sha256, source.finvoice_sha256
    target.document_status = source.document_status


def _record_failure(invoice: Invoice, error: str) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(
        document_status=DocumentStatus.FAILED, render_error=error
    )
    invoice.document_status, invoice.render_error = DocumentStatus.FAILED, error
