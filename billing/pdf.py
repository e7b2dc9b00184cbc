"""Invoice PDF: a frozen `InvoiceDocument` rendered with WeasyPrint, fetching nothing.

The template carries its CSS inline and the bank barcode is an inline SVG, so a render needs no
URL at all. `RestrictedURLFetcher` makes sure nothing slips in anyway: it answers `data:` URLs and
the files named in `ALLOWED_ASSETS` (inside `billing/static_pdf/`) and refuses everything else.
"""

import datetime
import functools
import logging
import mimetypes
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint.urls import URLFetcher, URLFetcherResponse

from billing.barcode import barcode_svg
from billing.documents import InvoiceDocument
from billing.reference import format_reference
from uso_portal.pdf import write_pdf

logger = logging.getLogger(__name__)

STATIC_PDF_DIR = Path(__file__).resolve().parent / "static_pdf"
ALLOWED_ASSETS: frozenset[str] = frozenset()  # file names in STATIC_PDF_DIR; none needed today


class ResourceRefused(ValueError):
    """The invoice renderer does not fetch this URL (network, file system, unknown asset)."""


def restricted_url_fetcher(url: str, *args, **kwargs) -> URLFetcherResponse:
    """Answer `data:` URLs and allow-listed bundled assets; raise `ResourceRefused` otherwise."""
    parts = urlsplit(url)
    if parts.scheme.lower() == "data":
        # urllib's DataHandler decodes it; nothing is opened.
        return _data_fetcher().fetch(url)
    if parts.scheme.lower() == "file" and parts.netloc in ("", "localhost"):
        path = Path(url2pathname(parts.path)).resolve()
        if path.parent == STATIC_PDF_DIR and path.name in ALLOWED_ASSETS and path.is_file():
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
            )
    logger.warning("Invoice PDF: refused to fetch %.200s", url)
    raise ResourceRefused(f"invoice PDF does not fetch {url[:200]!r}")


class RestrictedURLFetcher(URLFetcher):
    """WeasyPrint 70 takes a `URLFetcher` instance (it reads `_fail_on_errors` off it)."""

    def __init__(self):
        super().__init__(fail_on_errors=False)  # a refused resource is left out, not fatal

    def fetch(self, url, headers=None):
        return restricted_url_fetcher(url)


# A URLFetcher builds a urllib opener with an HTTPS handler, whose default SSL context loads the
# system's certificates: about 20 ms, as much as a sixth of an invoice's render. The fetchers hold
# no per-document state, so each process makes them once.
@functools.cache
def shared_url_fetcher() -> RestrictedURLFetcher:
    return RestrictedURLFetcher()


@functools.cache
def _data_fetcher() -> URLFetcher:
    return URLFetcher(allowed_protocols={"data"})


def uses_harfbuzz_subset() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (fast) rather than fontTools (slow).

    Mirrors `weasyprint.pdf.fonts.Font.subset`: libharfbuzz-subset loaded and HarfBuzz >= 4.1.0.
    """
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


def render_invoice_pdf(document: InvoiceDocument) -> bytes:
    """The A4 PDF of an issued invoice or credit note, in the document's language."""
    context = invoice_context(document)
    with translation.override(document.language):
        html = render_to_string("billing/invoice_pdf.html", context)
    return write_pdf(html, shared_url_fetcher())


def invoice_context(document: InvoiceDocument) -> dict:
    """Everything the template prints, formatted for the document's language."""
    lang = document.language
    barcode = ""
    if document.virtual_barcode and not document.is_credit_note:
        # Bank barcode guide (approximate, CONFIRM against guide §7): bars >= 13 mm high, the
        # symbol >= 105 mm wide with its quiet zones. 0.3 mm modules: 352 modules = 105.6 mm.
        barcode = barcode_svg(document.virtual_barcode, module_mm=0.3, height_mm=15.0)
    lines = [
        {
            "line": line,
            "quantity": format_number(line.quantity, lang, None),
            "unit_price": format_number(line.unit_price, lang),
            "vat_rate": format_percent(line.vat_rate, lang),
            "net": format_number(line.net, lang),
            "vat": format_number(line.vat, lang),
            "gross": format_number(line.gross, lang),
            "period": format_period(line.period_start, line.period_end),
            "supply_date": format_date(line.supply_date),
        }
        for line in document.lines
    ]
    vat_rows = [
        {
            "rate": format_percent(row.rate, lang),
            "base": format_money(row.base, lang),
            "vat": format_money(row.vat, lang),
            "exemption_reason": row.exemption_reason,
        }
        for row in document.vat_breakdown
    ]
    return {
        "doc": document,
        "lines": lines,
        "vat_rows": vat_rows,
        "net_total": format_money(document.net_total, lang),
        "vat_total": format_money(document.vat_total, lang),
        "gross_total": format_money(document.gross_total, lang),
        "invoice_date": format_date(document.invoice_date),
        "due_date": format_date(document.due_date),
        "original_date": format_date(document.original_date),
        "period": format_period(document.period_start, document.period_end),
        "iban": format_iban(document.seller.iban),
        "reference": format_reference(document.reference) if document.reference else "",
        "barcode_svg": barcode,
    }


# --- Formatting (independent of the active locale settings) -----------------------------------


def format_number(value: Decimal, language: str, places: int | None = 2) -> str:
    """11296.6 → "11 296,60" (fi, sv) or "11,296.60" (en); places=None keeps needed decimals."""
    text = f"{value.normalize():,f}" if places is None else f"{value:,.{places}f}"
    if language == "en":
        return text
    return text.replace(",", " ").replace(".", ",")


def format_money(value: Decimal, language: str) -> str:
    if language == "en":
        return f"{'-' if value < 0 else ''}€{format_number(abs(value), language)}"
    return f"{format_number(value, language)} €"


def format_percent(value: Decimal, language: str) -> str:
    number = format_number(value, language, None)
    return f"{number}%" if language == "en" else f"{number} %"


def format_date(value: datetime.date | None) -> str:
    return f"{value.day}.{value.month}.{value.year}" if value else ""


def format_period(start: datetime.date | None, end: datetime.date | None) -> str:
    return f"{format_date(start)}–{format_date(end)}" if start and end else ""


def format_iban(iban: str) -> str:
    compact = iban.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
