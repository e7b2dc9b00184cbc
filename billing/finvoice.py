"""Finvoice 3.0 e-invoice messages from a frozen `InvoiceDocument`.

The message is built with lxml in the element order of `schemas/Finvoice3.0.xsd` (every level
is an xs:sequence), really encoded ISO-8859-15, and validated against that schema before it
is stored or sent: callers use `build_validated_finvoice` and keep exactly the bytes it returns.

Format rules (spec §3.2): decimal comma amounts (`11000,00`), percent `25,5`, dates as
`<X Format="CCYYMMDD">20270115</X>`, `AmountCurrencyIdentifier="EUR"`. Free text is cleaned to
what ISO-8859-15 can carry and cut to the schema's maximum length; identifiers (invoice number,
reference, IBAN, e-invoice addresses) are never cut, so a bad one fails validation instead.
"""

from __future__ import annotations

import threading
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree

from billing.documents import InvoiceDocument, Line, Party
from billing.money import cents

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "Finvoice3.0.xsd"
ENCODING = "ISO-8859-15"
XML_DECLARATION = b'<?xml version="1.0" encoding="ISO-8859-15"?>\n'
CURRENCY = "EUR"
OVT_SCHEME = "0216"  # ICD 0216 "OVTcode" (TIEKE); ICD 0037 left the Peppol code list in 2024
XSI = "http://www.w3.org/2001/XMLSchema-instance"
HELSINKI = ZoneInfo("Europe/Helsinki")

TEXTS = {
    "fi": {
        "terms": "{days} päivää netto",
        "penalty": "Viivästyskorko korkolain mukaan",
        "vat_registered": "Alv.Rek.",
        "credits": "Hyvittää laskun {number}",
    },
    "sv": {
        "terms": "{days} dagar netto",
        "penalty": "Dröjsmålsränta enligt räntelagen",
        "vat_registered": "Momsreg.",
        "credits": "Krediterar faktura {number}",
    },
    "en": {
        "terms": "{days} days net",
        "penalty": "Late payment interest under the Interest Act",
        "vat_registered": "VAT reg.",
        "credits": "Credits invoice {number}",
    },
}

# Our units (shown as is in QuantityUnitCode) → UN/ECE Recommendation 20 codes.
UNIT_CODES_UN = {"kpl": "C62", "st": "C62", "pcs": "C62", "h": "HUR", "vrk": "DAY", "pv": "DAY"}

# Characters outside ISO-8859-15 with a sensible ASCII stand-in; the rest is decomposed
# (NFKD: "ő" → "o", "ﬁ" → "fi") or becomes "?".
_REPLACEMENTS = {
    **dict.fromkeys("“”„‟″", '"'),
    **dict.fromkeys("‘’‚‛′´", "'"),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "…": "...",
    "•": "*",
    "⁄": "/",
}


class FinvoiceInvalid(Exception):
    """The message does not validate against the Finvoice 3.0 schema."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("Finvoice message is invalid: " + "; ".join(self.errors))


# --- public API ---------------------------------------------------------------------------


def finvoice_xml(
    document: InvoiceDocument,
    *,
    message_id: str | None = None,
    timestamp: datetime | None = None,
) -> bytes:
    """The Finvoice 3.0 message of an invoice or credit note, encoded ISO-8859-15.

    `message_id` must be unique per transmission (default: "<invoice number>-1");
    `timestamp` defaults to now (a naive one is taken as Helsinki time). Not validated here.
    """
    texts = TEXTS.get(document.language, TEXTS["fi"])
    root = etree.Element("Finvoice", {"Version": "3.0"}, nsmap={"xsi": XSI})
    root.set(f"{{{XSI}}}noNamespaceSchemaLocation", "Finvoice3.0.xsd")
    if document.buyer.einvoice_address:
        _transmission(root, document, message_id or f"{document.number}-1", timestamp)
    _party(root, "Seller", document.seller)
    _seller_information(root, document, texts)
    _party(root, "Buyer", document.buyer)
    _invoice_details(root, document, texts)
    if document.virtual_barcode and not document.is_credit_note:
        _add(root, "VirtualBankBarcode", document.virtual_barcode)
    for line in document.lines:
        _invoice_row(root, line)
    _epi_details(root, document)
    body = etree.tostring(root, encoding=ENCODING, xml_declaration=False, pretty_print=True)
    return XML_DECLARATION + body


def validate_finvoice(xml: bytes) -> None:
    """Raise FinvoiceInvalid (with the parser's or the schema's messages) unless `xml` is a
    well-formed message valid against Finvoice3.0.xsd. Nothing is fetched from the network."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    try:
        tree = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        raise FinvoiceInvalid([f"not well-formed XML: {error}"]) from error
    if tree.getroottree().docinfo.doctype:  # entities and DTDs have no place in Finvoice
        raise FinvoiceInvalid(["a DOCTYPE declaration is not allowed"])
    schema = _schema()
    with _SCHEMA_LOCK:  # the error log lives on the schema object
        try:
            if schema.validate(tree):
                return
        except etree.XMLSchemaValidateError as error:
            raise FinvoiceInvalid([f"schema validation failed: {error}"]) from error
        errors = [f"line {entry.line}: {entry.message}" for entry in schema.error_log]
    raise FinvoiceInvalid(errors or ["invalid against Finvoice3.0.xsd"])


