"""The comparisons and the summary against values read straight from the bundled CSV files.

Every expected number is computed here, by hand, from analysis/data/*.csv*: Ylöjärvi's (980)
annual contribution margin per inhabitant 2019 among the demo season's 30 members, Orivesi's
(562) demographic dependency ratio 2019 against its neighbours (neighbours.csv), Kerava's (245)
loan stock per inhabitant 2020 (lower is better; Lappeenranta's own figure loses to
Statistics Finland's in the national median). Then the summary's statements are checked against
the numbers for every member.
"""

import re
import statistics
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from analysis import reports
from analysis.models import Direction, Indicator, NationalStatistic
from analysis.selectors import (
    Assessment,
    PeerGroup,
    Position,
    analysis_for,
    assess,
    compare,
    load_context,
    near_tolerance,
    position_of,
    trend_of,
)
from analysis.summary import Statement, Summary, summarize
from municipalities.demo import DEMO_MEMBER_CODES
from municipalities.models import Membership, Municipality

from ..conftest import client_for
from ..municipalities.factories import MembershipFactory
from . import data

pytestmark = pytest.mark.django_db

MARGIN = "annual_contribution_margin_eur_per_inhabitant"
DEPENDENCY = "demographic_dependency_ratio"
LOANS = "loan_stock_eur_per_inhabitant"
EMPLOYMENT = "employment_rate_pct"
UNEMPLOYED = "unemployed_share_of_labour_force_pct"
LOADED = [MARGIN, DEPENDENCY, LOANS, EMPLOYMENT, UNEMPLOYED]
ORIVESI_NEIGHBOURS = {"177", "182", "211", "291", "702", "837"}  # neighbours.csv, both ways


@pytest.fixture
def bundled(network):
    """All 309 municipalities with the values of five indicators, the 30 demo members."""
    data.municipalities()
    data.load(LOADED)
    data.neighbours("562")
    season = network.membership_a.season
    taken = set(
        Membership.objects.filter(season=season).values_list("municipality__code", flat=True)
    )
    for code in sorted(set(DEMO_MEMBER_CODES) - taken):
        MembershipFactory(municipality=Municipality.objects.get(code=code), season=season)
    return network


def context_for(network, code: str, peers: str = PeerGroup.POPULATION):
    return load_context(
        municipality=Municipality.objects.get(code=code),
        season=network.membership_a.season,
        peer_group=peers,
    )


def hand_rank(value: Decimal, values, lower_is_better: bool) -> int:
    better = [v for v in values if (v < value if lower_is_better else v > value)]
    return len(better) + 1


def test_ylojarvi_margin_2019_rank_and_median_among_the_members(bundled):
    # given: the values straight from the CSV
    values = data.csv_values(MARGIN, 2019)
    members = [values[code] for code in DEMO_MEMBER_CODES if code in values]

    # when
    comparison = compare(context_for(bundled, "980"), Indicator.objects.get(code=MARGIN), 2019)

    # then
    assert comparison.value == values["980"]
    assert comparison.network.median == statistics.median(members)
    assert (comparison.network.count, comparison.network.size) == (len(members), 30)
    assert comparison.rank == hand_rank(values["980"], members, lower_is_better=False)
    assert comparison.national.median == statistics.median(values.values())
    assert (comparison.national.count, comparison.national.size) == (len(values), 309)
    expected = position_of(values["980"], statistics.median(members), 1)
    assert comparison.network_position == expected


def test_orivesi_dependency_ratio_2019_against_its_neighbours(bundled):
    # given
    values = data.csv_values(DEPENDENCY, 2019)
    neighbours = [values[code] for code in ORIVESI_NEIGHBOURS]

    # when
    context = context_for(bundled, "562", PeerGroup.NEIGHBOURS)
    comparison = compare(context, Indicator.objects.get(code=DEPENDENCY), 2019)

    # then
    assert {m.code for m in context.peers} == ORIVESI_NEIGHBOURS
    assert comparison.value == values["562"]
    assert comparison.peers.median == statistics.median(neighbours)
    assert (comparison.peers.count, comparison.peers.size) == (6, 6)
    # lower is better: rank 1 has the lowest ratio; Orivesi is ranked among 7
    assert comparison.peer_rank == hand_rank(values["562"], neighbours, lower_is_better=True)
    assert comparison.peer_rank_size == 7
    median = statistics.median(neighbours)
    if values["562"] > median + near_tolerance(median, 2):
        assert comparison.peers_position == Position.ABOVE
        assert assess(comparison.peers_position, Direction.LOWER_IS_BETTER) == Assessment.BAD


