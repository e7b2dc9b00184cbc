"""Virtual bank barcode and its Code 128 set C symbol against every vector of the spec (§2)."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from barcode.charsets import code128
from stdnum.iso7064 import mod_97_10

from billing.barcode import barcode_svg, code128c_check_value, code128c_values, virtual_barcode
from billing.duedate import due_date

VECTORS = json.loads(
    Path(__file__).with_name("finnish-invoicing-vectors.json").read_text(encoding="utf-8")
)
SVG = "{http://www.w3.org/2000/svg}"

# Code 128 bar/space widths by symbol value 0…105 (ISO/IEC 15417 table), stop = 2331112.
WIDTHS = """
212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232
122132 122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122
321221 312212 322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311
211313 231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 231131 213113
213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 111422
121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111
241112 134111 111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121
412121 111143 111341 131141 114113 114311 411113 411311 113141 114131 311141 411131 211412
211214 211232
""".split()
STOP_WIDTHS = "2331112"
VALUE_OF = {w: value for value, w in enumerate(WIDTHS)}

# Positions of the fields in the 54 digits (§2.1), as 0-based slices.
V4_FIELDS = {"version": (0, 1), "iban_digits": (1, 17), "euros": (17, 23), "cents": (23, 25),
             "reserved": (25, 28), "reference": (28, 48), "due_yymmdd": (48, 54)}  # fmt: skip
V5_FIELDS = {**V4_FIELDS, "rf_check": (25, 27), "reference": (27, 48)}
del V5_FIELDS["reserved"]

VALID = {"iban": "FI2112345600000785", "amount": Decimal("1.00"), "reference": "270001237"}


def _barcode_of(v: dict) -> str:
    due = date.fromisoformat(v["due_date"]) if v["due_date"] else None
    return virtual_barcode(
        iban=v["iban"], amount=Decimal(v["amount"]), reference=v["reference"], due_date=due
    )


def _id(v: dict) -> str:
    return f"v{v['version']}-{v['reference'].replace(' ', '')}-{v['amount']}-{v['due_date']}"


@pytest.mark.parametrize("v", VECTORS["bank_barcode"], ids=_id)
def test_bank_barcode(v):
    digits = _barcode_of(v)
    assert digits == v["barcode"]
    layout = V4_FIELDS if v["version"] == 4 else V5_FIELDS
    assert {name: digits[a:b] for name, (a, b) in layout.items()} == v["fields"]
    if "code128c_check_value" in v:
        assert code128c_check_value(digits) == v["code128c_check_value"]


@pytest.mark.parametrize("v", VECTORS["bank_barcode_known_wrong"], ids=lambda v: v["barcode"])
def test_known_wrong_barcode_is_not_produced(v):
    (inputs,) = [b for b in VECTORS["bank_barcode"] if b["barcode"] == v["correct"]]
    digits = _barcode_of(inputs)
    assert digits == v["correct"]
    assert digits != v["barcode"]


@pytest.mark.parametrize("v", VECTORS["code128c_checksum"], ids=lambda v: str(v["check_value"]))
def test_code128c_checksum(v):
    values = code128c_values(v["data"])
    assert code128c_check_value(v["data"]) == v["check_value"]
    assert len(values) == 1 + 27 + 1 + 1
    assert values[0] == 105
    assert values[1:-2] == [int(v["data"][i : i + 2]) for i in range(0, 54, 2)]
    assert values[-2:] == [v["check_value"], 106]


def test_usecase_barcodes():
    case = VECTORS["usecase_invoice"]
    due = due_date(date.fromisoformat(case["invoice_date"]), case["net_days"])
    common = {
        "iban": case["seller"]["iban"],
        "amount": Decimal(case["total_gross"]),
        "due_date": due,
    }
    assert virtual_barcode(reference=case["reference"], **common) == case["barcode_v4"]
    assert virtual_barcode(reference=case["rf_printed"], **common) == case["barcode_v5"]


@pytest.mark.parametrize(
    "iban",
    ["DE89 3704 0044 0532 0130 00", "SE45 5000 0000 0583 9825 7466", "FI21 1234 5600 0007 86", ""],
    ids=["german", "swedish", "bad-checksum", "empty"],
)
def test_refuses_non_finnish_or_invalid_iban(iban):
    with pytest.raises(ValueError):
        virtual_barcode(**{**VALID, "iban": iban}, due_date=None)


@pytest.mark.parametrize(
    "amount", ["1000000.00", "999999.991", "-0.01", "1.005", "NaN", "Infinity"]
)
def test_refuses_amount_it_cannot_carry(amount):
    with pytest.raises(ValueError):
        virtual_barcode(**{**VALID, "amount": Decimal(amount)}, due_date=None)


def test_amount_over_maximum_says_why():
    with pytest.raises(ValueError, match=r"0\.00–999999\.99"):
        virtual_barcode(**{**VALID, "amount": Decimal("1000000.00")}, due_date=None)


@pytest.mark.parametrize("amount", [12.25, 12, "12.25"], ids=["float", "int", "str"])
def test_refuses_non_decimal_amount(amount):
    with pytest.raises((TypeError, ValueError)):
        virtual_barcode(**{**VALID, "amount": amount}, due_date=None)


def _rf(body: str) -> str:
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


@pytest.mark.parametrize(
    "reference",
    ["270001238", "111", "", "RF54270001237", "RF97C2H5OH", _rf("1" * 22), "27000123A"],
    ids=["bad-check-digit", "too-short", "empty", "bad-rf", "rf-letters", "rf-too-long", "letter"],
)
def test_refuses_bad_reference(reference):
    with pytest.raises(ValueError):
        virtual_barcode(**{**VALID, "reference": reference}, due_date=None)


def test_longest_rf_body_fits():
    digits = virtual_barcode(**{**VALID, "reference": _rf("1" * 21)}, due_date=None)
    assert digits[27:48] == "1" * 21


@pytest.mark.parametrize("digits", ["", "123", "12a4", "１２"])
def test_code128c_needs_even_ascii_digits(digits):
    with pytest.raises(ValueError):
        code128c_values(digits)
    with pytest.raises(ValueError):
        barcode_svg(digits)


def test_decoder_table_matches_python_barcode():
    """The widths table above is typed independently; python-barcode must agree with it."""
    as_widths = ["".join(str(len(run)) for run in re.findall("1+|0+", c)) for c in code128.CODES]
    assert as_widths == WIDTHS
    assert "".join(str(len(r)) for r in re.findall("1+|0+", code128.STOP + "11")) == STOP_WIDTHS


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def _decode_svg(svg: str) -> tuple[list[int], ET.Element]:
    """Read the bars back in module units and decode them into Code 128 symbol values."""
    root = _parse(svg)
    _, _, vb_width, vb_height = (float(n) for n in root.attrib["viewBox"].split())
    background, *bars = root.iter(f"{SVG}rect")
    assert background.attrib["fill"] == "#fff"
    assert float(background.attrib["width"]) == vb_width
    assert float(background.attrib["height"]) == vb_height
    modules = ["0"] * int(vb_width)
    for bar in bars:
        x, width = int(bar.attrib["x"]), int(bar.attrib["width"])
        assert float(bar.attrib["height"]) == vb_height
        assert modules[x : x + width] == ["0"] * width, "overlapping bars"
        modules[x : x + width] = ["1"] * width
    line = "".join(modules)
    assert line.startswith("0" * 10) and line.endswith("0" * 10), "quiet zones under 10 modules"
    runs = "".join(str(len(r)) for r in re.findall("1+|0+", line.strip("0")))
    assert runs.endswith(STOP_WIDTHS)
    data = runs[: -len(STOP_WIDTHS)]
    symbols = [data[i : i + 6] for i in range(0, len(data), 6)]
    return [VALUE_OF[s] for s in symbols] + [106], root


@pytest.mark.parametrize("v", VECTORS["bank_barcode"], ids=_id)
def test_barcode_svg_encodes_the_digits(v):
    svg = barcode_svg(v["barcode"])
    values, root = _decode_svg(svg)
    assert values == code128c_values(v["barcode"])
    assert values[-2] == v["code128c_check_value"]
    assert root.tag == f"{SVG}svg"
    assert {el.tag for el in root.iter()} <= {f"{SVG}svg", f"{SVG}g", f"{SVG}rect", f"{SVG}path"}
    assert all("href" not in name for el in root.iter() for name in el.attrib)
    assert "xlink" not in svg and "<?xml" not in svg and "<!" not in svg and "<text" not in svg
    fills = {el.attrib.get("fill") for el in root.iter()} - {None}
    assert fills == {"#fff", "#000"}


def test_barcode_svg_size_in_millimetres():
    root = _parse(barcode_svg("12" * 27, module_mm=0.25, height_mm=13))
    _, _, vb_width, vb_height = (float(n) for n in root.attrib["viewBox"].split())
    assert vb_width == 10 + 11 * 29 + 13 + 10
    assert root.attrib["width"] == f"{vb_width * 0.25:g}mm"
    assert root.attrib["height"] == "13mm"
    assert vb_height == 13 / 0.25
