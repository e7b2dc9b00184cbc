"""`import_municipalities`: the real file, idempotency, atomic refusal with line-level errors."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from municipalities.demo import MUNICIPALITIES_CSV
from municipalities.importers import ImportRejected, parse_municipalities_csv
from municipalities.models import Municipality, PopulationFigure, StatisticalGrouping
from municipalities.services import municipalities_import

pytestmark = pytest.mark.django_db

HEADER = MUNICIPALITIES_CSV.read_text(encoding="utf-8").splitlines()[0]
YLOJARVI = next(
    line
    for line in MUNICIPALITIES_CSV.read_text(encoding="utf-8").splitlines()
    if line.startswith("980,")
)


def run_import(path: Path) -> str:
    out = io.StringIO()
    call_command("import_municipalities", str(path), stdout=out)
    return out.getvalue()


def write_csv(tmp_path: Path, *lines: str, header: str = HEADER) -> Path:
    path = tmp_path / "municipalities.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def test_real_file_imports_309_municipalities_and_927_population_figures():
    output = run_import(MUNICIPALITIES_CSV)

    assert Municipality.objects.count() == 309
    assert PopulationFigure.objects.count() == 927
    assert "309 created, 0 updated, 0 unchanged" in output
    assert "927 created" in output
    ylojarvi = Municipality.objects.get(code="980")
    assert ylojarvi.name_fi == "Ylöjärvi"
    assert ylojarvi.business_id == "0158221-7"
    assert ylojarvi.business_id_verified
    assert ylojarvi.kind == "city"
    assert ylojarvi.statistical_grouping == StatisticalGrouping.URBAN
    assert ylojarvi.region_name_fi == "Pirkanmaa"
    assert ylojarvi.preferred_language == "fi"
    populations = dict(ylojarvi.population_figures.values_list("reference_date", "population"))
    assert populations == {
        datetime.date(2019, 12, 31): 33254,
        datetime.date(2020, 12, 31): 33352,
        datetime.date(2021, 12, 31): 33533,
    }
    # codes keep their leading zeros; Swedish-speaking municipalities prefer Swedish
    assert Municipality.objects.get(code="005").name_fi == "Alajärvi"
    assert Municipality.objects.get(code="478").preferred_language == "sv"  # Mariehamn


def test_totals_match_statistics_finland():
    run_import(MUNICIPALITIES_CSV)
    totals = {
        year: sum(
            PopulationFigure.objects.filter(reference_date=datetime.date(year, 12, 31)).values_list(
                "population", flat=True
            )
        )
        for year in (2019, 2020, 2021)
    }
    assert totals == {2019: 5_525_292, 2020: 5_533_793, 2021: 5_548_241}
    assert Municipality.objects.filter(kind="city").count() == 107


def test_unverified_business_ids_are_imported_but_flagged():
    output = run_import(MUNICIPALITIES_CSV)
    flagged = Municipality.objects.exclude(business_id="").filter(business_id_verified=False)
    assert flagged.count() == 281
    assert "281 business IDs are unverified" in output
    # conflicting IDs were omitted from the source: imported empty, never invented
    assert Municipality.objects.get(code="182").business_id == ""  # Jämsä


def test_second_import_changes_nothing_and_says_so():
    run_import(MUNICIPALITIES_CSV)
    before = {m.code: m.updated_at for m in Municipality.objects.all()}

    output = run_import(MUNICIPALITIES_CSV)

    assert output.startswith("Nothing changed: 309 municipalities and 927 population figures")
    assert {m.code: m.updated_at for m in Municipality.objects.all()} == before


def test_changed_rows_are_updated_and_counted(tmp_path):
    run_import(MUNICIPALITIES_CSV)
    changed = YLOJARVI.replace("33533", "33600").replace(
        "Ylöjärvi,Ylöjärvi", "Ylöjärvi,Ylöjärvi stad"
    )

    output = run_import(write_csv(tmp_path, changed))

    assert "0 created, 1 updated, 0 unchanged" in output
    assert "0 created, 1 updated, 2 unchanged" in output
    assert Municipality.objects.get(code="980").name_sv == "Ylöjärvi stad"
    assert (
        PopulationFigure.objects.get(
            municipality__code="980", reference_date=datetime.date(2021, 12, 31)
        ).population
        == 33600
    )


def test_staff_edits_not_in_the_file_survive_a_reimport(tmp_path):
    run_import(MUNICIPALITIES_CSV)
    Municipality.objects.filter(code="980").update(
        einvoice_address="003701582217", preferred_language="en"
    )
    run_import(MUNICIPALITIES_CSV)
    ylojarvi = Municipality.objects.get(code="980")
    assert (ylojarvi.einvoice_address, ylojarvi.preferred_language) == ("003701582217", "en")


@pytest.mark.parametrize(
    ("bad_line", "column", "message"),
    [
        (
            YLOJARVI.replace("980,", "98,", 1),
            "municipality_code",
            "not a three-digit municipality code",
        ),
        (
            YLOJARVI.replace(",33352,", ",-5,"),
            "population_2020_12_31",
            "not a positive whole number",
        ),
        (
            YLOJARVI.replace(",33352,", ",0,"),
            "population_2020_12_31",
            "not a positive whole number",
        ),
        (
            YLOJARVI.replace(",33352,", ",33 352,"),
            "population_2020_12_31",
            "not a positive whole number",
        ),
        (YLOJARVI.replace("0158221-7", "0158221-8"), "y_tunnus", "not a valid business ID"),
        (YLOJARVI.replace(",kaupunki,", ",kylä,"), "municipality_type_2021", "neither kaupunki"),
        (YLOJARVI.replace(",fi,unilingual", ",se,unilingual"), "language_status", "not one of"),
        (
            YLOJARVI.replace("Urban municipalities", "Metropolis"),
            "statistical_grouping_en",
            "not urban",
        ),
        (YLOJARVI.replace("980,Ylöjärvi,", "980,,"), "name_fi", "Finnish name is missing"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_line_and_column(
    tmp_path, bad_line, column, message
):
    good = next(
        line
        for line in MUNICIPALITIES_CSV.read_text(encoding="utf-8").splitlines()
        if line.startswith("005,")
    )
    path = write_csv(tmp_path, good, bad_line)

    with pytest.raises(CommandError) as error:
        run_import(path)

    assert f"line 3, column {column}: " in str(error.value)
    assert message in str(error.value)
    assert "nothing was imported" in str(error.value)
    assert Municipality.objects.count() == 0
    assert PopulationFigure.objects.count() == 0


def test_every_problem_is_listed_not_just_the_first(tmp_path):
    path = write_csv(
        tmp_path,
        YLOJARVI.replace("980,", "9800,", 1),
        YLOJARVI.replace(",33352,", ",-1,"),
        YLOJARVI,
    )
    with pytest.raises(CommandError) as error:
        run_import(path)
    text = str(error.value)
    assert "line 2, column municipality_code" in text
    assert "line 3, column population_2020_12_31" in text
    assert "line 4, column municipality_code: code 980 already appeared on line 3" in text


def test_a_refused_file_leaves_existing_data_untouched(tmp_path):
    run_import(MUNICIPALITIES_CSV)
    path = write_csv(
        tmp_path, YLOJARVI.replace("33533", "40000"), YLOJARVI.replace("980,", "x,", 1)
    )
    with pytest.raises(CommandError):
        run_import(path)
    assert (
        PopulationFigure.objects.get(
            municipality__code="980", reference_date=datetime.date(2021, 12, 31)
        ).population
        == 33533
    )


def test_business_id_taken_by_another_municipality_in_the_database_is_refused(tmp_path):
    run_import(MUNICIPALITIES_CSV)
    # Orivesi (562) claims Ylöjärvi's business ID
    orivesi = next(
        line
        for line in MUNICIPALITIES_CSV.read_text(encoding="utf-8").splitlines()
        if line.startswith("562,")
    )
    old_id = orivesi.split(",")[-2]
    path = write_csv(tmp_path, orivesi.replace(old_id, "0158221-7"))
    with pytest.raises(
        CommandError, match="business ID 0158221-7 already belongs to municipality 980"
    ):
        run_import(path)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("code,name_fi", "column municipality_code: this required column is missing"),
        (HEADER + ",extra", "column extra: unknown column"),
        ("municipality_code,name_fi,name_fi", "column name_fi: the column appears twice"),
    ],
)
def test_header_problems_are_named(tmp_path, header, message):
    path = tmp_path / "bad.csv"
    path.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run_import(path)


def test_empty_and_non_utf8_files_are_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="header row is expected"):
        run_import(empty)
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(("municipality_code,name_fi\n980,Ylöjärvi\n").encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        run_import(latin)
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path / "missing.csv")


def test_minimal_file_and_byte_order_mark(tmp_path):
    path = tmp_path / "minimal.csv"
    path.write_bytes(
        "\ufeffmunicipality_code,name_fi,population_2021_12_31\n091,Helsinki,658457\n".encode()
    )
    run_import(path)
    helsinki = Municipality.objects.get(code="091")
    assert helsinki.population_figures.get().population == 658457


def test_parse_collects_errors_without_touching_the_database():
    stream = io.BytesIO(f"{HEADER}\n{YLOJARVI.replace('980,', '9,', 1)}\n".encode())
    with pytest.raises(ImportRejected) as rejected:
        parse_municipalities_csv(stream)
    assert [str(e) for e in rejected.value.errors] == [
        "line 2, column municipality_code: “9” is not a three-digit municipality code, e.g. 005"
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_imports_of_the_same_file_both_succeed():
    """Two imports at once (e.g. a cron job and a person): one waits for the other."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def import_once():
        try:
            with MUNICIPALITIES_CSV.open("rb") as stream:
                return municipalities_import(rows=parse_municipalities_csv(stream))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _i: import_once(), range(2)))

    assert sorted(r.created for r in results) == [0, 309]
    assert Municipality.objects.count() == 309
    assert PopulationFigure.objects.count() == 927


