"""`import_neighbours`: the bundled file (counts, one-way pairs unconfirmed), idempotency, and a
refused file (unknown code, itself, a pair twice) named by line and changing nothing."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from analysis.models import Neighbour
from analysis.neighbours import NEIGHBOURS_CSV
from municipalities.demo import MUNICIPALITIES_CSV

pytestmark = pytest.mark.django_db
HEADER = "municipality_code,neighbour_code,source"


@pytest.fixture
def municipalities():
    call_command("import_municipalities", str(MUNICIPALITIES_CSV), stdout=io.StringIO())


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_neighbours", *args, stdout=out)
    return out.getvalue()


def file_pairs() -> dict[tuple[str, str], str]:
    with NEIGHBOURS_CSV.open(encoding="utf-8", newline="") as stream:
        return {
            (row["municipality_code"], row["neighbour_code"]): row["source"]
            for row in csv.DictReader(stream)
        }


def test_the_bundled_file_imports_every_pair_and_marks_the_one_way_ones(municipalities):
    # given
    pairs = file_pairs()
    one_way = {pair for pair in pairs if (pair[1], pair[0]) not in pairs}

    # when
    output = run()

    # then
    assert len(pairs) == 1545
    assert f"1545 created, 0 updated, 0 unchanged; {len(one_way)} listed one way only" in output
    stored = {
        (m, n): confirmed
        for m, n, confirmed in Neighbour.objects.values_list(
            "municipality__code", "neighbour__code", "confirmed"
        )
    }
    assert set(stored) == set(pairs)
    assert {pair for pair, confirmed in stored.items() if not confirmed} == one_way
    assert ("019", "481") in one_way and "unconfirmed" in pairs["019", "481"]  # the file's note
    orivesi = set(
        Neighbour.objects.filter(municipality__code="562").values_list("neighbour__code", flat=True)
    )
    assert orivesi == {n for m, n in pairs if m == "562"}

    # when: again
    assert "0 created, 0 updated, 1545 unchanged" in run(str(NEIGHBOURS_CSV))


def test_a_bad_file_is_refused_by_line_and_changes_nothing(municipalities, tmp_path):
    # given
    run()
    before = list(Neighbour.objects.values_list("pk", "confirmed", "source"))
    path = tmp_path / "neighbours.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                "980,250,changed source",
                "980,000,x",
                "562,562,x",
                "980,250,again",
                "980,\x00,x",
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    # when
    with pytest.raises(CommandError) as error:
        run(str(path))

    # then
    text = str(error.value)
    assert "nothing was imported" in text
    assert "line 3, column neighbour_code: “000” is not a known municipality code" in text
    assert "line 4, column neighbour_code: a municipality is not its own neighbour" in text
    assert "line 5, column neighbour_code: the same pair already appeared on line 2" in text
    assert "line 6, column neighbour_code: the value contains a control character" in text
    assert list(Neighbour.objects.values_list("pk", "confirmed", "source")) == before


def test_a_changed_source_is_updated_and_a_pair_listed_both_ways_is_confirmed(
    municipalities, tmp_path
):
    path = tmp_path / "neighbours.csv"
    path.write_text(f"{HEADER}\n980,250,a\n250,980,b\n980,908,c\n", encoding="utf-8")
    assert "3 created, 0 updated, 0 unchanged; 1 listed one way only" in run(str(path))
    path.write_text(f"{HEADER}\n980,250,a2\n250,980,b\n980,908,c\n", encoding="utf-8")

    assert "0 created, 1 updated, 2 unchanged" in run(str(path))
    confirmed = dict(
        Neighbour.objects.values_list("neighbour__code", "confirmed").filter(
            municipality__code="980"
        )
    )
    assert confirmed == {"250": True, "908": False}


def test_missing_columns_and_a_missing_file_are_one_message(municipalities, tmp_path):
    path = tmp_path / "neighbours.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1, column municipality_code: this required"):
        run(str(path))
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.csv"))
    assert Neighbour.objects.count() == 0