def build_validated_finvoice(document: InvoiceDocument, **kwargs) -> bytes:
    """Generate the message and validate it; raise FinvoiceInvalid rather than return a bad one."""
    xml = finvoice_xml(document, **kwargs)
    validate_finvoice(xml)
    return xml


def clean_text(value: str, max_length: int | None = None) -> str:
    """`value` made safe for an ISO-8859-15 Finvoice text element: characters the encoding
    lacks replaced ("“” → ", "–" → "-", "…" → "...", "ő" → "o", others and control
    characters "?"), whitespace runs made single spaces, cut to `max_length` characters."""
    text = unicodedata.normalize("NFC", value or "")
    text = " ".join("".join(_replace_char(char) for char in text).split())
    if max_length is not None:
        text = text[:max_length].rstrip()
    return text


# --- schema -------------------------------------------------------------------------------

_SCHEMA_LOCK = threading.Lock()


@cache
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser))


# --- message sections (each in schema order) ----------------------------------------------


def _transmission(root, document: InvoiceDocument, message_id: str, timestamp) -> None:
    seller, buyer = document.seller, document.buyer
    details = _add(root, "MessageTransmissionDetails")
    sender = _add(details, "MessageSenderDetails")
    _add(sender, "FromIdentifier", seller.einvoice_address, SchemeID=OVT_SCHEME)
    _add(sender, "FromIntermediator", seller.einvoice_operator)
    receiver = _add(details, "MessageReceiverDetails")
    _add(receiver, "ToIdentifier", buyer.einvoice_address, SchemeID=OVT_SCHEME)
    _add(receiver, "ToIntermediator", buyer.einvoice_operator)
    message = _add(details, "MessageDetails")
    _add(message, "MessageIdentifier", message_id)
    _add(message, "MessageTimeStamp", _timestamp(timestamp))


def _party(root, role: str, party: Party) -> None:
    """<Role>PartyDetails and the unit number, contact person and communication details that
    follow it; Seller and Buyer share this shape."""
    details = _add(root, f"{role}PartyDetails")
    # OP's network rejects a party identifier shorter than 6 characters.
    if len(party.business_id.strip()) >= 6:
        _add(details, f"{role}PartyIdentifier", party.business_id)
    _text(details, f"{role}OrganisationName", party.name, 70)
    _text(details, f"{role}OrganisationTaxCode", party.vat_id, 35)
    if party.street and party.city and party.postal_code:
        address = _add(details, f"{role}PostalAddressDetails")
        _text(address, f"{role}StreetName", party.street, 35)
        _text(address, f"{role}TownName", party.city, 35)
        _text(address, f"{role}PostCodeIdentifier", party.postal_code, 35)
        if len(party.country) == 2:
            _add(address, "CountryCode", party.country.upper())
    _text(root, f"{role}OrganisationUnitNumber", party.einvoice_address, None)
    _text(root, f"{role}ContactPersonName", party.contact_name, 70)
    if party.phone or party.email:
        communication = _add(root, f"{role}CommunicationDetails")
        _text(communication, f"{role}PhoneNumberIdentifier", party.phone, 35)
        _text(communication, f"{role}EmailaddressIdentifier", party.email, 70)


