"""`import_indicators`: the real bundled files (all of them, as load_demo loads them), XLSX,
gzip, idempotency, refusal by line and column, which source wins."""

import csv
import gzip
import io
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from analysis.demo import INDICATOR_FILES, load_analysis_demo
from analysis.importers import COLUMNS, import_indicator_files, parse, read_rows
from analysis.models import IndicatorValue, Source
from analysis.sources import source_code_for
from municipalities.demo import MUNICIPALITIES_CSV, DemoContext
from municipalities.importers import ImportRejected, RowError

pytestmark = pytest.mark.django_db

INDICATORS_CSV = Path(__file__).resolve().parents[2] / "analysis" / "data" / "indicators.csv"
HEADER = ",".join(COLUMNS)
TURNOUT = "municipal_election_2021_turnout_pct"


def csv_rows() -> list[dict[str, str]]:
    with INDICATORS_CSV.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def csv_value(code: str, indicator: str, year: int) -> Decimal:
    (row,) = [
        row
        for row in csv_rows()
        if (row["municipality_code"], row["indicator"], row["year"]) == (code, indicator, str(year))
    ]
    return Decimal(row["value"])


def run_import(path: Path) -> str:
    out = io.StringIO()
    call_command("import_indicators", str(path), stdout=out)
    return out.getvalue()


