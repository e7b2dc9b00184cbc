"""Property-based tests: payment references, VAT rounding, imports that refuse bad files whole.

Hypothesis keeps no example database (`database=None`). Database examples share one test
transaction, each in a savepoint that is rolled back. "found:" marks inputs of known bugs."""

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from analysis.importers import COLUMNS, import_indicator_file
from analysis.models import Indicator, IndicatorValue
from billing import reference
from billing.documents import Line
from billing.money import vat_amount
from billing.services.issuing import totals
from municipalities.demo import MUNICIPALITIES_CSV
from municipalities.importers import ImportRejected, parse_municipalities_csv
from municipalities.models import LanguageStatus, Municipality, PopulationFigure
from municipalities.services import municipalities_import

from ..municipalities.factories import MunicipalityFactory

BASE = settings(deadline=None, database=None)
DB = settings(BASE, suppress_health_check=[HealthCheck.function_scoped_fixture])
CENT = Decimal("0.01")

# --- References -----------------------------------------------------------------------------

bases = st.from_regex(r"[0-9]{3,19}", fullmatch=True)


@BASE
@given(base=bases)
def test_national_reference_is_valid_catches_digit_errors_and_prints_in_fives(base):
    ref = reference.reference_from_number(base)
    assert reference.is_valid_reference(ref)
    assert ref == base + str(reference.check_digit(base))
    for position, original in enumerate(ref):
        for digit in set("0123456789") - {original}:
            assert not reference.is_valid_reference(ref[:position] + digit + ref[position + 1 :])
    groups = reference.format_reference(ref).split(" ")
    assert "".join(groups) == ref
    assert 1 <= len(groups[0]) <= 5
    assert all(len(group) == 5 for group in groups[1:])


@BASE
@given(base=bases)
def test_rf_reference_wraps_the_national_reference(base):
    assume(base.strip("0"))
    ref = reference.reference_from_number(base)
    rf = reference.rf_from_reference(ref)
    assert reference.is_valid_rf(rf)
    assert rf.startswith("RF") and rf[4:] == ref.lstrip("0")
    printed = reference.format_rf(rf)
    assert printed.replace(" ", "") == rf
    assert all(len(group) == 4 for group in printed.split(" ")[:-1])


# --- VAT rounding ---------------------------------------------------------------------------

nets = st.decimals(-1_000_000, 1_000_000, places=2)  # bounded: never NaN or infinite
rates = st.sampled_from([Decimal("22"), Decimal("23"), Decimal("24"), Decimal("25.5")])


@BASE
@given(net=nets, rate=rates)
def test_vat_is_rounded_half_up_to_cents(net, rate):
    exact = net * rate / Decimal(100)
    vat = vat_amount(net, rate)
    assert vat == exact.quantize(CENT, rounding=ROUND_HALF_UP)
    assert vat.as_tuple().exponent == -2
    assert abs(vat - exact) <= Decimal("0.005")


def line(position: int, net: Decimal, rate: Decimal) -> Line:
    vat = vat_amount(net, rate)
    return Line(position, "Rivi", Decimal(1), "kpl", net, net, rate, vat, net + vat)


lines = st.lists(st.tuples(nets, rates), max_size=12).map(
    lambda pairs: [line(n, net, rate) for n, (net, rate) in enumerate(pairs, start=1)]
)