def _seller_information(root, document: InvoiceDocument, texts: dict[str, str]) -> None:
    seller = document.seller
    information = _add(root, "SellerInformationDetails")
    _text(information, "SellerHomeTownName", seller.home_town, 35)
    if seller.vat_id:
        _text(information, "SellerVatRegistrationText", texts["vat_registered"], 35)
    _text(information, "SellerWebaddressIdentifier", seller.website, 70)
    if seller.iban and seller.bic:
        account = _add(information, "SellerAccountDetails")
        _add(account, "SellerAccountID", _compact(seller.iban), IdentificationSchemeName="IBAN")
        _add(account, "SellerBic", _compact(seller.bic), IdentificationSchemeName="BIC")


def _invoice_details(root, document: InvoiceDocument, texts: dict[str, str]) -> None:
    details = _add(root, "InvoiceDetails")
    if document.is_credit_note:
        _add(details, "InvoiceTypeCode", "INV02")
        _add(details, "InvoiceTypeCodeUN", "381")
        _add(details, "InvoiceTypeText", "HYVITYSLASKU")
    else:
        _add(details, "InvoiceTypeCode", "INV01")
        _add(details, "InvoiceTypeCodeUN", "380")
        _add(details, "InvoiceTypeText", "LASKU")
    _add(details, "OriginCode", "Original")
    _text(details, "InvoiceNumber", document.number, None)
    _date(details, "InvoiceDate", document.invoice_date)
    if document.is_credit_note:
        _text(details, "OriginalInvoiceNumber", document.original_number, None)
        _date(details, "OriginalInvoiceDate", document.original_date)
    _date(details, "InvoicingPeriodStartDate", document.period_start)
    _date(details, "InvoicingPeriodEndDate", document.period_end)
    _text(details, "BuyerReferenceIdentifier", document.buyer_reference, 70)
    _amount(
        details, "RowsTotalVatExcludedAmount", sum((li.net for li in document.lines), Decimal(0))
    )
    _amount(details, "InvoiceTotalVatExcludedAmount", document.net_total)
    _amount(details, "InvoiceTotalVatAmount", document.vat_total)
    _amount(details, "InvoiceTotalVatIncludedAmount", document.gross_total)
    for row in document.vat_breakdown:
        vat = _add(details, "VatSpecificationDetails")
        _amount(vat, "VatBaseAmount", row.base)
        _add(vat, "VatRatePercent", _percent(row.rate))
        _add(vat, "VatCode", _vat_code(row.rate, row.exemption_reason))
        _amount(vat, "VatRateAmount", row.vat)
        _text(vat, "VatFreeText", row.exemption_reason, 70)  # the exemption (VAT Act 209 e §)
    if document.is_credit_note and document.original_number:
        _text(
            details,
            "InvoiceFreeText",
            texts["credits"].format(number=document.original_number),
            512,
        )
    _text(details, "InvoiceFreeText", document.notes, 512)
    terms = _add(details, "PaymentTermsDetails")
    _text(terms, "PaymentTermsFreeText", texts["terms"].format(days=document.payment_term_days), 70)
    _date(terms, "InvoiceDueDate", document.due_date)
    fine = _add(terms, "PaymentOverDueFineDetails")
    _text(fine, "PaymentOverDueFineFreeText", document.penalty_interest or texts["penalty"], 70)


def _invoice_row(root, line: Line) -> None:
    row = _add(root, "InvoiceRow")
    name = clean_text(line.description)
    _text(row, "ArticleName", name, 100)
    if len(name) > 100:  # keep the whole description where the schema has room for it
        _text(row, "ArticleDescription", name, 512)
    units = {}
    if unit := clean_text(line.unit, 14):
        units["QuantityUnitCode"] = unit
    if unit_un := UNIT_CODES_UN.get(line.unit.strip().lower()):
        units["QuantityUnitCodeUN"] = unit_un
    _add(row, "InvoicedQuantity", _quantity(line.quantity), **units)
    _date(row, "StartDate", line.period_start)
    _date(row, "EndDate", line.period_end)
    _amount(row, "UnitPriceAmount", line.unit_price)
    _add(row, "RowPositionIdentifier", str(line.position))
    _date(row, "RowDeliveryDate", line.supply_date)
    _text(row, "RowFreeText", line.details, 512)
    _add(row, "RowVatRatePercent", _percent(line.vat_rate))
    _add(row, "RowVatCode", _vat_code(line.vat_rate, line.vat_exemption_reason))
    _amount(row, "RowVatAmount", line.vat)
    _amount(row, "RowVatExcludedAmount", line.net)
    _amount(row, "RowAmount", line.gross)


