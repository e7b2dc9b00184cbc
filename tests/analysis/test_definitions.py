"""Indicator definitions as data (migration 0004, `import_indicator_definitions`), the sources per
publisher, and the migration-safe default source of a value."""

import csv
import gzip
import importlib
import io
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analysis.definitions import DEFINITIONS_CSV, UNITS
from analysis.demo import INDICATOR_FILES
from analysis.models import UNIT_LABELS, Indicator, Perspective, Source
from analysis.sources import SOURCES

pytestmark = pytest.mark.django_db


def definition_rows() -> list[dict[str, str]]:
    with DEFINITIONS_CSV.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def coverage_per_year() -> dict[str, Counter]:
    """indicator -> {year: municipalities with a value}, read from the files."""
    years: dict[str, Counter] = defaultdict(Counter)
    for path in INDICATOR_FILES:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as stream:
            seen = set()
            for row in csv.DictReader(stream):
                key = (row["municipality_code"], row["indicator"], row["year"])
                if key not in seen:
                    seen.add(key)
                    years[row["indicator"]][int(row["year"])] += 1
    return years


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_indicator_definitions", *args, stdout=out)
    return out.getvalue()


def test_the_migration_loads_every_definition_of_the_file():
    rows = definition_rows()
    assert len(rows) == 76
    assert set(Indicator.objects.values_list("code", flat=True)) >= {r["indicator"] for r in rows}
    population = Indicator.objects.get(code="population")
    assert (population.name_fi, population.unit, population.perspective) == (
        "Väkiluku", "persons", "population",
    )  # fmt: skip
    turnout = Indicator.objects.get(code="municipal_election_2021_turnout_pct")
    assert (turnout.perspective, turnout.direction) == ("leadership", "higher")  # governance
    assert Indicator.objects.get(code="relative_indebtedness_pct").direction == "lower"


def test_the_indicators_of_migration_0002_are_among_them():
    old = importlib.import_module("analysis.migrations.0002_indicators")
    codes = {row[0] for row in old.INDICATORS}
    assert len(codes) == 19
    assert codes <= {row["indicator"] for row in definition_rows()}


def test_every_unit_has_a_code_and_a_label_in_each_language():
    assert {row["unit"] for row in definition_rows()} <= set(UNITS)
    assert set(Indicator.objects.values_list("unit", flat=True)) <= set(UNIT_LABELS)
    from django.utils import translation

    indicator = Indicator.objects.get(code="population_share_65_plus_pct")
    labels = {}
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            labels[language] = indicator.unit_label
    assert labels == {"fi": "% väestöstä", "sv": "% av befolkningen", "en": "% of the population"}


def test_no_finnish_or_swedish_text_is_the_english_one():
    for indicator in Indicator.objects.all():
        assert indicator.source_fi and indicator.source_sv and indicator.source_en
        assert indicator.source_fi != indicator.source_en, indicator.code
        assert indicator.source_sv != indicator.source_en, indicator.code
        assert indicator.licence_fi != indicator.licence_en, indicator.code
        assert indicator.licence_sv != indicator.licence_en, indicator.code
    kta = Indicator.objects.get(code="annual_contribution_margin_eur_per_inhabitant")
    assert "Tilastokeskus, Kuntien avainluvut" in kta.source_fi
    assert "Statistikcentralen, Kommunernas nyckeltal" in kta.source_sv
    assert "Ylöjärven kaupungin" in kta.source_fi
    assert Indicator.objects.get(code="population").source_fi.startswith("Tilastokeskus")
    assert "THL Sotkanet" in Indicator.objects.get(code="population").source_sv


def test_every_perspective_has_data_and_two_to_four_headlines_with_recent_data():
    coverage = coverage_per_year()
    for perspective in Perspective.values:
        indicators = Indicator.objects.filter(perspective=perspective)
        assert any(code in coverage for code in indicators.values_list("code", flat=True))
        headlines = list(indicators.filter(headline__gt=0).order_by("headline"))
        assert 2 <= len(headlines) <= 4, perspective
        assert [h.headline for h in headlines] == list(range(1, len(headlines) + 1))
        for headline in headlines:
            # data for nearly all 309 municipalities in a recent year
            covered = [year for year, n in coverage[headline.code].items() if n >= 290]
            assert covered and max(covered) >= 2016, headline.code
    sv = {row["indicator"]: row["sv_unverified"] == "true" for row in definition_rows()}
    assert dict(Indicator.objects.filter(code__in=sv).values_list("code", "sv_unverified")) == sv


