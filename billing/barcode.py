"""Finnish bank barcode (pankkiviivakoodi): the 54-digit virtual barcode and its Code 128 symbol.

Spec: `finnish-invoicing.md` §2 (Finanssiala bank barcode guide v5.3). Version 4 carries a
national reference, version 5 an RF reference; both are printed as Code 128 character set C.
"""

import re
from datetime import date
from decimal import Decimal

import barcode as python_barcode
from barcode.charsets import code128
from stdnum import iban as stdnum_iban

from billing.money import cents
from billing.reference import is_valid_reference, is_valid_rf

MAX_AMOUNT = Decimal("999999.99")
START_C = 105
STOP = 106
QUIET_ZONE_MODULES = 10
_DIGITS = re.compile(r"[0-9]+")


def _finnish_iban_digits(iban: str) -> str:
    compact = stdnum_iban.compact(iban)
    if not compact.startswith("FI") or not stdnum_iban.is_valid(compact):
        raise ValueError(f"bank barcode needs a valid Finnish IBAN, got {iban!r}")
    return compact[2:]


def _amount_digits(amount: Decimal) -> str:
    if not isinstance(amount, Decimal):
        raise TypeError(f"amount must be Decimal, not {type(amount).__name__}")
    if not amount.is_finite() or cents(amount) != amount:
        raise ValueError(f"amount must be whole cents, got {amount}")
    if not Decimal(0) <= amount <= MAX_AMOUNT:
        raise ValueError(
            f"bank barcode amount must be 0.00–{MAX_AMOUNT} EUR, got {amount}; print no barcode"
        )
    return f"{int(amount * 100):08d}"


def _reference_fields(reference: str) -> tuple[str, str]:
    """(version, the 25 digits after the amount): `000` + 20-digit national reference (v4) or
    the 2 RF check digits + 21-digit RF body (v5)."""
    ref = reference.replace(" ", "").upper()
    if ref.startswith("RF"):
        body = ref[4:]
        if not (is_valid_rf(ref) and _DIGITS.fullmatch(body) and len(body) <= 21):
            raise ValueError(f"RF reference must be valid with at most 21 digits: {reference!r}")
        return "5", ref[2:4] + body.zfill(21)
    if not is_valid_reference(ref):
        raise ValueError(f"not a valid Finnish reference: {reference!r}")
    return "4", "000" + ref.zfill(20)


def virtual_barcode(*, iban: str, amount: Decimal, reference: str, due_date: date | None) -> str:
    """The 54-digit virtual barcode (§2.1): version, IBAN digits, euros and cents, reference
    fields, due date `YYMMDD` (`000000` = none). Raises ValueError if it cannot be printed."""
    iban_digits = _finnish_iban_digits(iban)
    amount_digits = _amount_digits(amount)
    version, reference_digits = _reference_fields(reference)
    due = "000000" if due_date is None else due_date.strftime("%y%m%d")
    digits = version + iban_digits + amount_digits + reference_digits + due
    if len(digits) != 54:
        raise ValueError(f"virtual barcode must have 54 digits, got {len(digits)}")
    return digits


def _pairs(digits: str) -> list[int]:
    if not (_DIGITS.fullmatch(digits) and len(digits) % 2 == 0):
        raise ValueError("Code 128 set C needs a non-empty, even number of digits")
    return [int(digits[i : i + 2]) for i in range(0, len(digits), 2)]


def code128c_check_value(digits: str) -> int:
    """(105 + Σ position × value) mod 103 over the digit pairs, positions from 1 (§2.2)."""
    return (START_C + sum(i * v for i, v in enumerate(_pairs(digits), start=1))) % 103


def code128c_values(digits: str) -> list[int]:
    """Symbol values: Start C (105), one per digit pair, check value, Stop (106) (§2.2)."""
    return [START_C, *_pairs(digits), code128c_check_value(digits), STOP]


def _modules(digits: str) -> str:
    """Bar/space modules (`1` = bar) from python-barcode, checked against our symbol values."""
    values = code128c_values(digits)
    symbol = python_barcode.Code128(digits)
    expected = "".join(code128.CODES[v] for v in values[:-1]) + code128.STOP + "11"
    if symbol.encoded != values[:-2] or symbol.build()[0] != expected:
        raise RuntimeError("python-barcode did not encode Code 128 set C as expected")
    return expected


def barcode_svg(digits: str, *, module_mm: float = 0.25, height_mm: float = 13.0) -> str:
    """Inline SVG of the Code 128 set C symbol (§2.2): black `<rect>` bars on a white
    background, quiet zones of 10 modules, no text (the digits are printed separately).
    The viewBox is in modules; width and height are in millimetres."""
    modules = _modules(digits)
    width = len(modules) + 2 * QUIET_ZONE_MODULES
    height = round(height_mm / module_mm, 3)
    bars = [
        f'<rect x="{QUIET_ZONE_MODULES + m.start()}" y="0" width="{len(m.group())}" '
        f'height="{height:g}"/>'
        for m in re.finditer("1+", modules)
    ]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'width="{width * module_mm:g}mm" height="{height_mm:g}mm" '
        f'viewBox="0 0 {width} {height:g}" shape-rendering="crispEdges">'
        f'<rect x="0" y="0" width="{width}" height="{height:g}" fill="#fff"/>'
        f'<g fill="#000">{"".join(bars)}</g></svg>'
    )
