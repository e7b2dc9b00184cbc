"""Money: Decimal only, rounded half up to cents in one place."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    """Round to cents, half up (0.005 → 0.01), as Finnish invoices and EN 16931 expect."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def vat_amount(net: Decimal, rate: Decimal) -> Decimal:
    """VAT on a net amount at a percentage rate, rounded half up to cents."""
    return cents(net * rate / Decimal(100))
