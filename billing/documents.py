"""The frozen content of an issued invoice, as the PDF and Finvoice renderers see it.

At issue the invoice's seller, buyer, lines and totals are frozen into a JSON snapshot
(`Invoice.snapshot`); `InvoiceDocument.from_snapshot` turns it back into these dataclasses, so a
document rendered years later says exactly what was issued. Amounts are Decimal strings in the
JSON and Decimal here; dates are ISO strings in the JSON and `datetime.date` here.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Party:
    name: str
    business_id: str = ""
    vat_id: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "FI"
    einvoice_address: str = ""
    einvoice_operator: str = ""
    contact_name: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Seller(Party):
    iban: str = ""
    bic: str = ""
    home_town: str = ""
    website: str = ""


@dataclass(frozen=True)
class Line:
    position: int
    description: str
    quantity: Decimal
    unit: str  # e.g. "kpl", shown as is
    unit_price: Decimal  # VAT excluded
    net: Decimal  # quantity × unit price, VAT excluded
    vat_rate: Decimal  # percent, e.g. Decimal("25.5")
    vat: Decimal  # informative line VAT; the invoice's VAT comes from the breakdown
    gross: Decimal
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    supply_date: datetime.date | None = None
    details: str = ""  # e.g. "population 31.12.2020: 33 352 (tier 9 000–45 000)"
    vat_exemption_reason: str = ""  # only with 0 % VAT, e.g. "AVL 37 §"


@dataclass(frozen=True)
class VatBreakdown:
    rate: Decimal
    base: Decimal
    vat: Decimal
    exemption_reason: str = ""  # the reasons of the rate's 0 % lines


@dataclass(frozen=True)
class InvoiceDocument:
    kind: str  # "annual_fee" | "travel_costs" | "credit_note"
    number: str
    invoice_date: datetime.date
    due_date: datetime.date
    reference: str  # national reference, digits only
    rf_reference: str  # RF form, machine format (no spaces)
    virtual_barcode: str  # 54 digits (version 4, national reference)
    seller: Seller
    buyer: Party
    buyer_reference: str
    lines: tuple[Line, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    net_total: Decimal
    vat_total: Decimal
    gross_total: Decimal
    language: str = "fi"
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    payment_term_days: int = 21
    penalty_interest: str = ""  # e.g. "Viivästyskorko korkolain mukaan"
    original_number: str = ""  # credit notes: the corrected invoice
    original_date: datetime.date | None = None
    notes: str = ""
    season: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    # --- JSON -------------------------------------------------------------------------------

    def to_snapshot(self) -> dict[str, Any]:
        return _to_json(dataclasses.asdict(self))

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> InvoiceDocument:
        values = dict(data)
        values["seller"] = _build(Seller, values["seller"])
        values["buyer"] = _build(Party, values["buyer"])
        values["lines"] = tuple(_build(Line, line) for line in values["lines"])
        values["vat_breakdown"] = tuple(
            _build(VatBreakdown, row) for row in values["vat_breakdown"]
        )
        return _build(cls, values)


def _to_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_to_json(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _build(cls, values: dict[str, Any]):
    """Construct a dataclass from JSON values, converting by the field's annotation."""
    kwargs = {}
    for item in dataclasses.fields(cls):
        if item.name not in values:
            continue
        value = values[item.name]
        annotation = str(item.type)
        if value is not None and "Decimal" in annotation:
            value = Decimal(value)
        elif value is not None and "datetime.date" in annotation:
            value = datetime.date.fromisoformat(value)
        kwargs[item.name] = value
    return cls(**kwargs)
