"""Statistics of the analysis against values computed by hand from the real bundled data.

The network is the demo season's 30 members (Ylöjärvi first); Ylöjärvi and Orivesi are the
`network` fixture's A and B. Every expected number is computed here from the CSV files.
"""

import csv
import io
import re
import statistics
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from analysis.models import Indicator
from analysis.selectors import PeerGroup, compare, load_context, network_table
from billing.models import FeeSchedule
from municipalities.demo import DEMO_MEMBER_CODES, MUNICIPALITIES_CSV
from municipalities.models import Membership, Municipality

from ..conftest import client_for
from ..municipalities.factories import MembershipFactory

pytestmark = pytest.mark.django_db

INDICATORS_CSV = Path(__file__).resolve().parents[2] / "analysis" / "data" / "indicators.csv"
TURNOUT = "municipal_election_2021_turnout_pct"
POPULATION_2021 = "population_2021_12_31"
MEMBERS = set(DEMO_MEMBER_CODES)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


MUNICIPALITY_ROWS = {row["municipality_code"]: row for row in read_csv(MUNICIPALITIES_CSV)}


def csv_values(indicator: str, year: int) -> dict[str, Decimal]:
    """Municipality code → value of one indicator and year, as the bundled CSV has it."""
    return {
        row["municipality_code"]: Decimal(row["value"])
        for row in read_csv(INDICATORS_CSV)
        if row["indicator"] == indicator and row["year"] == str(year)
    }


def population(code: str) -> int:
    return int(MUNICIPALITY_ROWS[code][POPULATION_2021])


@pytest.fixture
def real_data(network):
    """The real municipalities and indicator values, around the network's A and B."""
    call_command("import_municipalities", str(MUNICIPALITIES_CSV), stdout=io.StringIO())
    call_command("import_indicators", str(INDICATORS_CSV), stdout=io.StringIO())
    return network


def add_members(network, codes) -> None:
    season = network.membership_a.season
    taken = set(
        Membership.objects.filter(season=season).values_list("municipality__code", flat=True)
    )
    for code in sorted(set(codes) - taken):
        MembershipFactory(municipality=Municipality.objects.get(code=code), season=season)


@pytest.fixture
def members(real_data):
    add_members(real_data, DEMO_MEMBER_CODES)
    return real_data


def context_for(network, code: str, peers: str = PeerGroup.POPULATION):
    return load_context(
        municipality=Municipality.objects.get(code=code),
        season=network.membership_a.season,
        peer_group=peers,
    )


def peer_codes(network, code: str, peers: str) -> set[str]:
    return {municipality.code for municipality in context_for(network, code, peers).peers}


def test_turnout_of_ylojarvi_against_the_network_median_and_mean(members):
    # given
    values = csv_values(TURNOUT, 2021)
    member_values = [values[code] for code in DEMO_MEMBER_CODES]

    # when
    comparison = compare(context_for(members, "980"), Indicator.objects.get(code=TURNOUT))

    # then
    assert comparison.year == 2021
    assert comparison.value == values["980"]
    assert comparison.network.median == statistics.median(member_values)
    assert comparison.network.mean == sum(member_values) / len(member_values)
    assert (comparison.network.count, comparison.network.size) == (30, 30)
    # 1 = the highest turnout; ties share the better rank
    assert comparison.rank == sorted(member_values, reverse=True).index(values["980"]) + 1


def test_national_median_covers_every_municipality_with_a_value(members):
    values = csv_values(TURNOUT, 2021)
    assert "478" not in values and "588" not in values  # Mariehamn (Åland) and Pertunmaa

    national = compare(context_for(members, "980"), Indicator.objects.get(code=TURNOUT)).national

    assert national.median == statistics.median(values.values())
    assert (national.count, national.size) == (len(values), len(MUNICIPALITY_ROWS)) == (292, 309)


def test_population_peers_are_within_half_of_the_population_outside_the_network(members):
    # given: ±50 % of Ylöjärvi's latest population (31.12.2021), in whole numbers
    own = population("980")
    expected = (
        {code for code in MUNICIPALITY_ROWS if own <= 2 * population(code) <= 3 * own}
        - MEMBERS
        - {"980"}
    )

    # when
    context = context_for(members, "980")
    comparison = compare(context, Indicator.objects.get(code=TURNOUT))

    # then
    assert {peer.code for peer in context.peers} == expected
    assert {"211", "536", "106"} <= expected  # Kangasala, Nokia, Hyvinkää (46 880)
    assert "245" not in expected  # Kerava is within range but a member
    assert "837" not in expected  # Tampere is far larger
    values = csv_values(TURNOUT, 2021)
    peer_values = [values[code] for code in expected if code in values]
    assert comparison.peers.median == statistics.median(peer_values)
    assert (comparison.peers.count, comparison.peers.size) == (len(peer_values), len(expected))


def test_grouping_peers_share_the_statistical_grouping(members):
    grouping = MUNICIPALITY_ROWS["980"]["statistical_grouping_en"]
    expected = (
        {
            code
            for code, row in MUNICIPALITY_ROWS.items()
            if row["statistical_grouping_en"] == grouping
        }
        - MEMBERS
        - {"980"}
    )

    peers = peer_codes(members, "980", PeerGroup.GROUPING)

    assert peers == expected
    assert "091" in peers  # Helsinki: urban, not a member
    assert "179" not in peers  # Jyväskylä: urban, but a member
    assert "020" not in peers  # Akaa: semi-urban


def test_region_peers_share_the_region(members):
    expected = (
        {code for code, row in MUNICIPALITY_ROWS.items() if row["region_code"] == "06"}
        - MEMBERS
        - {"980"}
    )

    peers = peer_codes(members, "980", PeerGroup.REGION)

    assert peers == expected
    assert {"837", "211", "177"} <= peers  # Tampere, Kangasala, Juupajoki
    assert "562" not in peers  # Orivesi is in Pirkanmaa but a member


