"""Invoice PDF: content read back with pypdf, page size, the restricted URL fetcher, fonts."""

import dataclasses
import io
import logging
import re
import socket
import urllib.request
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfReader

from billing import pdf
from billing.pdf import (
    ResourceRefused,
    format_iban,
    format_money,
    format_number,
    format_percent,
    invoice_context,
    render_invoice_pdf,
    restricted_url_fetcher,
    uses_harfbuzz_subset,
)
from tests.billing.documents import credit_note_document, usecase_document

VIRTUAL_BARCODE = "421123456000007850141772300000000000000270001237270215"
TOTALS = {"fi": "14 177,23", "sv": "14 177,23", "en": "14,177.23"}


def pdf_text(data: bytes) -> str:
    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


def title(language: str, english: str) -> str:
    """The document title as the catalogue translates it (CSS prints it in capitals)."""
    with translation.override(language):
        return translation.pgettext("invoice PDF title", english).upper()


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {lang: render_invoice_pdf(usecase_document(lang)) for lang in ("fi", "sv", "en")}


# --- Content ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_usecase_invoice_content(rendered, language):
    text = pdf_text(rendered[language])
    for expected in (
        "27000123",  # invoice number
        "2700 01237",  # reference, groups of five from the right
        "FI21 1234 5600 0007 85",  # IBAN, groups of four
        "NDEAFIHH",
        "15.1.2027",  # invoice date
        "15.2.2027",  # due date
        "1.1.2027–31.12.2027",  # invoicing period
        TOTALS[language],
        "KUNTA-KP-1234",  # buyer reference
        "1234567-1",  # seller business ID
        "FI12345671",  # seller VAT ID
        "7654321-2",  # buyer business ID
        "003776543212",  # buyer e-invoice address
        "Esimerkkilän kunta",
        "Esimerkki Konsultointi Oy",
        VIRTUAL_BARCODE,
        title(language, "Invoice"),
    ):
        assert expected in text, f"{expected!r} missing from the {language} PDF"


def test_english_title_and_amount_format(rendered):
    text = pdf_text(rendered["en"])
    assert "INVOICE" in text
    assert "Your reference KUNTA-KP-1234" in text
    assert "€14,177.23" in text
    assert "11,296.60" in text and "2,880.63" in text


def test_finnish_amounts_use_decimal_comma_and_space(rendered):
    text = pdf_text(rendered["fi"])
    assert "14 177,23 €" in text
    assert "11 296,60 €" in text and "2 880,63 €" in text
    assert "25,5 %" in text


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_usecase_is_one_a4_page(rendered, language):
    reader = PdfReader(io.BytesIO(rendered[language]))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(595, abs=1)
    assert float(box.height) == pytest.approx(842, abs=1)


def test_barcode_svg_is_embedded_at_a_scannable_size():
    svg = invoice_context(usecase_document("fi"))["barcode_svg"]
    width = float(re.search(r'width="([\d.]+)mm"', svg)[1])
    height = float(re.search(r'height="([\d.]+)mm"', svg)[1])
    assert width >= 105  # incl. quiet zones
    assert height >= 13


def test_credit_note():
    document = credit_note_document()
    text = pdf_text(render_invoice_pdf(document))
    assert title(document.language, "Credit note") in text
    assert "27000124" in text
    assert "27000123" in text  # the credited invoice …
    assert "15.1.2027" in text  # … and its date
    assert "-14 177,23" in text
    assert "-11 296,60" in text and "-2 880,63" in text
    assert VIRTUAL_BARCODE not in text
    assert not re.search(r"\d{54}", text)
    assert invoice_context(document)["barcode_svg"] == ""


def test_credit_note_english_line():
    text = pdf_text(render_invoice_pdf(dataclasses.replace(credit_note_document(), language="en")))
    assert "CREDIT NOTE" in text
    assert "Credits invoice 27000123 of 15.1.2027" in text


# --- Formatting helpers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        ("14177.23", "fi", "14 177,23 €"),
        ("14177.23", "sv", "14 177,23 €"),
        ("14177.23", "en", "€14,177.23"),
        ("-14177.23", "fi", "-14 177,23 €"),
        ("-14177.23", "en", "-€14,177.23"),
        ("1234567.5", "fi", "1 234 567,50 €"),
        ("0", "fi", "0,00 €"),
    ],
)
def test_format_money(value, language, expected):
    assert format_money(Decimal(value), language) == expected