def _epi_details(root, document: InvoiceDocument) -> None:
    """The payment order (mandatory): beneficiary, account, reference, amount and due date."""
    seller = document.seller
    epi = _add(root, "EpiDetails")
    identification = _add(epi, "EpiIdentificationDetails")
    _date(identification, "EpiDate", document.invoice_date)
    _add(identification, "EpiReference", document.reference)
    parties = _add(epi, "EpiPartyDetails")
    bank = _add(parties, "EpiBfiPartyDetails")
    if seller.bic:
        _add(bank, "EpiBfiIdentifier", _compact(seller.bic), IdentificationSchemeName="BIC")
    beneficiary = _add(parties, "EpiBeneficiaryPartyDetails")
    _text(beneficiary, "EpiNameAddressDetails", seller.name, 35)
    if bei := "".join(char for char in seller.business_id if char.isdigit()):
        _add(beneficiary, "EpiBei", bei)
    _add(beneficiary, "EpiAccountID", _compact(seller.iban), IdentificationSchemeName="IBAN")
    instruction = _add(epi, "EpiPaymentInstructionDetails")
    if document.reference:
        _add(
            instruction,
            "EpiRemittanceInfoIdentifier",
            document.reference,
            IdentificationSchemeName="SPY",
        )
    elif document.rf_reference:
        _add(
            instruction,
            "EpiRemittanceInfoIdentifier",
            document.rf_reference,
            IdentificationSchemeName="ISO",
        )
    _add(
        instruction,
        "EpiInstructedAmount",
        _decimal_comma(cents(document.gross_total)),
        AmountCurrencyIdentifier=CURRENCY,
    )
    _add(instruction, "EpiCharge", "SHA", ChargeOption="SHA")
    _date(instruction, "EpiDateOptionDate", document.due_date)
    _add(instruction, "EpiPaymentMeansCode", "58")  # SEPA credit transfer


# --- element and value helpers ------------------------------------------------------------


def _add(parent, tag: str, text: str | None = None, **attributes: str):
    """An element; its text is cleaned but never cut (a required element stays, even empty)."""
    element = etree.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = clean_text(text)
    return element


def _text(parent, tag: str, value: str, max_length: int | None) -> None:
    """An optional text element: cleaned, cut to the schema's `max_length`, left out if empty."""
    if text := clean_text(value, max_length):
        _add(parent, tag, text)


def _date(parent, tag: str, value: date | None) -> None:
    if value is not None:
        _add(parent, tag, f"{value.year:04d}{value.month:02d}{value.day:02d}", Format="CCYYMMDD")


def _amount(parent, tag: str, value: Decimal) -> None:
    """Amounts: 2 decimals, or up to the schema's 5 when the value has more (unit prices)."""
    if value == value.quantize(Decimal("0.01")):
        value = value.quantize(Decimal("0.01"))
    elif value.as_tuple().exponent < -5:
        value = value.quantize(Decimal("0.00001"))
    _add(parent, tag, _decimal_comma(value), AmountCurrencyIdentifier=CURRENCY)


def _quantity(value: Decimal) -> str:
    return _decimal_comma(value.normalize())


def _percent(value: Decimal) -> str:
    return _decimal_comma(value.normalize())


def _decimal_comma(value: Decimal) -> str:
    if value == 0:
        value = abs(value)  # no "-0,00"
    return f"{value:f}".replace(".", ",")


def _vat_code(rate: Decimal, exemption_reason: str = "") -> str:
    """UNTDID 5305: S standard rate, E exempt (with a reason), Z zero rated."""
    if rate > 0:
        return "S"
    return "E" if exemption_reason else "Z"


def _compact(value: str) -> str:
    return "".join(value.split()).upper()


def _timestamp(value: datetime | None) -> str:
    if value is None:
        value = datetime.now(HELSINKI)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=HELSINKI)
    return value.isoformat(timespec="seconds")


@lru_cache(maxsize=4096)
def _replace_char(char: str) -> str:
    code = ord(char)
    if code < 0x20 or 0x7F <= code <= 0x9F:  # control characters (XML forbids most of them)
        return " " if char in "\t\n\r" else "?"
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        pass
    else:
        return char
    if unicodedata.category(char) in ("Mn", "Cf"):  # combining marks, zero-width characters
        return ""
    decomposed = unicodedata.normalize("NFKD", char)
    if decomposed != char:
        return "".join(_replace_char(part) for part in decomposed)
    return "?"
