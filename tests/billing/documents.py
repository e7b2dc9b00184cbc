"""Example invoice documents for renderer tests: the spec's constructed use case (annual fee +
two travel-cost lines, 14 177.23 EUR) and a credit note of it."""

import dataclasses
import datetime
from decimal import Decimal

from billing.documents import InvoiceDocument, Line, Party, Seller, VatBreakdown

D = Decimal

SELLER = Seller(
    name="Esimerkki Konsultointi Oy",
    business_id="1234567-1",
    vat_id="FI12345671",
    street="Esimerkkikatu 1",
    postal_code="00100",
    city="Helsinki",
    einvoice_address="003712345671",
    einvoice_operator="003721291126",
    contact_name="Maija Myyjä",
    email="laskutus@example.fi",
    phone="+358 40 000 0000",
    iban="FI2112345600000785",
    bic="NDEAFIHH",
    home_town="Helsinki",
)
BUYER = Party(
    name="Esimerkkilän kunta",
    business_id="7654321-2",
    vat_id="FI76543212",
    street="Kunnantalontie 2",
    postal_code="99999",
    city="Esimerkkilä",
    einvoice_address="003776543212",
    einvoice_operator="003723327487",
    contact_name="Olli Ostaja",
)


def usecase_document(language: str = "fi") -> InvoiceDocument:
    return InvoiceDocument(
        kind="annual_fee",
        number="27000123",
        invoice_date=datetime.date(2027, 1, 15),
        due_date=datetime.date(2027, 2, 15),
        reference="270001237",
        rf_reference="RF53270001237",
        virtual_barcode="421123456000007850141772300000000000000270001237270215",
        seller=SELLER,
        buyer=BUYER,
        buyer_reference="KUNTA-KP-1234",
        lines=(
            Line(
                1,
                "Verkostomaksu 2027, väestöluokka 2",
                D("1"),
                "kpl",
                D("11000.00"),
                D("11000.00"),
                D("25.5"),
                D("2805.00"),
                D("13805.00"),
                period_start=datetime.date(2027, 1, 1),
                period_end=datetime.date(2027, 12, 31),
                details="Asukasluku 31.12.2026: 33 352 (9 000–45 000)",
            ),
            Line(
                2,
                "Matkakulut 14.–15.10.2026, junaliput",
                D("1"),
                "kpl",
                D("184.60"),
                D("184.60"),
                D("25.5"),
                D("47.07"),
                D("231.67"),
                supply_date=datetime.date(2026, 10, 15),
            ),
            Line(
                3,
                "Matkakulut 14.–15.10.2026, majoitus",
                D("1"),
                "kpl",
                D("112.00"),
                D("112.00"),
                D("25.5"),
                D("28.56"),
                D("140.56"),
                supply_date=datetime.date(2026, 10, 15),
            ),
        ),
        vat_breakdown=(VatBreakdown(D("25.5"), D("11296.60"), D("2880.63")),),
        net_total=D("11296.60"),
        vat_total=D("2880.63"),
        gross_total=D("14177.23"),
        language=language,
        period_start=datetime.date(2027, 1, 1),
        period_end=datetime.date(2027, 12, 31),
        payment_term_days=30,
        penalty_interest="Viivästyskorko korkolain mukaan",
        season="2027-2028",
    )


def credit_note_document() -> InvoiceDocument:
    """A full credit of the use-case invoice: negative amounts, reference to the original."""
    original = usecase_document()
    lines = tuple(
        dataclasses.replace(
            line, quantity=-line.quantity, net=-line.net, vat=-line.vat, gross=-line.gross
        )
        for line in original.lines
    )
    return dataclasses.replace(
        original,
        kind="credit_note",
        number="27000124",
        reference="270001240",
        rf_reference="RF69270001240",
        virtual_barcode="",
        lines=lines,
        vat_breakdown=(VatBreakdown(D("25.5"), D("-11296.60"), D("-2880.63")),),
        net_total=D("-11296.60"),
        vat_total=D("-2880.63"),
        gross_total=D("-14177.23"),
        original_number=original.number,
        original_date=original.invoice_date,
    )