def test_fee_tier_peers_share_the_population_tier_of_the_season(members):
    # given: no fee schedule yet, so no tier
    assert peer_codes(members, "980", PeerGroup.FEE_TIER) == set()
    schedule = FeeSchedule.objects.create(season=members.membership_a.season)
    for low, high in [(0, 8999), (9000, 45000), (45001, None)]:
        schedule.tiers.create(min_population=low, max_population=high, annual_fee=Decimal(1000))

    # when
    middle = peer_codes(members, "980", PeerGroup.FEE_TIER)
    small = peer_codes(members, "562", PeerGroup.FEE_TIER)

    # then
    assert middle == {
        code for code in MUNICIPALITY_ROWS if 9000 <= population(code) <= 45000
    } - MEMBERS - {"980"}
    assert population("562") <= 8999  # Orivesi is in the smallest tier
    assert small == {code for code in MUNICIPALITY_ROWS if population(code) <= 8999} - MEMBERS
    assert "106" not in middle  # Hyvinkää (46 880) is a population peer but in the top tier


def test_a_member_without_a_value_is_missing_never_zero(members):
    # given: Pertunmaa has no turnout in the data
    add_members(members, ["588"])
    turnout = Indicator.objects.get(code=TURNOUT)
    values = csv_values(TURNOUT, 2021)
    member_values = [values[code] for code in DEMO_MEMBER_CODES]

    # when
    pertunmaa = compare(context_for(members, "588"), turnout)
    ylojarvi = compare(context_for(members, "980"), turnout)
    page = client_for(members, "staff").get(reverse("analysis:analysis_detail", args=["588"]))

    # then
    assert (pertunmaa.year, pertunmaa.value, pertunmaa.rank) == (2021, None, None)
    assert (pertunmaa.network.count, pertunmaa.network.size) == (30, 31)
    assert ylojarvi.network.median == statistics.median(member_values)
    assert ylojarvi.network.mean == sum(member_values) / len(member_values)
    article = re.search(
        rf'<article[^>]*aria-labelledby="indicator-{TURNOUT}">(.*?)</article>',
        page.content.decode(),
        re.S,
    ).group(1)
    assert "<dt>Pertunmaa</dt><dd>– %</dd>" in article
    assert '<th scope="row">2021</th><td>–</td>' in article
    assert "<dd>0 %</dd>" not in article
    with translation.override("fi"):
        coverage = gettext("%(count)s of %(size)s with data") % {"count": 30, "size": 31}
    assert coverage in article


def test_change_over_the_years_is_first_to_last(members):
    values = {year: csv_values("population", year)["980"] for year in (2019, 2020, 2021)}

    comparison = compare(context_for(members, "980"), Indicator.objects.get(code="population"))

    assert (comparison.first_year, comparison.year) == (2019, 2021)
    assert comparison.first_value == values[2019]
    assert comparison.change == values[2021] - values[2019]
    assert comparison.change_pct == round((values[2021] - values[2019]) / values[2019] * 100, 1)
    assert [row["own"] for row in comparison.rows] == [values[2019], values[2020], values[2021]]


def test_network_table_sorts_by_value_with_missing_values_last(members):
    add_members(members, ["588"])
    season = members.membership_a.season
    turnout = Indicator.objects.get(code=TURNOUT)
    values = csv_values(TURNOUT, 2021)

    ascending = network_table(
        user=members.staff, season=season, indicator=turnout, year=2021, sort="value"
    )
    descending = network_table(
        user=members.staff, season=season, indicator=turnout, year=2021, sort="-value"
    )
    by_name = network_table(user=members.staff, season=season, indicator=turnout, year=2021)

    for rows in (ascending, descending, by_name):
        assert len(rows) == 31
    assert [row["value"] for row in ascending] == [*sorted(values[c] for c in MEMBERS), None]
    assert [row["value"] for row in descending] == [
        *sorted((values[c] for c in MEMBERS), reverse=True),
        None,
    ]
    assert (ascending[-1]["municipality"].code, ascending[-1]["rank"]) == ("588", None)
    assert descending[0]["rank"] == 1
    names = [row["municipality"].name_fi for row in by_name]
    assert names == sorted(names)


def count_queries(client, url: str) -> int:
    client.get(url)  # warm up: per-process caches (content types, translations) are filled
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("persona", "name", "args", "query"),
    [
        ("staff", "analysis:network_table", [], f"?indicator={TURNOUT}&year=2021"),
        ("contact_a", "analysis:analysis_detail", ["980"], ""),
        ("contact_a", "analysis:analysis_detail", ["980"], "?peers=neighbours&add=837"),
        ("contact_a", "analysis:analysis_pdf", ["980"], ""),
        ("staff", "analysis:network_overview", [], f"?sort=-{TURNOUT}"),
        ("staff", "analysis:network_overview_xlsx", [], ""),
    ],
)
def test_query_count_does_not_grow_with_the_members(
    real_data, django_assert_max_num_queries, persona, name, args, query
):
    # given: two members (A and B)
    client = client_for(real_data, persona)
    url = reverse(name, args=args) + query
    with_two = count_queries(client, url)

    # when: the demo season's 30
    add_members(real_data, DEMO_MEMBER_CODES)
    with django_assert_max_num_queries(with_two) as captured:
        response = client.get(url)

    # then
    assert response.status_code == 200
    assert len(captured) == with_two
    assert Membership.objects.filter(season=real_data.membership_a.season).count() == 30
    if name in ("analysis:network_table", "analysis:network_overview"):
        rows = '<th scope="row"><a href="/portal/analysis/'
        assert response.content.decode().count(rows) == 30
