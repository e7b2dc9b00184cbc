"""National (7-3-1) and RF references against every vector of the spec (§1, JSON §8)."""

import json
from pathlib import Path

import pytest

from billing.reference import (
    check_digit,
    format_reference,
    format_rf,
    is_valid_reference,
    is_valid_rf,
    reference_from_number,
    rf_from_reference,
)

VECTORS = json.loads(
    Path(__file__).with_name("finnish-invoicing-vectors.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("v", VECTORS["fi_reference"], ids=lambda v: v["base"])
def test_national_reference(v):
    assert check_digit(v["base"]) == v["check_digit"]
    assert reference_from_number(v["base"]) == v["reference"]
    assert is_valid_reference(v["reference"])
    assert is_valid_reference(v["printed"])
    assert format_reference(v["reference"]) == v["printed"]
    assert format_reference(v["printed"]) == v["printed"]


@pytest.mark.parametrize("v", VECTORS["fi_reference_invalid"], ids=lambda v: v["reference"])
def test_invalid_national_reference(v):
    assert not is_valid_reference(v["reference"])
    with pytest.raises(ValueError):
        format_reference(v["reference"])
    with pytest.raises(ValueError):
        rf_from_reference(v["reference"])


@pytest.mark.parametrize("base", ["", "12", "1" * 20, "12a4", "12 34", "١٢٣", "-123"])
def test_reference_from_number_rejects_bad_base(base):
    with pytest.raises(ValueError):
        reference_from_number(base)


@pytest.mark.parametrize("ref", ["", "abcd", "1009x", "RF4113", "１００９"])
def test_is_valid_reference_rejects_non_digits(ref):
    assert not is_valid_reference(ref)


@pytest.mark.parametrize("v", VECTORS["rf_reference"], ids=lambda v: v["rf"])
def test_rf_reference(v):
    assert is_valid_rf(v["rf"])
    assert is_valid_rf(v["printed"])
    assert format_rf(v["rf"]) == v["printed"]
    assert format_rf(v["printed"]) == v["printed"]
    assert is_valid_reference(v["fi_reference"]) is v["fi_reference_valid"]
    if v["fi_reference_valid"]:
        assert rf_from_reference(v["fi_reference"]) == v["rf"]
        assert rf_from_reference(format_reference(v["fi_reference"])) == v["rf"]
    else:
        with pytest.raises(ValueError):
            rf_from_reference(v["fi_reference"])


def test_rf_drops_leading_zeros():
    """The vector `13` is the national reference `0013` with its zeros dropped (§1.3)."""
    assert is_valid_reference("0013")
    assert rf_from_reference("0013") == "RF4113"


def test_rf_of_all_zero_reference_is_refused():
    assert is_valid_reference("0000")
    with pytest.raises(ValueError):
        rf_from_reference("0000")


@pytest.mark.parametrize("v", VECTORS["rf_generic_iso11649"], ids=lambda v: v["rf"])
def test_generic_iso11649(v):
    assert is_valid_rf(v["rf"]) is v["valid"]
    if "printed" in v:
        assert format_rf(v["rf"]) == v["printed"]
    if not v["valid"]:
        with pytest.raises(ValueError):
            format_rf(v["rf"])


def test_generic_rf_body_need_not_be_a_finnish_reference():
    assert is_valid_rf("RF18539007547034")
    assert not is_valid_reference("539007547034")


def test_usecase_reference():
    case = VECTORS["usecase_invoice"]
    reference = reference_from_number(case["invoice_number"])
    assert reference == case["reference"]
    assert format_reference(reference) == case["reference_printed"]
    assert rf_from_reference(reference) == case["rf"]
    assert format_rf(case["rf"]) == case["rf_printed"]
