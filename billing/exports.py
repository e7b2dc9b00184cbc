"""The invoice register for finance: CSV and XLSX, the stored PDFs and Finvoice messages."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.db.models import QuerySet

from uso_portal import spreadsheets, xlsx

from .models import Invoice, InvoiceStatus
from .services.documents import DocumentsMissing, stored_documents


class MissingDocuments(Exception):
    """Issued invoices of the export whose documents are missing: the export is refused."""

    def __init__(self, missing: list[str]):
        self.missing = missing  # "<number>: <why>" each
        super().__init__("; ".join(missing))


COLUMNS = [
    "invoice_number",
    "kind",
    "municipality_code",
    "municipality_name",
    "business_id",
    "invoice_date",
    "due_date",
    "reference",
    "net_total",
    "vat_total",
    "gross_total",
    "status",
]


def register_invoices(season, year: int, *, user=None) -> QuerySet[Invoice]:
    """The issued invoices of a season and year that `user` sees (`Invoice`'s rule); `user`
    None is the operator running `billing_export`, who sees every invoice."""
    invoices = Invoice.objects.all() if user is None else Invoice.objects.visible_to(user)
    return (
        invoices.filter(membership__season=season, year=year)
        .exclude(status=InvoiceStatus.DRAFT)
        .select_related("membership__municipality")
        .order_by("number")
    )


def register_rows(invoices) -> list[list[str]]:
    rows = []
    for invoice in invoices:
        buyer = (invoice.snapshot or {}).get("buyer", {})
        municipality = invoice.membership.municipality
        rows.append(
            [
                invoice.number,
                invoice.kind,
                municipality.code,
                buyer.get("name") or municipality.name_fi,
                buyer.get("business_id", ""),
                invoice.invoice_date.isoformat(),
                invoice.due_date.isoformat(),
                invoice.reference,
                f"{invoice.net_total:.2f}",
                f"{invoice.vat_total:.2f}",
                f"{invoice.gross_total:.2f}",
                invoice.status,
            ]
        )
    return rows


def register_csv(rows: list[list[str]]) -> bytes:
    return spreadsheets.csv_bytes(COLUMNS, rows)  # buyer names come from typed master data


def register_xlsx(rows: list[list[str]]) -> bytes:
    workbook = xlsx.new_workbook()
    typed = [[*row[:8], *(float(value) for value in row[8:11]), row[11]] for row in rows]
    xlsx.add_sheet(workbook, "register", COLUMNS, typed)
    return xlsx.to_bytes(workbook)


def export_files(invoices) -> dict[str, bytes]:
    """Every file of the export, keyed by its path inside the export directory or ZIP.

    All or nothing: MissingDocuments (naming each invoice) when a document of an issued invoice
    is not stored whole (checked against its SHA-256).
    """
    invoices = list(invoices)
    rows = register_rows(invoices)
    files = {"register.xlsx": register_xlsx(rows), "register.csv": register_csv(rows)}
    missing = []
    for invoice in invoices:
        try:
            pdf, xml = stored_documents(invoice)
        except DocumentsMissing as error:
            missing.append(f"{invoice.number}: {error.problem}")
            continue
        files[f"pdf/{invoice.number}.pdf"] = pdf
        files[f"finvoice/{invoice.number}.xml"] = xml
    if missing:
        raise MissingDocuments(missing)
    return files


def write_directory(files: dict[str, bytes], directory: Path) -> None:
    """Write the export into `directory`: first into a temporary directory beside it, then
    moved into place, so a failure (a full disk) leaves no partial export."""
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=directory))
    try:
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        for name in files:
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, directory / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in sorted(files.items()):
            archive.writestr(name, content)
    return buffer.getvalue()
