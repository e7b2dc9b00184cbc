"""The network overview for staff: the members × the headline indicators (latest common year),
sortable by any column, its XLSX, and the members against the rest of Finland."""

import io
import statistics

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analysis.models import Indicator, Perspective
from analysis.selectors import headline_indicators, network_overview
from municipalities.demo import DEMO_MEMBER_CODES
from municipalities.models import Membership, Municipality

from ..conftest import client_for
from ..municipalities.factories import MembershipFactory
from . import data

pytestmark = pytest.mark.django_db

MARGIN = "annual_contribution_margin_eur_per_inhabitant"
DEPENDENCY = "demographic_dependency_ratio"
TURNOUT = "municipal_election_2021_turnout_pct"


@pytest.fixture
def bundled(network):
    data.municipalities()
    data.load([MARGIN, DEPENDENCY, TURNOUT])
    data.define()  # every definition, the tests' headline marks
    season = network.membership_a.season
    taken = set(
        Membership.objects.filter(season=season).values_list("municipality__code", flat=True)
    )
    for code in sorted(set(DEMO_MEMBER_CODES) - taken):
        MembershipFactory(municipality=Municipality.objects.get(code=code), season=season)
    return network


def column(overview, code):
    return next(c for c in overview.columns if c.indicator.code == code)


def test_columns_are_the_headlines_in_the_perspectives_order(bundled):
    overview = network_overview(user=bundled.staff, season=bundled.membership_a.season)

    codes = [c.indicator.code for c in overview.columns]
    assert codes == [i.code for i in headline_indicators(list(Indicator.objects.all()))]
    order = [list(Perspective).index(c.indicator.perspective) for c in overview.columns]
    assert order == sorted(order)
    assert all(c.indicator.headline > 0 for c in overview.columns)
    assert len(overview.rows) == 30


def test_latest_common_year_and_members_against_the_rest_of_finland(bundled):
    # given: the margin's latest year in which at least half of the 30 members have a value
    years = {
        year: data.csv_values(MARGIN, year)
        for year in range(2006, 2022)
        if data.csv_values(MARGIN, year)
    }
    common = max(y for y, v in years.items() if 2 * sum(c in v for c in DEMO_MEMBER_CODES) >= 30)
    values = years[common]
    inside = [v for c, v in values.items() if c in DEMO_MEMBER_CODES]
    outside = [v for c, v in values.items() if c not in DEMO_MEMBER_CODES]

    # when
    overview = network_overview(user=bundled.staff, season=bundled.membership_a.season)
    margin = column(overview, MARGIN)

    # then
    assert margin.year == common
    assert margin.members.median == statistics.median(inside)
    assert (margin.members.count, margin.members.size) == (len(inside), 30)
    assert margin.others.median == statistics.median(outside)
    assert (margin.others.count, margin.others.size) == (len(outside), 309 - 30)


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_any_column_keeps_missing_values_last(bundled, descending):
    # given: Pertunmaa, without a turnout, joins
    MembershipFactory(
        municipality=Municipality.objects.get(code="588"), season=bundled.membership_a.season
    )
    sort = f"-{TURNOUT}" if descending else TURNOUT

    # when
    overview = network_overview(user=bundled.staff, season=bundled.membership_a.season, sort=sort)

    # then
    index = [c.indicator.code for c in overview.columns].index(TURNOUT)
    shown = [row["cells"][index]["value"] for row in overview.rows]
    present = [v for v in shown if v is not None]
    assert present == sorted(present, reverse=descending)
    assert shown[-1] is None and len(present) == 30
    assert overview.rows[-1]["municipality"].code == "588"


def test_the_page_and_the_xlsx(bundled):
    client = client_for(bundled, "staff")
    page = client.get(reverse("analysis:network_overview"), {"sort": f"-{MARGIN}"})
    assert page.status_code == 200
    content = page.content.decode()
    assert content.count('<th scope="row"><a href="/portal/analysis/') == 30
    assert 'aria-sort="descending"' in content
    assert f"sort={MARGIN}" in content  # the heading now sorts the other way

    response = client.get(reverse("analysis:network_overview_xlsx"), {"sort": "name"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    main, rest = book.worksheets
    rows = list(main.iter_rows(values_only=True))
    overview = network_overview(user=bundled.staff, season=bundled.membership_a.season)
    assert len(rows) == 31
    assert len(rows[0]) == 2 + len(overview.columns)
    assert {row[0] for row in rows[1:]} == set(DEMO_MEMBER_CODES)
    margin_index = 2 + [c.indicator.code for c in overview.columns].index(MARGIN)
    ylojarvi = next(row for row in rows if row[0] == "980")
    year = column(overview, MARGIN).year
    assert ylojarvi[margin_index] == float(data.csv_values(MARGIN, year)["980"])
    comparison = list(rest.iter_rows(values_only=True))
    assert len(comparison) == 1 + len(overview.columns)


@pytest.mark.parametrize("persona", ["contact_a", "finance"])
def test_the_overview_is_for_staff(bundled, persona):
    client = client_for(bundled, persona)
    assert client.get(reverse("analysis:network_overview")).status_code == 403
    assert client.get(reverse("analysis:network_overview_xlsx")).status_code == 403


def test_a_consultant_sees_their_members_ranked_among_all(bundled):
    staff = network_overview(user=bundled.staff, season=bundled.membership_a.season)
    mine = network_overview(user=bundled.consultant, season=bundled.membership_a.season)
    assert {row["municipality"].code for row in mine.rows} == {"980", "562"}
    everyone = {row["municipality"].code: row["cells"] for row in staff.rows}
    for row in mine.rows:
        assert row["cells"] == everyone[row["municipality"].code]
