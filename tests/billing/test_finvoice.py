"""Finvoice 3.0 generator: schema validity, the constructed use-case example, encoding,
credit notes, text cleaning and truncation, and validation errors. No database needed."""

import dataclasses
import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from billing.finvoice import (
    FinvoiceInvalid,
    build_validated_finvoice,
    clean_text,
    finvoice_xml,
    validate_finvoice,
)

from .documents import credit_note_document, usecase_document

EXAMPLE = Path(__file__).parent / "constructed_network_fee_invoice.xml"
TIMESTAMP = datetime.datetime(2027, 1, 15, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))

# Elements whose text (and attributes) must equal the constructed example's.
KEY_PATHS = [
    "MessageTransmissionDetails/MessageSenderDetails/FromIdentifier",
    "MessageTransmissionDetails/MessageSenderDetails/FromIntermediator",
    "MessageTransmissionDetails/MessageReceiverDetails/ToIdentifier",
    "MessageTransmissionDetails/MessageReceiverDetails/ToIntermediator",
    "SellerPartyDetails/SellerPartyIdentifier",
    "SellerPartyDetails/SellerOrganisationName",
    "SellerPartyDetails/SellerOrganisationTaxCode",
    "SellerOrganisationUnitNumber",
    "SellerInformationDetails/SellerAccountDetails/SellerAccountID",
    "SellerInformationDetails/SellerAccountDetails/SellerBic",
    "BuyerPartyDetails/BuyerPartyIdentifier",
    "BuyerPartyDetails/BuyerOrganisationName",
    "BuyerOrganisationUnitNumber",
    "InvoiceDetails/InvoiceTypeCode",
    "InvoiceDetails/InvoiceTypeCodeUN",
    "InvoiceDetails/InvoiceTypeText",
    "InvoiceDetails/OriginCode",
    "InvoiceDetails/InvoiceNumber",
    "InvoiceDetails/InvoiceDate",
    "InvoiceDetails/InvoicingPeriodStartDate",
    "InvoiceDetails/InvoicingPeriodEndDate",
    "InvoiceDetails/BuyerReferenceIdentifier",
    "InvoiceDetails/RowsTotalVatExcludedAmount",
    "InvoiceDetails/InvoiceTotalVatExcludedAmount",
    "InvoiceDetails/InvoiceTotalVatAmount",
    "InvoiceDetails/InvoiceTotalVatIncludedAmount",
    "InvoiceDetails/VatSpecificationDetails/VatBaseAmount",
    "InvoiceDetails/VatSpecificationDetails/VatRatePercent",
    "InvoiceDetails/VatSpecificationDetails/VatCode",
    "InvoiceDetails/VatSpecificationDetails/VatRateAmount",
    "InvoiceDetails/PaymentTermsDetails/PaymentTermsFreeText",
    "InvoiceDetails/PaymentTermsDetails/InvoiceDueDate",
    "InvoiceDetails/PaymentTermsDetails/PaymentOverDueFineDetails/PaymentOverDueFineFreeText",
    "VirtualBankBarcode",
    "EpiDetails/EpiIdentificationDetails/EpiDate",
    "EpiDetails/EpiIdentificationDetails/EpiReference",
    "EpiDetails/EpiPartyDetails/EpiBfiPartyDetails/EpiBfiIdentifier",
    "EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiNameAddressDetails",
    "EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiBei",
    "EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID",
    "EpiDetails/EpiPaymentInstructionDetails/EpiRemittanceInfoIdentifier",
    "EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount",
    "EpiDetails/EpiPaymentInstructionDetails/EpiCharge",
    "EpiDetails/EpiPaymentInstructionDetails/EpiDateOptionDate",
    "EpiDetails/EpiPaymentInstructionDetails/EpiPaymentMeansCode",
]
ROW_FIELDS = [
    "ArticleName",
    "InvoicedQuantity",
    "StartDate",
    "EndDate",
    "UnitPriceAmount",
    "RowPositionIdentifier",
    "RowDeliveryDate",
    "RowVatRatePercent",
    "RowVatCode",
    "RowVatAmount",
    "RowVatExcludedAmount",
    "RowAmount",
]


def _generate(document=None, **kwargs) -> bytes:
    kwargs.setdefault("timestamp", TIMESTAMP)
    return build_validated_finvoice(document or usecase_document(), **kwargs)


