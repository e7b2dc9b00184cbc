"""Validators of the seller's banking identifiers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.fi import alv


def validate_iban(value: str) -> None:
    if not stdnum_iban.is_valid(value) or not value.replace(" ", "").upper().startswith("FI"):
        raise ValidationError(
            _("Give a valid Finnish IBAN, e.g. FI21 1234 5600 0007 85."), code="invalid_iban"
        )


def validate_vat_id(value: str) -> None:
    if not alv.is_valid(value):
        raise ValidationError(
            _("A Finnish VAT ID is FI followed by eight digits, e.g. FI01582217."),
            code="invalid_vat_id",
        )
