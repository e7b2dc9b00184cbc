"""Payment references: the Finnish national reference (viitenumero) and the RF creditor reference.

Spec: `finnish-invoicing.md` §1. References are stored in machine form (digits only, or `RF` +
check + body without spaces) and grouped only when printed.
"""

import re

from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

_WEIGHTS = (7, 3, 1)
_DIGITS = re.compile(r"[0-9]+")


def _compact(value: str) -> str:
    return value.replace(" ", "")


def check_digit(base: str) -> int:
    """7-3-1 check digit of a 3–19-digit base part, weights applied from the right (§1.1)."""
    if not (_DIGITS.fullmatch(base) and 3 <= len(base) <= 19):
        raise ValueError(f"reference base must be 3–19 digits, got {base!r}")
    total = sum(int(d) * _WEIGHTS[i % 3] for i, d in enumerate(reversed(base)))
    return (10 - total % 10) % 10


def reference_from_number(base: str) -> str:
    """National reference = base + check digit, e.g. invoice number `27000123` → `270001237`
    (§1.1)."""
    return f"{base}{check_digit(base)}"


def is_valid_reference(ref: str) -> bool:
    """True for 4–20 digits (spaces ignored) whose last digit is the 7-3-1 check digit (§1.1)."""
    ref = _compact(ref)
    if not (_DIGITS.fullmatch(ref) and 4 <= len(ref) <= 20):
        return False
    return check_digit(ref[:-1]) == int(ref[-1])


def format_reference(ref: str) -> str:
    """Print form: groups of five counted from the right, `270001237` → `2700 01237` (§1.1)."""
    ref = _compact(ref)
    if not is_valid_reference(ref):
        raise ValueError(f"not a valid Finnish reference: {ref!r}")
    head = len(ref) % 5
    groups = ([ref[:head]] if head else []) + [ref[i : i + 5] for i in range(head, len(ref), 5)]
    return " ".join(groups)


def rf_from_reference(ref: str) -> str:
    """RF creditor reference in machine form from a national reference, `270001237` →
    `RF53270001237`; the body is the reference without leading zeros (§1.3)."""
    ref = _compact(ref)
    if not is_valid_reference(ref):
        raise ValueError(f"not a valid Finnish reference: {ref!r}")
    body = ref.lstrip("0")
    if not body:
        raise ValueError("an all-zero reference has no RF form")
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def is_valid_rf(rf: str) -> bool:
    """ISO 11649 check (mod 97-10); letters are allowed, so this says nothing about whether
    the body is a Finnish reference or fits in a bank barcode (§1.3)."""
    return iso11649.is_valid(rf)


def format_rf(rf: str) -> str:
    """Print form: groups of four from the left, `RF53270001237` → `RF53 2700 0123 7` (§1.3)."""
    return iso11649.format(iso11649.validate(rf))
