"""VAT per rate on the summed net amount, rounded half up (spec §5.5)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from billing.money import cents, vat_amount

VECTORS = json.loads(
    Path(__file__).with_name("finnish-invoicing-vectors.json").read_text(encoding="utf-8")
)
D = Decimal


def _net(v: dict) -> Decimal:
    return D(v["net"]) if "net" in v else sum((D(n) for n in v["lines_net"]), D("0.00"))


@pytest.mark.parametrize("v", VECTORS["vat_calc"], ids=lambda v: v.get("net", v.get("total_net")))
def test_vat_calc(v):
    net = _net(v)
    vat = vat_amount(net, D(v["rate"]))
    assert vat == D(v.get("vat", v.get("vat_on_total")))
    assert net + vat == D(v["gross"])
    if "lines_net" in v:
        assert net == D(v["total_net"])
        line_vat = [vat_amount(D(n), D(v["rate"])) for n in v["lines_net"]]
        assert line_vat == [D(x) for x in v["line_vat_half_up"]]


def test_vat_rounding_difference():
    v = VECTORS["vat_rounding_difference"]
    rate = D(v["rate"])
    lines = [D(n) for n in v["lines_net"]]
    row_rounded = sum((vat_amount(n, rate) for n in lines), D("0.00"))
    on_total = vat_amount(sum(lines, D("0.00")), rate)
    assert row_rounded == D(v["sum_of_rounded_line_vat"])
    assert on_total == D(v["vat_on_category_total"])
    assert row_rounded != on_total


def test_usecase_totals():
    case = VECTORS["usecase_invoice"]
    nets = [D(line["net"]) for line in case["lines"]]
    for line in case["lines"]:
        assert vat_amount(D(line["net"]), D(line["vat_rate"])) == D(line["vat"])
    total_net = sum(nets, D("0.00"))
    total_vat = vat_amount(total_net, D("25.5"))
    assert (total_net, total_vat) == (D(case["total_net"]), D(case["total_vat"]))
    assert total_net + total_vat == D(case["total_gross"])


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-0.005", "-0.01"), ("7", "7.00")],
)
def test_cents_rounds_half_up(amount, expected):
    assert str(cents(D(amount))) == expected


@pytest.mark.parametrize("amount", [0.1, 1, "1.00"], ids=["float", "int", "str"])
def test_cents_refuses_non_decimal(amount):
    with pytest.raises(TypeError):
        cents(amount)
