"""Counting the queries of a request, and reading what a response shows, for query-count tests."""

from __future__ import annotations

import csv
import io
import zipfile

from django.db import connection
from django.test.utils import CaptureQueriesContext

SQL_WIDTH = 400  # of each query in a failure message: the FROM and WHERE of most queries


class Captured:
    """The queries of one block: `len(captured)`, and `captured.sql` for a failure message."""

    def __init__(self, context: CaptureQueriesContext):
        self.queries = [query["sql"] for query in context.captured_queries]

    def __len__(self) -> int:
        return len(self.queries)

    @property
    def sql(self) -> str:
        return "\n".join(
            f"{number:3d}. {sql[:SQL_WIDTH]}" for number, sql in enumerate(self.queries, 1)
        )


def get_counted(client, url: str, data: dict | None = None):
    """GET `url`; the response (content read, so streaming responses are counted too) and the
    queries it made."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, data or {})
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body, Captured(context)


def difference(one: Captured, many: Captured, rows: int) -> str:
    """A failure message that shows both query lists, so the repeated query stands out."""
    return (
        f"{len(one)} queries with 1 row, {len(many)} with {rows} rows: an N+1?\n"
        f"--- 1 row ---\n{one.sql}\n--- {rows} rows ---\n{many.sql}"
    )


def shown_text(response, body: bytes) -> str:
    """What a person sees of a response, as text: HTML, CSV, calendars, XLSX, PDF, ZIP."""
    content_type = response.get("Content-Type", "").split(";")[0]
    if content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        return xlsx_text(body)
    if content_type == "application/pdf":
        return pdf_text(body)
    if content_type == "application/zip":
        return zip_text(body)
    text = body.decode()
    if content_type == "text/calendar":
        return text.replace("\r\n ", "")  # unfold long lines (RFC 5545 3.1)
    if content_type == "text/csv":
        return "\n".join(";".join(row) for row in csv.reader(io.StringIO(text), delimiter=";"))
    return text


def xlsx_text(body: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(body), read_only=True)
    return "\n".join(
        "\t".join("" if value is None else str(value) for value in row)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def zip_text(body: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        parts = [*archive.namelist()]
        parts += [
            archive.read(name).decode(errors="replace")
            for name in archive.namelist()
            if name.endswith(".csv")
        ]
    return "\n".join(parts)