def test_the_sources_are_one_per_publisher_in_each_language():
    rows = {row.code: row for row in Source.objects.all()}
    assert {code for code, *_rest in SOURCES} <= set(rows)
    order = sorted(rows.values(), key=lambda source: source.priority)
    assert [s.code for s in order][:4] == [
        "statistics-finland", "thl-sotkanet", "municipality-own", "unspecified",
    ]  # fmt: skip
    assert rows["statistics-finland"].name_sv == "Statistikcentralen"
    assert rows["thl-sotkanet"].licence_fi != rows["thl-sotkanet"].licence_en


def test_the_command_keeps_staff_choices_unless_overwrite():
    # given: staff moved an indicator and made it a headline; its name drifted
    Indicator.objects.filter(code="families_count").update(
        perspective="wellbeing", direction="higher", headline=3, name_fi="Perheet"
    )

    # when
    output = run()

    # then: the name is the file's again, the editorial choices stay
    assert "0 created, 1 updated, 75 unchanged" in output
    families = Indicator.objects.get(code="families_count")
    assert families.name_fi == "Perheiden lukumäärä"
    assert (families.perspective, families.direction, families.headline) == (
        "wellbeing", "higher", 3,
    )  # fmt: skip

    # when: asked to overwrite
    assert "0 created, 1 updated, 75 unchanged" in run("--overwrite")
    families.refresh_from_db()
    assert (families.perspective, families.direction, families.headline) == (
        "population", "neutral", 0,
    )  # fmt: skip
    assert "0 created, 0 updated, 76 unchanged" in run()


def test_the_command_creates_a_missing_indicator():
    Indicator.objects.filter(code="families_count").delete()
    assert "1 created, 0 updated, 75 unchanged" in run()
    assert Indicator.objects.get(code="families_count").unit == "families"


def test_a_bad_definitions_file_is_refused_and_changes_nothing(tmp_path):
    rows = definition_rows()
    path = tmp_path / "definitions.csv"
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow({**rows[0], "name_fi": "Uusi nimi"})
        writer.writerow({**rows[1], "perspective": "happiness"})
        writer.writerow({**rows[2], "unit": "parsecs", "direction": "up\x00"})
        writer.writerow(rows[0])
    before = list(Indicator.objects.values_list("code", "name_fi"))

    with pytest.raises(CommandError) as error:
        run(str(path))

    text = str(error.value)
    assert "nothing was imported" in text
    assert "line 3, column perspective: “happiness” is not a perspective" in text
    assert "line 4, column unit: “parsecs” is not a known unit" in text
    assert "line 4, column direction" in text
    assert f"line 5, column indicator: “{rows[0]['indicator']}” already appeared on line 2" in text
    assert list(Indicator.objects.values_list("code", "name_fi")) == before


def test_the_default_source_reads_only_its_id():
    # given: the migrations created the row (before they added the column that defaults to it)
    unspecified = Source.objects.get(code=Source.UNSPECIFIED)
    assert unspecified.priority == 1000

    # when
    with CaptureQueriesContext(connection) as queries:
        pk = Source.unspecified_pk()

    # then: one query, no column but the id (a later field of Source cannot break migration 0003)
    assert pk == unspecified.pk
    (query,) = queries.captured_queries
    selected = query["sql"].split(" FROM ")[0]
    assert "name_fi" not in selected and "priority" not in selected and "id" in selected


def test_a_missing_default_source_is_created_with_the_first_fields_only():
    Source.objects.filter(code=Source.UNSPECIFIED).delete()

    with CaptureQueriesContext(connection) as queries:
        pk = Source.unspecified_pk()

    created = Source.objects.get(pk=pk)
    assert (created.code, created.priority, created.name_fi) == (
        "unspecified", 1000, "Lähde ei tiedossa",
    )  # fmt: skip
    insert = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT"))
    assert "url" in insert and "priority" in insert
    assert Source.unspecified_pk() == pk


def test_migration_0003_creates_the_default_source_before_the_column():
    migration = importlib.import_module("analysis.migrations.0003_sources_headlines_neighbours")
    operations = migration.Migration.operations
    run_python = next(i for i, op in enumerate(operations) if type(op).__name__ == "RunPython")
    add_field = next(
        i for i, op in enumerate(operations) if getattr(op, "name", "") == "data_source"
    )
    assert run_python < add_field
    assert "unspecified" in {row[0] for row in migration.SOURCES}
    assert Path(migration.__file__).is_file()