def test_kerava_loans_2020_lower_is_better_and_the_preferred_source(bundled):
    # given: Lappeenranta (405) has its own 2020 figure besides Statistics Finland's
    values = data.csv_values(LOANS, 2020)
    own = [
        row
        for row in data.value_rows()
        if row["indicator"] == LOANS and row["year"] == "2020" and row["municipality_code"] == "405"
    ]
    assert len(own) == 2 and own[0]["value"] != own[1]["value"]
    members = [values[code] for code in DEMO_MEMBER_CODES if code in values]

    # when
    comparison = compare(context_for(bundled, "245"), Indicator.objects.get(code=LOANS), 2020)

    # then
    assert comparison.value == values["245"]
    assert comparison.rank == hand_rank(values["245"], members, lower_is_better=True)
    assert comparison.network.median == statistics.median(members)
    assert comparison.national.median == statistics.median(values.values())
    stored = NationalStatistic.objects.get(indicator__code=LOANS, year=2020)
    assert (stored.count, stored.median) == (len(values), statistics.median(values.values()))


def test_changes_over_five_and_ten_years_and_the_years_covered(bundled):
    comparison = compare(context_for(bundled, "980"), Indicator.objects.get(code=MARGIN))
    own = {year: data.csv_values(MARGIN, year).get("980") for year in range(2006, 2022)}
    own = {year: value for year, value in own.items() if value is not None}
    latest = max(own)

    assert comparison.year == latest
    assert comparison.change_5 == own[latest] - own[latest - 5]
    assert comparison.change_10 == own[latest] - own[latest - 10]
    assert comparison.years_covered == len(own)
    assert reports.years_covered(comparison) == f"{min(own)}–{latest}"


def test_the_trend_is_the_least_squares_line_of_the_last_five_years(bundled):
    # given
    own = {year: data.csv_values(MARGIN, year).get("980") for year in range(2006, 2022)}
    own = {year: value for year, value in own.items() if value is not None}
    years = list(range(max(own) - 4, max(own) + 1))
    xs, ys = [Fraction(y) for y in years], [Fraction(own[y]) for y in years]
    mx, my = sum(xs) / 5, sum(ys) / 5
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )

    # when
    trend = compare(context_for(bundled, "980"), Indicator.objects.get(code=MARGIN)).trend

    # then
    assert (trend.first_year, trend.last_year) == (years[0], years[-1])
    assert abs(Fraction(trend.slope) - slope) < Fraction(1, 10**12)
    assert abs(Fraction(trend.start) - (my + slope * (xs[0] - mx))) < Fraction(1, 10**12)


def test_no_trend_without_a_value_in_each_of_the_last_five_years():
    five = {year: Decimal(year - 2000) for year in range(2016, 2021)}
    assert trend_of(five).slope == Decimal(1)
    assert trend_of({**five, 2021: Decimal(30)}).first_year == 2017  # the window moves on
    gap = {year: v for year, v in five.items() if year != 2018}
    assert trend_of(gap) is None
    assert trend_of({2020: Decimal(1), 2021: Decimal(2)}) is None
    assert trend_of({}) is None
    # a trend over the last five years only: a gap before them does not matter
    assert trend_of({2010: Decimal(99), **five}).first_year == 2016


@pytest.mark.parametrize(
    ("position", "direction", "expected"),
    [
        (Position.ABOVE, Direction.HIGHER_IS_BETTER, Assessment.GOOD),
        (Position.BELOW, Direction.HIGHER_IS_BETTER, Assessment.BAD),
        (Position.ABOVE, Direction.LOWER_IS_BETTER, Assessment.BAD),
        (Position.BELOW, Direction.LOWER_IS_BETTER, Assessment.GOOD),
        (Position.NEAR, Direction.HIGHER_IS_BETTER, Assessment.NEUTRAL),
        (Position.ABOVE, Direction.NEUTRAL, Assessment.NEUTRAL),
        (None, Direction.HIGHER_IS_BETTER, None),
    ],
)
def test_colouring_follows_the_direction(position, direction, expected):
    assert assess(position, direction) == expected


def test_near_is_within_the_tolerance_and_above_is_never_below():
    median = Decimal("100.0")
    assert position_of(Decimal("102.0"), median, 1) == Position.NEAR  # 2 % of 100
    assert position_of(Decimal("102.1"), median, 1) == Position.ABOVE
    assert position_of(Decimal("97.9"), median, 1) == Position.BELOW
    # around zero, half of the last shown decimal
    assert position_of(Decimal("0.04"), Decimal(0), 1) == Position.NEAR
    assert position_of(Decimal("0.06"), Decimal(0), 1) == Position.ABOVE
    assert position_of(None, median, 1) is None


H, L, N = Direction.HIGHER_IS_BETTER, Direction.LOWER_IS_BETTER, Direction.NEUTRAL
EXPECTED_SIDE = {
    ("better", H): "above", ("better", L): "below",
    ("weaker", H): "below", ("weaker", L): "above",
    ("above", N): "above", ("below", N): "below",
    ("near", H): "near", ("near", L): "near", ("near", N): "near",
}  # fmt: skip