@BASE
@given(lines=lines)
# three lines whose rounded line VATs (3 × 0.01) differ from the VAT of their sum (0.02)
@example(lines=[line(n, Decimal("0.02"), Decimal("25.5")) for n in (1, 2, 3)])
def test_totals_take_vat_per_rate_on_the_summed_base(lines):
    breakdown, net, vat, gross = totals(lines)
    assert gross == net + vat
    assert net == sum((item.net for item in lines), Decimal("0.00"))
    assert vat == sum((row.vat for row in breakdown), Decimal("0.00"))
    assert [row.rate for row in breakdown] == sorted({item.vat_rate for item in lines})
    for row in breakdown:
        base = sum(item.net for item in lines if item.vat_rate == row.rate)
        assert row.base == base
        assert row.vat == (base * row.rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    if len(lines) == 3 and all(item.net == Decimal("0.02") for item in lines):
        assert vat == Decimal("0.02") != sum(item.vat for item in lines)


# --- CSV imports: bad files are refused whole and never crash -------------------------------

HEADER = MUNICIPALITIES_CSV.read_text(encoding="utf-8").splitlines()[0]
LENGTHS = {field.name: field.max_length for field in Municipality._meta.concrete_fields}
YEARS = (2019, 2020, 2021)
# found: "١٢٣" (Arabic-Indic digits) passes `\d{3}`, the table's CHECK wants ASCII [0-9]{3};
# a NUL or a 101-character name passes the parser but not PostgreSQL
UNICODE_CODE, NUL_NAME, LONG_NAME = (
    f"municipality_code,name_fi\n{row}\n".encode()
    for row in ("١٢٣,A", "005,A\x00", "005," + "A" * 101)
)
# found: years "2020" and "02020" are one year but two keys for the duplicate check
SAME_YEAR_TWICE = ",".join(COLUMNS) + "\n980,population,2020,1,,\n980,population,02020,2,,\n"
noise = st.text(
    st.one_of(st.characters(codec="utf-8"), st.sampled_from(list(",;\"'\r\n\t\x00\ufeff")))
)


@st.composite
def csv_files(draw, headers: list[list[str]], good: dict[str, st.SearchStrategy[str]]) -> str:
    """A header and rows of plausible cells, some corrupted, some raw noise, quoted or not."""
    columns = draw(st.sampled_from(headers).flatmap(st.permutations))
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = [draw(st.sampled_from(["", "\ufeff"])) + ",".join(columns) + end]
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["clean", "clean", "clean", "clean", "corrupt", "noise"]))
        cells = [draw(good.get(column, noise)) for column in columns]
        if kind == "corrupt":
            cells[draw(st.integers(0, len(cells) - 1))] = draw(noise)
        if kind == "noise" or draw(st.booleans()):  # noise, or cells unquoted
            lines.append(draw(noise) + end if kind == "noise" else ",".join(cells) + end)
        else:
            csv.writer(out := io.StringIO(), lineterminator=end).writerow(cells)
            lines.append(out.getvalue())
    return "".join(lines)


def contents(headers: list[list[str]], good: dict) -> st.SearchStrategy[bytes]:
    header_and_noise = st.builds("{}\n{}".format, st.sampled_from(headers).map(",".join), noise)
    text = noise | header_and_noise | csv_files(headers, good) | csv_files(headers, good)
    return st.binary() | text.map(lambda value: value.encode("utf-8"))


digits = st.characters(categories=["Nd"])  # ASCII and other scripts' digits, e.g. ١٢٣
municipality_files = contents(
    [HEADER.split(","), ["municipality_code", "name_fi", "y_tunnus", "population_2021_12_31"]],
    {
        "municipality_code": st.from_regex(r"[0-9]{3}", fullmatch=True)
        | st.sampled_from(["005", "980", "562"])
        | st.text(digits, min_size=3, max_size=3),
        "name_fi": st.text(min_size=1, max_size=12) | st.text(min_size=90, max_size=120),
        "region_code": st.from_regex(r"[0-9]{2}", fullmatch=True),
        "subregion_code": st.from_regex(r"[0-9]{3}", fullmatch=True),
        "municipality_type_2021": st.sampled_from(["kunta", "kaupunki", "City", ""]),
        "language_status": st.sampled_from(LanguageStatus.values),
        "statistical_grouping_en": st.sampled_from(["", "Rural municipalities", "semi_urban"]),
        "y_tunnus": st.sampled_from(["", "0158221-7", "01582217", "0177619-3", "0177619-4"]),
        **{f"population_{y}_12_31": st.from_regex(r"[0-9]{0,6}", fullmatch=True) for y in YEARS},
    },
)