def _tree(xml: bytes):
    return etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))


def _value(element):
    """Text and attributes of an element, None if it is absent."""
    return None if element is None else (element.text, dict(element.attrib))


@pytest.fixture(scope="module")
def usecase_tree():
    return _tree(_generate(message_id="27000123-1"))


@pytest.fixture(scope="module")
def example_tree():
    return _tree(EXAMPLE.read_bytes())


@pytest.fixture(scope="module")
def credit_tree():
    return _tree(_generate(credit_note_document()))


# --- the use case -------------------------------------------------------------------------


def test_constructed_example_itself_validates():
    validate_finvoice(EXAMPLE.read_bytes())


def test_usecase_message_validates():
    validate_finvoice(_generate())


@pytest.mark.parametrize("path", KEY_PATHS)
def test_usecase_matches_constructed_example(usecase_tree, example_tree, path):
    expected = example_tree.find(path)
    assert expected is not None, path
    assert _value(usecase_tree.find(path)) == _value(expected)


def test_usecase_rows_match_constructed_example(usecase_tree, example_tree):
    rows, expected_rows = usecase_tree.findall("InvoiceRow"), example_tree.findall("InvoiceRow")
    assert len(rows) == len(expected_rows) == 3
    for row, expected in zip(rows, expected_rows, strict=True):
        for field in ROW_FIELDS:
            got, want = row.find(field), expected.find(field)
            # The example's third row counts nights ("vrk"/DAY); our document says "kpl".
            assert (got is None) == (want is None), field
            if want is not None:
                assert got.text == want.text, (field, got.text, want.text)
                assert got.get("AmountCurrencyIdentifier") == want.get("AmountCurrencyIdentifier")
                assert got.get("Format") == want.get("Format")


def test_usecase_element_sequence_matches_example_apart_from_known_extras(
    usecase_tree, example_tree
):
    """Same elements in the same order; the differences are data the example lacks or we lack."""

    def tags(tree):
        return [tree.getroottree().getelementpath(element) for element in tree.iter(etree.Element)]

    ours, theirs = tags(usecase_tree), tags(example_tree)
    assert [t for t in ours if t not in theirs] == [
        "SellerCommunicationDetails/SellerPhoneNumberIdentifier",  # the seller has a phone
        "InvoiceRow[1]/RowFreeText",  # Line.details
    ]
    assert [t for t in theirs if t not in ours] == [
        "InvoiceDetails/AgreementIdentifier"  # not in InvoiceDocument
    ]


def test_row_details_and_message_header(usecase_tree):
    row = usecase_tree.find("InvoiceRow")
    assert row.findtext("RowFreeText") == "Asukasluku 31.12.2026: 33 352 (9 000-45 000)"
    details = usecase_tree.find("MessageTransmissionDetails/MessageDetails")
    assert details.findtext("MessageIdentifier") == "27000123-1"
    assert details.findtext("MessageTimeStamp") == "2027-01-15T09:00:00+02:00"


def test_defaults_for_message_id_and_timestamp():
    tree = _tree(build_validated_finvoice(usecase_document()))
    details = tree.find("MessageTransmissionDetails/MessageDetails")
    assert details.findtext("MessageIdentifier") == "27000123-1"
    datetime.datetime.fromisoformat(details.findtext("MessageTimeStamp"))


def test_swedish_payment_terms():
    tree = _tree(_generate(usecase_document(language="sv")))
    terms = tree.find("InvoiceDetails/PaymentTermsDetails")
    assert terms.findtext("PaymentTermsFreeText") == "30 dagar netto"


# --- encoding -----------------------------------------------------------------------------


def test_bytes_are_really_iso_8859_15():
    xml = _generate()
    assert xml.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>\n')
    assert b"Myyj\xe4" in xml  # ä is the single byte 0xE4
    assert b"\xc3\xa4" not in xml  # not UTF-8
    assert b"&#" not in xml  # no character references standing in for real characters
    assert xml.decode("iso-8859-15").encode("iso-8859-15") == xml
    assert _tree(xml).findtext("SellerContactPersonName") == "Maija Myyjä"