def write_csv(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "indicators.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def stored(code: str, indicator: str, year: int) -> Decimal:
    return IndicatorValue.objects.get(
        municipality__code=code, indicator__code=indicator, year=year
    ).value


@pytest.fixture
def municipalities():
    call_command("import_municipalities", str(MUNICIPALITIES_CSV), stdout=io.StringIO())


def test_real_file_imports_every_value_and_prints_the_counts(municipalities):
    rows = csv_rows()
    assert len(rows) == 3931  # the data dictionary (SOURCES.md) promises 3 931 rows

    output = run_import(INDICATORS_CSV)

    assert f"{len(rows)} created, 0 updated, 0 unchanged" in output
    assert IndicatorValue.objects.count() == len(rows)
    assert stored("980", TURNOUT, 2021) == csv_value("980", TURNOUT, 2021)
    assert stored("005", "population", 2019) == csv_value("005", "population", 2019)
    # the source of every row is kept
    value = IndicatorValue.objects.get(municipality__code="980", indicator__code=TURNOUT)
    assert value.source == next(
        row["source"]
        for row in rows
        if row["municipality_code"] == "980" and row["indicator"] == TURNOUT
    )


def test_second_run_changes_nothing(municipalities):
    run_import(INDICATORS_CSV)
    before = dict(IndicatorValue.objects.values_list("pk", "value"))

    output = run_import(INDICATORS_CSV)

    assert "0 created, 0 updated, 3931 unchanged" in output
    assert dict(IndicatorValue.objects.values_list("pk", "value")) == before


def test_an_xlsx_with_the_same_columns_imports_the_same_way(municipalities, tmp_path):
    # given: the bundled rows in a workbook, numbers as numbers and codes as text
    rows = csv_rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        number = Decimal(row["value"])
        sheet.append(
            [
                row["municipality_code"],
                row["indicator"],
                int(row["year"]),
                int(number) if number == number.to_integral_value() else float(number),
                row["unit"],
                row["source"],
            ]
        )
    path = tmp_path / "indicators.xlsx"
    workbook.save(path)

    # when
    output = run_import(path)

    # then: the same values as the CSV gives, so the CSV finds nothing to change
    assert f"{len(rows)} created, 0 updated, 0 unchanged" in output
    assert stored("980", TURNOUT, 2021) == csv_value("980", TURNOUT, 2021)
    assert f"0 created, 0 updated, {len(rows)} unchanged" in run_import(INDICATORS_CSV)


GOOD = "980,population,2021,33533,persons,Statistics Finland"


@pytest.mark.parametrize(
    ("bad_line", "column", "message"),
    [
        ("000,population,2021,100,persons,S", "municipality_code", "not a known municipality"),
        ("980,happiness,2021,7,points,S", "indicator", "not a defined indicator"),
        ("980,population,2020,n/a,persons,S", "value", "“n/a” is not a number"),
        ('980,population,2020,"1,5",persons,S', "value", "“1,5” is not a number"),
        ("980,population,2020,NaN,persons,S", "value", "“NaN” is not a number"),
        ("980,population,2020,Infinity,persons,S", "value", "“Infinity” is not a number"),
        ("980,population,2020,,persons,S", "value", "“” is not a number"),
        ("980,population,last year,1,persons,S", "year", "“last year” is not a year"),
        ("980,population,21,1,persons,S", "year", "“21” is not a year"),
        (GOOD, "indicator", "the same value already appeared on line 2"),
    ],
)
def test_a_bad_line_refuses_the_whole_file_naming_line_and_column(
    municipalities, tmp_path, bad_line, column, message
):
    path = write_csv(tmp_path, GOOD, bad_line)

    with pytest.raises(CommandError) as error:
        run_import(path)

    assert f"line 3, column {column}: " in str(error.value)
    assert message in str(error.value)
    assert "nothing was imported" in str(error.value)
    assert IndicatorValue.objects.count() == 0


def test_a_year_with_a_footnote_mark_is_a_line_error_not_a_crash(municipalities, tmp_path):
    """“2021¹” passes str.isdigit() (¹ is a Unicode digit) but not int(): it must be refused."""
    path = write_csv(tmp_path, GOOD, "980,population,2020¹,33352,persons,S")

    with pytest.raises(CommandError, match="line 3, column year: “2020¹” is not a year"):
        run_import(path)
    assert IndicatorValue.objects.count() == 0


def test_a_value_that_rounds_beyond_the_column_is_refused(municipalities, tmp_path):
    """Below 10^14 when read, but rounded to four decimals it is 10^14: too large to store
    (max_digits 18, decimal_places 4). PostgreSQL raises a DataError; SQLite stores it."""
    path = write_csv(tmp_path, GOOD, "980,population,2020,99999999999999.99999,persons,S")

    with pytest.raises(CommandError, match="line 3, column value: "):
        run_import(path)
    assert IndicatorValue.objects.count() == 0


def test_every_problem_is_listed_with_its_line_and_column(municipalities, tmp_path):
    path = write_csv(
        tmp_path,
        "999,population,2021,1,persons,S",
        "980,happiness,2021,1,points,S",
        "980,population,year,1.5e,persons,S",
    )

    with pytest.raises(ImportRejected) as rejected:
        parse(read_rows(path))

    assert [(error.line, error.column) for error in rejected.value.errors] == [
        (2, "municipality_code"),
        (3, "indicator"),
        (4, "year"),
        (4, "value"),
    ]
    assert all(isinstance(error, RowError) for error in rejected.value.errors)


def test_a_refused_file_leaves_existing_values_untouched(municipalities, tmp_path):
    # given
    run_import(INDICATORS_CSV)
    count = IndicatorValue.objects.count()
    original = stored("980", "population", 2021)
    path = write_csv(
        tmp_path,
        "980,population,2021,40000,persons,S",
        "980,population,2020,n/a,persons,S",
    )

    # when
    with pytest.raises(CommandError, match="line 3, column value"):
        run_import(path)

    # then
    assert stored("980", "population", 2021) == original
    assert IndicatorValue.objects.count() == count


def test_a_bad_line_of_an_xlsx_names_its_row(municipalities, tmp_path):
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    workbook.active.append(["980", "population", 2021, 33533, "persons", "S"])
    workbook.active.append(["980", "population", 2020, "n/a", "persons", "S"])
    path = tmp_path / "bad.xlsx"
    workbook.save(path)

    with pytest.raises(CommandError, match="line 3, column value: “n/a” is not a number"):
        run_import(path)
    assert IndicatorValue.objects.count() == 0


def test_a_missing_header_column_is_named(municipalities, tmp_path):
    path = write_csv(
        tmp_path, "980,population,2021,persons,S", header="municipality_code,indicator,year,unit"
    )
    with pytest.raises(CommandError) as error:
        run_import(path)
    assert "line 1, column value: this required column is missing" in str(error.value)
    assert "line 1, column source: this required column is missing" in str(error.value)
    assert IndicatorValue.objects.count() == 0


def test_empty_header_only_and_non_utf8_files_are_refused(municipalities, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was imported"):
        run_import(empty)

    with pytest.raises(CommandError, match="file: the file has no rows"):
        run_import(write_csv(tmp_path))

    latin = tmp_path / "latin1.csv"
    latin.write_bytes(f"{HEADER}\n980,population,2021,1,henkilöä,S\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run_import(latin)
    assert IndicatorValue.objects.count() == 0


def test_a_missing_path_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.csv: no such file"):
        run_import(tmp_path / "missing.csv")


def test_a_changed_value_is_updated_and_counted(municipalities, tmp_path):
    # given
    run_import(INDICATORS_CSV)
    row = next(
        row
        for row in csv_rows()
        if row["municipality_code"] == "980" and row["indicator"] == TURNOUT
    )
    changed = Decimal(row["value"]) + Decimal("0.1")
    path = write_csv(tmp_path, f"980,{TURNOUT},2021,{changed},%,{row['source']}")

    # when
    output = run_import(path)

    # then
    assert "0 created, 1 updated, 0 unchanged" in output
    assert stored("980", TURNOUT, 2021) == changed
    assert IndicatorValue.objects.count() == len(csv_rows())


def test_statistics_finland_wins_over_a_citys_own_figure_and_both_are_kept(
    municipalities, tmp_path
):
    """Two sources, one municipality, indicator and year: the analysis uses Statistics Finland's
    value; the city's stays, marked "not used", whichever file came first."""
    indicator = "loan_stock_eur_per_inhabitant"
    city = f"980,{indicator},2019,3100.0,EUR per inhabitant,S8 City of Ylöjärvi press release"
    official = f"980,{indicator},2019,3088.5,EUR per inhabitant,T2 Statistics Finland kta_11"
    for name, line in (("city.csv", city), ("official.csv", official)):
        (tmp_path / name).write_text(f"{HEADER}\n{line}\n", encoding="utf-8")

    # the city's figure first, then the official series, then the city's again
    for name in ("city.csv", "official.csv", "city.csv"):
        run_import(tmp_path / name)

    rows = (
        IndicatorValue.objects.filter(
            municipality__code="980", indicator__code=indicator, year=2019
        )
        .select_related("data_source")
        .order_by("data_source__priority")
    )
    assert [(row.data_source.code, row.value, row.is_preferred) for row in rows] == [
        ("statistics-finland", Decimal("3088.5000"), True),
        ("municipality-own", Decimal("3100.0000"), False),
    ]
    assert IndicatorValue.objects.preferred().get(
        municipality__code="980", indicator__code=indicator, year=2019
    ).value == Decimal("3088.5000")


def read_independently(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def test_every_bundled_file_loads_as_load_demo_loads_it_and_again_changes_nothing(
    municipalities,
):
    # given: the files read with the csv module alone
    rows = [row for path in INDICATOR_FILES for row in read_independently(path)]
    expected = Counter((row["indicator"], int(row["year"])) for row in rows)
    keys = Counter((row["municipality_code"], row["indicator"], row["year"]) for row in rows)
    contested = {key for key, count in keys.items() if count > 1}
    context = DemoContext()

    # when: the demo step
    load_analysis_demo(context)
    messages = context.lines

    # then: one value per line of the files, per indicator and year
    stored_counts = Counter(
        IndicatorValue.objects.values_list("indicator__code", "year").order_by()
    )
    assert len(rows) == 110_764 + 20_376 + 3_931  # SOURCES.md's row counts
    assert stored_counts == expected
    assert f"{len(rows)} created, 0 updated, 0 unchanged" in messages[0]
    # one used value per key; where two sources give one key, the other is kept, not used
    preferred = IndicatorValue.objects.preferred()
    assert preferred.count() == len(keys)
    assert contested and IndicatorValue.objects.filter(is_preferred=False).count() == len(contested)
    for code, indicator, year in contested:
        used = preferred.select_related("data_source").get(
            municipality__code=code, indicator__code=indicator, year=year
        )
        assert used.data_source.code == "statistics-finland"
    # every provenance of the files names a known publisher
    assert "unspecified" not in set(
        IndicatorValue.objects.values_list("data_source__code", flat=True)
    )
    assert Counter(source_code_for(row["source"]) for row in rows) == Counter(
        IndicatorValue.objects.values_list("data_source__code", flat=True).order_by()
    )

    # when: loaded again
    context = DemoContext()
    load_analysis_demo(context)
    again = context.lines

    # then
    assert f"0 created, 0 updated, {len(rows)} unchanged" in again[0]
    assert "0 created, 0 updated, 1545 unchanged" in again[0]


def test_a_gzipped_file_imports_as_the_plain_one(municipalities, tmp_path):
    path = tmp_path / "indicators.csv.gz"
    path.write_bytes(gzip.compress(INDICATORS_CSV.read_bytes()))

    output = run_import(path)

    assert f"{len(csv_rows())} created, 0 updated, 0 unchanged" in output
    assert f"0 created, 0 updated, {len(csv_rows())} unchanged" in run_import(INDICATORS_CSV)


def test_a_damaged_gzip_is_refused_in_one_line(municipalities, tmp_path):
    path = tmp_path / "indicators.csv.gz"
    path.write_bytes(gzip.compress(INDICATORS_CSV.read_bytes())[:500])

    with pytest.raises(CommandError, match="file: the file is not readable gzip"):
        run_import(path)
    assert IndicatorValue.objects.count() == 0


def test_several_files_are_one_import_a_bad_one_refuses_all(municipalities, tmp_path):
    good = write_csv(tmp_path, GOOD)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\n980,population,2020,n/a,persons,S\n", encoding="utf-8")

    with pytest.raises(ImportRejected) as rejected:
        import_indicator_files([good, bad])

    assert [str(error) for error in rejected.value.errors] == [
        "line 2, column value: bad.csv: “n/a” is not a number (use a decimal point)"
    ]
    assert IndicatorValue.objects.count() == 0


@pytest.mark.parametrize(
    ("provenance", "source"),
    [
        ("H1 Statistics Finland Kuntien avainluvut 2019 aikasarja", "statistics-finland"),
        ("derived: sum of 214+099 from H1 (2021 division)", "statistics-finland"),
        (
            "derived: change of sum of 541+911 population vs the previous year's sum (2021 "
            "division)",
            "statistics-finland",
        ),
        ("derived from T2 / population 31.12.2019 (S2)", "statistics-finland"),
        ("S2 THL Sotkanet ind.127 (Statistics Finland population 31.12.)", "thl-sotkanet"),
        ("derived from S2 (change of 31.12. population vs previous year)", "thl-sotkanet"),
        ("S7 Statistics Finland StatFin 12x4 municipal elections 2021", "statistics-finland"),
        ("S8 ylojarvi.fi press release on 2020 financial statements", "municipality-own"),
        ("S9 oivaseutu.fi news 26.3.2021", "municipality-own"),
        ("S10 lappeenranta.fi key figures", "municipality-own"),
        ("Tilastokeskus, PxWeb", "statistics-finland"),
        ("", "unspecified"),
        ("a spreadsheet from a colleague", "unspecified"),
    ],
)
def test_each_provenance_names_its_publisher(provenance, source):
    assert source_code_for(provenance) == source
    assert Source.objects.filter(code=source).exists()  # created by the migrations
