"""Validators of Finnish identifiers used on municipalities."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.fi import ytunnus

MUNICIPALITY_CODE_RE = re.compile(r"^[0-9]{3}$")  # ASCII only: \d would match any script
OVT_RE = re.compile(r"^0037([0-9]{8})([0-9A-Za-z]{0,5})$")
BIC_RE = re.compile(r"^[A-Z]{4}FI[A-Z0-9]{2}([A-Z0-9]{3})?$")
POSTAL_CODE_RE = re.compile(r"^[0-9]{5}$")


def normalize_business_id(value: str) -> str:
    """Return the business ID in its printed form `1234567-8`, or raise ValidationError."""
    try:
        return ytunnus.format(ytunnus.validate(value))
    except StdnumValidationError as error:
        raise ValidationError(
            _("“%(value)s” is not a valid business ID (Y-tunnus), e.g. 0158221-7."),
            code="invalid_business_id",
            params={"value": value},
        ) from error


def validate_business_id(value: str) -> None:
    if value:
        normalize_business_id(value)


def validate_municipality_code(value: str) -> None:
    if not MUNICIPALITY_CODE_RE.match(value or ""):
        raise ValidationError(
            _("A municipality code has exactly three digits, e.g. 005 or 980."),
            code="invalid_municipality_code",
        )


def validate_ovt(value: str) -> None:
    """An OVT e-invoice address: 0037 + the 8 digits of a valid business ID + up to 5 chars."""
    match = OVT_RE.match(value or "")
    if not match or not ytunnus.is_valid(match.group(1)):
        raise ValidationError(
            _(
                "An e-invoice address (OVT) is 0037 followed by the business ID without the "
                "hyphen and an optional suffix of up to five characters, e.g. 003701582217."
            ),
            code="invalid_ovt",
        )


def validate_operator_id(value: str) -> None:
    """An e-invoice operator is identified by its own OVT code or, for banks, a BIC."""
    if not value:
        return
    if BIC_RE.match(value):
        return
    try:
        validate_ovt(value)
    except ValidationError as error:
        raise ValidationError(
            _(
                "An operator ID is the operator's OVT code (e.g. 003721291126) or a Finnish "
                "bank's BIC (e.g. NDEAFIHH)."
            ),
            code="invalid_operator_id",
        ) from error


def validate_postal_code(value: str) -> None:
    if value and not POSTAL_CODE_RE.match(value):
        raise ValidationError(
            _("A Finnish postal code has five digits, e.g. 33470."), code="invalid_postal_code"
        )