def test_euro_sign_and_scandinavian_letters_stay():
    document = dataclasses.replace(usecase_document(), notes="Åbo ÄÖÅ äöå 100 € Šž")
    xml = _generate(document)
    assert b"100 \xa4" in xml  # € is 0xA4 in ISO-8859-15
    assert _tree(xml).findtext("InvoiceDetails/InvoiceFreeText") == "Åbo ÄÖÅ äöå 100 € Šž"


# --- credit note --------------------------------------------------------------------------


def test_credit_note_validates(credit_tree):
    validate_finvoice(_generate(credit_note_document()))
    assert credit_tree.findtext("InvoiceDetails/InvoiceTypeCode") == "INV02"
    assert credit_tree.findtext("InvoiceDetails/InvoiceTypeCodeUN") == "381"
    assert credit_tree.findtext("InvoiceDetails/InvoiceTypeText") == "HYVITYSLASKU"


def test_credit_note_references_original(credit_tree):
    details = credit_tree.find("InvoiceDetails")
    assert details.findtext("InvoiceNumber") == "27000124"
    assert details.findtext("OriginalInvoiceNumber") == "27000123"
    assert details.findtext("OriginalInvoiceDate") == "20270115"
    assert details.findtext("InvoiceFreeText") == "Hyvittää laskun 27000123"


def test_credit_note_amounts_are_negative_with_decimal_comma(credit_tree):
    details = credit_tree.find("InvoiceDetails")
    assert details.findtext("RowsTotalVatExcludedAmount") == "-11296,60"
    assert details.findtext("InvoiceTotalVatExcludedAmount") == "-11296,60"
    assert details.findtext("InvoiceTotalVatAmount") == "-2880,63"
    assert details.findtext("InvoiceTotalVatIncludedAmount") == "-14177,23"
    assert details.findtext("VatSpecificationDetails/VatBaseAmount") == "-11296,60"
    assert details.findtext("VatSpecificationDetails/VatRateAmount") == "-2880,63"
    row = credit_tree.find("InvoiceRow")
    assert row.findtext("InvoicedQuantity") == "-1"
    assert row.findtext("UnitPriceAmount") == "11000,00"  # unit price stays positive
    assert row.findtext("RowVatAmount") == "-2805,00"
    assert row.findtext("RowVatExcludedAmount") == "-11000,00"
    assert row.findtext("RowAmount") == "-13805,00"
    payment = credit_tree.find("EpiDetails/EpiPaymentInstructionDetails")
    assert payment.findtext("EpiInstructedAmount") == "-14177,23"
    assert payment.findtext("EpiRemittanceInfoIdentifier") == "270001240"


def test_credit_note_has_no_virtual_barcode(credit_tree):
    assert credit_tree.find("VirtualBankBarcode") is None


# --- text cleaning, truncation, missing data ----------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("“Esimerkkilän” kunta", '"Esimerkkilän" kunta'),
        ("‘a’ – b — c…", "'a' - b - c..."),
        ("Kunta 😀", "Kunta ?"),
        ("Привет", "??????"),
        ("Łódź ő ﬁ", "?ódz o fi"),
        ("a\tb\n\nc\x00d", "a b c?d"),
        ("Åland € Šž äöÄÖ", "Åland € Šž äöÄÖ"),
    ],
)
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean
    clean.encode("iso-8859-15")


def test_unencodable_buyer_name_is_replaced_and_validates():
    buyer = dataclasses.replace(usecase_document().buyer, name="“Esimerkkilän” kunta 😀 Привет")
    xml = _generate(dataclasses.replace(usecase_document(), buyer=buyer))
    name = _tree(xml).findtext("BuyerPartyDetails/BuyerOrganisationName")
    assert name == '"Esimerkkilän" kunta ? ??????'


def test_too_long_texts_are_cut_to_schema_limits_and_validate():
    document = usecase_document()
    description = "Verkostomaksu " + "pitkä kuvaus " * 20  # > 100 characters
    lines = (dataclasses.replace(document.lines[0], description=description), *document.lines[1:])
    seller = dataclasses.replace(document.seller, name="Esimerkki Konsultointi " + "X" * 80)
    buyer = dataclasses.replace(document.buyer, name="Kunta " + "Y" * 100)
    document = dataclasses.replace(document, lines=lines, seller=seller, buyer=buyer)
    tree = _tree(_generate(document))
    row = tree.find("InvoiceRow")
    assert len(row.findtext("ArticleName")) <= 100
    assert description.startswith(row.findtext("ArticleName"))
    assert row.findtext("ArticleDescription") == description.strip()  # kept in full (≤ 512)
    assert len(tree.findtext("SellerPartyDetails/SellerOrganisationName")) == 70
    assert len(tree.findtext("BuyerPartyDetails/BuyerOrganisationName")) == 70
    beneficiary = "EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiNameAddressDetails"
    assert tree.findtext(beneficiary) == "Esimerkki Konsultointi XXXXXXXXXXXX"  # 35