def test_the_summary_says_only_what_the_numbers_say_for_every_member(bundled):
    data.define()  # all 76 definitions, with the tests' headline marks
    season = bundled.membership_a.season
    checked = 0
    with translation.override("en"):  # the sentences checked are the English ones
        for code in DEMO_MEMBER_CODES:
            municipality = Municipality.objects.get(code=code)
            _context, groups = analysis_for(
                municipality=municipality, season=season, peer_group=PeerGroup.POPULATION
            )
            summary = summarize(groups, municipality.name)
            for statement in summary.statements:
                if statement.kind == "overview":
                    better = sum(r.network_assessment == Assessment.GOOD for r in statement.rows)
                    weaker = sum(r.network_assessment == Assessment.BAD for r in statement.rows)
                    assert f"in {better} and weaker in {weaker}" in statement.text
                    continue
                for row in statement.rows:
                    c = row.comparison
                    assert c.indicator.name in statement.text
                    median = c.network.median if statement.group == "network" else c.peers.median
                    if statement.group == "trend":
                        rising = c.trend.slope > 0
                        higher = c.indicator.direction == Direction.HIGHER_IS_BETTER
                        assert rising == (higher == (statement.kind == "improving"))
                        continue
                    expected = EXPECTED_SIDE[(statement.kind, c.indicator.direction)]
                    if expected == "above":
                        assert c.value > median, (code, c.indicator.code, statement.kind)
                    elif expected == "below":
                        assert c.value < median, (code, c.indicator.code, statement.kind)
                    else:
                        assert abs(c.value - median) <= near_tolerance(median, c.indicator.decimals)
                    checked += 1
            # every headline row with a value is in exactly one network statement of its position
            for row in summary.rows:
                if row.network is None:
                    continue
                named = [
                    s
                    for s in summary.statements
                    if s.group == "network" and s.kind != "overview" and row in s.rows
                ]
                assert len(named) == 1
    assert checked > 100


def test_the_page_opens_with_the_summary_in_colour_symbols_and_words(bundled):
    # given: the unemployed share is lower-is-better
    Indicator.objects.filter(code=UNEMPLOYED).update(headline=1)
    comparison = compare(context_for(bundled, "980"), Indicator.objects.get(code=UNEMPLOYED))

    # when
    page = client_for(bundled, "contact_a").get(reverse("analysis:analysis_detail", args=["980"]))
    content = page.content.decode()

    # then: the summary comes before the comparison settings and the perspectives
    assert content.index('id="summary-heading"') < content.index('id="peers-heading"')
    assert content.index('id="peers-heading"') < content.index('id="perspective-vitality"')
    row = re.search(rf'<tr data-indicator="{UNEMPLOYED}">(.*?)</tr>', content, re.S).group(1)
    expected = assess(comparison.network_position, Direction.LOWER_IS_BETTER)
    assert f"pos-{expected.value}" in row
    symbol = reports.SYMBOLS[comparison.network_position]
    assert symbol in row
    with translation.override("fi"):
        assert str(comparison.network_position.label) in row  # words, not colour only
    assert f"{comparison.rank}/{comparison.network.count}" in row
    # the perspectives are collapsed
    assert re.search(r'id="perspective-vitality">.*?</h2>\s*<details>', content, re.S)


def test_the_pdfs_key_statements_leave_near_and_undirected_positions_to_the_table():
    def statement(kind):
        return Statement("network", kind, (), kind)

    kinds = ["overview", "better", "weaker", "near", "above", "below", "improving", "weakening"]
    summary = Summary([], [statement(kind) for kind in kinds])
    assert [s.kind for s in summary.key_statements] == [
        "overview",
        "better",
        "weaker",
        "improving",
        "weakening",
    ]


def test_the_pdf_says_once_what_the_network_and_the_comparison_group_agree_on():
    def row(name):
        return SimpleNamespace(comparison=SimpleNamespace(indicator=SimpleNamespace(name=name)))

    a, b, c = row("Työllisyysaste"), row("Vuosikate"), row("Lainakanta")
    statements = [
        Statement("network", "overview", (a, b, c), "overview"),
        Statement("network", "better", (a, b), "network better"),
        Statement("network", "weaker", (c,), "network weaker"),
        Statement("peers", "better", (a, b), "peers better"),
        Statement("peers", "weaker", (b, c), "peers weaker"),
    ]
    with translation.override("fi"):
        key = Summary([], statements, "Ylöjärvi").key_statements

    assert [(s.group, s.kind) for s in key] == [
        ("network", "overview"),
        ("both", "better"),
        ("network", "weaker"),
        ("peers", "weaker"),
    ]
    assert key[1].text == (
        "Ylöjärvi on sekä verkoston että vertailuryhmän mediaania parempi: "
        "Työllisyysaste, Vuosikate."
    )