def assert_valid(rows) -> None:
    """Every parsed row fits the table: ASCII 3-digit code, a name, storable text."""
    for row in rows:
        assert re.fullmatch(r"[0-9]{3}", row.code), f"line {row.line}: code {row.code!r}"
        assert row.fields["name_fi"], f"line {row.line}: no Finnish name"
        for name, text in row.fields.items():
            if isinstance(text, str):
                assert len(text) <= LENGTHS[name], f"line {row.line}: {name} is too long"
                assert "\x00" not in text, f"line {row.line}: NUL in {name}; PostgreSQL refuses it"
        assert all(population > 0 for population in row.populations.values())


@settings(BASE, max_examples=150)
@given(content=municipality_files)
@example(content=UNICODE_CODE)
@example(content=NUL_NAME)
@example(content=LONG_NAME)
def test_municipality_csv_is_parsed_or_refused_never_crashes(content):
    try:
        rows = parse_municipalities_csv(io.BytesIO(content))
    except ImportRejected as error:
        assert error.errors
    else:
        assert rows
        assert_valid(rows)


@pytest.fixture
def existing(db):
    """Two municipalities (one holding a business ID a file may reuse) and one stored value."""
    ylojarvi = MunicipalityFactory(code="980", name_fi="Ylöjärvi", business_id="0158221-7")
    MunicipalityFactory(code="562", name_fi="Orivesi")
    population = Indicator.objects.get(code="population")
    IndicatorValue.objects.create(
        municipality=ylojarvi, indicator=population, year=2021, value=33533, source="SF"
    )


def state(*models) -> list[list[tuple]]:
    return [list(model.objects.order_by("pk").values_list()) for model in models]


@settings(DB, max_examples=80)
@given(content=municipality_files)
@example(content=UNICODE_CODE)
def test_municipality_import_writes_whole_valid_files_only(existing, content):
    with transaction.atomic():
        before = state(Municipality, PopulationFigure)
        try:
            rows = parse_municipalities_csv(io.BytesIO(content))
            result = municipalities_import(rows=rows)
        except ImportRejected:
            assert state(Municipality, PopulationFigure) == before
        else:
            assert Municipality.objects.count() == len(before[0]) + result.created
            assert_valid(rows)
        transaction.set_rollback(True)


indicator_files = contents(
    [list(COLUMNS), list(COLUMNS), ["municipality_code", "indicator", "year", "value"]],
    {
        "municipality_code": st.sampled_from(["980", "562"]),
        "indicator": st.sampled_from(["population", "municipal_election_2021_turnout_pct"]),
        # spreadsheets write years as 2021, 02021 (zero-padded text) or 2021.0
        "year": st.sampled_from(["2020", "2021", "02021", "2021.0"])
        | st.from_regex(r"0?(19|20)[0-9]{2}", fullmatch=True),
        "value": st.decimals(-(10**6), 10**6).map(str)
        | st.decimals(allow_nan=False, allow_infinity=False).map(str)
        | st.text(digits, min_size=1, max_size=3)
        | st.sampled_from(["NaN", "-Infinity", "1e14", "99999999999999.99995", "1,5", " 7 "]),
    },
)


@settings(DB, max_examples=100)
@given(content=indicator_files, suffix=st.sampled_from([".csv", ".CSV", ".xlsx"]))
@example(content=SAME_YEAR_TWICE.encode(), suffix=".csv")
def test_indicator_import_writes_whole_valid_files_only(existing, tmp_path, content, suffix):
    path = tmp_path / f"indicators{suffix}"
    path.write_bytes(content)
    with transaction.atomic():
        before = state(IndicatorValue)
        try:
            result = import_indicator_file(path)
        except ImportRejected as error:
            assert error.errors
            assert state(IndicatorValue) == before
        else:
            assert IndicatorValue.objects.count() == len(before[0]) + result.created
            sources = IndicatorValue.objects.values_list("source", flat=True)
            assert not any("\x00" in source for source in sources), "PostgreSQL refuses NUL"
        transaction.set_rollback(True)