def test_missing_buyer_einvoice_address_still_validates():
    document = usecase_document()
    buyer = dataclasses.replace(document.buyer, einvoice_address="", einvoice_operator="")
    tree = _tree(_generate(dataclasses.replace(document, buyer=buyer)))
    assert tree.find("MessageTransmissionDetails") is None
    assert tree.find("BuyerOrganisationUnitNumber") is None
    assert tree.findtext("SellerOrganisationUnitNumber") == "003712345671"


def test_amount_formats():
    document = usecase_document()
    line = dataclasses.replace(document.lines[1], quantity=Decimal("2.50"), unit="h")
    line = dataclasses.replace(line, unit_price=Decimal("12.34567"), vat_rate=Decimal("14"))
    tree = _tree(_generate(dataclasses.replace(document, lines=(line,))))
    row = tree.find("InvoiceRow")
    assert row.findtext("InvoicedQuantity") == "2,5"
    assert row.find("InvoicedQuantity").attrib == {
        "QuantityUnitCode": "h",
        "QuantityUnitCodeUN": "HUR",
    }
    assert row.findtext("UnitPriceAmount") == "12,34567"
    assert row.findtext("RowVatRatePercent") == "14"


# --- validation ---------------------------------------------------------------------------


def _reserialize(tree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="ISO-8859-15")


def test_missing_invoice_number_is_rejected():
    tree = _tree(_generate())
    number = tree.find("InvoiceDetails/InvoiceNumber")
    number.getparent().remove(number)
    with pytest.raises(FinvoiceInvalid) as caught:
        validate_finvoice(_reserialize(tree))
    assert any("InvoiceNumber" in error for error in caught.value.errors)


def test_elements_out_of_order_are_rejected():
    tree = _tree(_generate())
    details = tree.find("InvoiceDetails")
    date = details.find("InvoiceDate")
    details.find("InvoiceNumber").addprevious(date)  # InvoiceDate before InvoiceNumber
    with pytest.raises(FinvoiceInvalid) as caught:
        validate_finvoice(_reserialize(tree))
    assert any("InvoiceDate" in error for error in caught.value.errors)


def test_malformed_xml_is_rejected():
    with pytest.raises(FinvoiceInvalid) as caught:
        validate_finvoice(b"<Finvoice Version='3.0'><SellerPartyDetails>")
    assert caught.value.errors[0].startswith("not well-formed XML")


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("27000123")
    xml = _generate().replace(b"<InvoiceNumber>27000123<", b"<InvoiceNumber>&x;<")
    doctype = f'<!DOCTYPE Finvoice [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n'.encode()
    xml = xml.replace(b"?>\n", b"?>\n" + doctype, 1)
    with pytest.raises(FinvoiceInvalid) as caught:
        validate_finvoice(xml)
    assert caught.value.errors == ["a DOCTYPE declaration is not allowed"]


def test_invoice_number_longer_than_20_characters_is_refused():
    """InvoiceNumber is genericStringType1_20 in the schema; identifiers are never cut."""
    document = dataclasses.replace(usecase_document(), number="2700012300000000000001")
    xml = finvoice_xml(document)  # generating alone does not check
    assert b"<InvoiceNumber>2700012300000000000001</InvoiceNumber>" in xml
    with pytest.raises(FinvoiceInvalid) as caught:
        build_validated_finvoice(document)
    assert any("InvoiceNumber" in error for error in caught.value.errors)


def test_buyer_address_without_operator_is_refused():
    buyer = dataclasses.replace(usecase_document().buyer, einvoice_operator="")
    with pytest.raises(FinvoiceInvalid) as caught:
        build_validated_finvoice(dataclasses.replace(usecase_document(), buyer=buyer))
    assert any("ToIntermediator" in error for error in caught.value.errors)