def line_of(code: str) -> str:
    return next(
        line
        for line in MUNICIPALITIES_CSV.read_text(encoding="utf-8").splitlines()
        if line.startswith(f"{code},")
    )


def test_a_file_may_move_a_business_id_to_a_new_municipality(tmp_path):
    # given Ylöjärvi with its business ID (found by the property test: the INSERT of the new
    # holder ran before the UPDATE that freed the ID, and the database refused it)
    run_import(write_csv(tmp_path, YLOJARVI))
    old_id = YLOJARVI.split(",")[-2]
    orivesi = line_of("562")
    orivesi_id = orivesi.split(",")[-2]

    # when a file gives Ylöjärvi another ID and the new municipality Orivesi Ylöjärvi's old one
    output = run_import(
        write_csv(
            tmp_path, YLOJARVI.replace(old_id, orivesi_id), orivesi.replace(orivesi_id, old_id)
        )
    )

    # then both are stored as the file says
    assert "Municipalities: 1 created, 1 updated" in output
    assert Municipality.objects.get(code="980").business_id == orivesi_id
    assert Municipality.objects.get(code="562").business_id == old_id


def test_a_file_may_swap_the_business_ids_of_two_municipalities(tmp_path):
    ylojarvi, orivesi = YLOJARVI, line_of("562")
    run_import(write_csv(tmp_path, ylojarvi, orivesi))
    a, b = ylojarvi.split(",")[-2], orivesi.split(",")[-2]

    run_import(write_csv(tmp_path, ylojarvi.replace(a, b), orivesi.replace(b, a)))

    assert Municipality.objects.get(code="980").business_id == b
    assert Municipality.objects.get(code="562").business_id == a