def test_format_number_percent_iban():
    assert format_number(Decimal("1.000"), "fi", None) == "1"
    assert format_number(Decimal("-2"), "fi", None) == "-2"
    assert format_number(Decimal("100"), "en", None) == "100"
    assert format_number(Decimal("1.5"), "fi", None) == "1,5"
    assert format_percent(Decimal("25.5"), "fi") == "25,5 %"
    assert format_percent(Decimal("25.50"), "en") == "25.5%"
    assert format_iban("FI2112345600000785") == "FI21 1234 5600 0007 85"


# --- Restricted URL fetcher ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "http://example.com/x.png",
        "https://example.com/x.css",
        "ftp://example.com/x",
        "x.png",
        "../billing/static_pdf/x.png",
        "/etc/passwd",
        "",
    ],
)
def test_fetcher_refuses(url, caplog):
    with caplog.at_level(logging.WARNING, logger="billing.pdf"), pytest.raises(ResourceRefused):
        restricted_url_fetcher(url)
    assert issubclass(ResourceRefused, ValueError)
    assert "refused" in caplog.text


def test_fetcher_answers_data_urls():
    response = restricted_url_fetcher("data:text/plain;base64,aGVsbG8=")
    assert response.read() == b"hello"


def test_fetcher_serves_only_allow_listed_assets(tmp_path, monkeypatch):
    (tmp_path / "logo.svg").write_text("<svg/>")
    (tmp_path / "other.svg").write_text("<svg/>")
    monkeypatch.setattr(pdf, "STATIC_PDF_DIR", tmp_path)
    monkeypatch.setattr(pdf, "ALLOWED_ASSETS", frozenset({"logo.svg"}))
    response = restricted_url_fetcher((tmp_path / "logo.svg").as_uri())
    assert response.read() == b"<svg/>"
    assert response.content_type == "image/svg+xml"
    for refused in (tmp_path / "other.svg", tmp_path / "sub" / ".." / ".." / "logo.svg"):
        with pytest.raises(ResourceRefused):
            restricted_url_fetcher(refused.as_uri())


def test_render_with_hostile_resources_fetches_nothing(monkeypatch, caplog):
    """Injected <img>, <link> and SVG <image> are refused by the fetcher, never opened."""
    hostile = (
        '<link rel="stylesheet" href="http://example.com/x.css">'
        '<img src="file:///etc/passwd">'
        '<img src="https://example.com/pixel.png">'
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        '<image href="file:///etc/hostname" width="10" height="10"/></svg>'
    )

    def render_with_hostile_tags(template_name, context):
        return render_to_string(template_name, context).replace("<body>", "<body>" + hostile)

    seen, opened = [], []
    real_fetcher = pdf.restricted_url_fetcher

    def spy_fetcher(url, *args, **kwargs):
        seen.append(url)
        return real_fetcher(url, *args, **kwargs)

    def no_network(*args, **kwargs):
        opened.append(args)
        raise AssertionError("network or file access during the render")

    monkeypatch.setattr(pdf, "render_to_string", render_with_hostile_tags)
    monkeypatch.setattr(pdf, "restricted_url_fetcher", spy_fetcher)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)

    with caplog.at_level(logging.WARNING, logger="billing.pdf"):
        data = render_invoice_pdf(usecase_document("en"))

    assert "27000123" in pdf_text(data)
    assert set(seen) == {
        "http://example.com/x.css",
        "file:///etc/passwd",
        "https://example.com/pixel.png",
        "file:///etc/hostname",
    }
    assert opened == []
    assert caplog.text.count("refused to fetch") == len(seen)


# --- Fonts -----------------------------------------------------------------------------------


def test_weasyprint_subsets_fonts_with_harfbuzz():
    assert uses_harfbuzz_subset(), (
        "WeasyPrint falls back to slow fontTools subsetting: "
        "apt-get install libharfbuzz-subset0 (HarfBuzz >= 4.1.0)"
    )


def test_render_takes_the_harfbuzz_subset_path(monkeypatch):
    from weasyprint.pdf.fonts import Font

    calls = []
    real = Font._harfbuzz_subset

    def spy(self, *args, **kwargs):
        calls.append(self.family)
        return real(self, *args, **kwargs)

    def slow_path(self, *args, **kwargs):
        raise AssertionError(
            "fontTools subsetting used: apt-get install libharfbuzz-subset0 (HarfBuzz >= 4.1.0)"
        )

    monkeypatch.setattr(Font, "_harfbuzz_subset", spy)
    monkeypatch.setattr(Font, "_fonttools_subset", slow_path)
    render_invoice_pdf(usecase_document("fi"))
    assert calls
