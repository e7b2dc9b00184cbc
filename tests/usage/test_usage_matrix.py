"""The staff's usage matrix: hand-computed cells, the flags of members who may not renew, the
order (flagged first), the XLSX export and who may see it."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from events.models import Attendance, EventKind
from usage.matrix import months_before, usage_matrix
from workshops.models import WorkshopStatus

from ..conftest import client_for
from ..events.factories import PastEventFactory, RegistrationFactory
from ..municipalities.factories import ContactPersonFactory, MembershipFactory, MunicipalityFactory
from ..workshops.factories import QuotaGrantFactory, ScheduledWorkshopFactory, WorkshopFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# The network's season is 2021–2022: "now" is in its last six months.
NOW = datetime.datetime(2022, 9, 1, 12, tzinfo=UTC)


def at(year, month, day):
    return datetime.datetime(year, month, day, 9, tzinfo=UTC)


@pytest.fixture
def usage(network):
    """A attended a seminar in August 2022 with two people and has used 4 of its 5 workshops;
    B attended only a foresight session in March 2022 and has planned nothing (5 + 1 left);
    C (a third member) has attended nothing and used one workshop."""
    season = network.membership_a.season
    c = MunicipalityFactory(code="908", name_fi="Valkeakoski", name_sv="Valkeakoski")
    membership_c = MembershipFactory(municipality=c, season=season)
    seminar = PastEventFactory(season=season, kind=EventKind.THEME_SEMINAR, start=at(2022, 8, 15))
    PastEventFactory(season=season, kind=EventKind.THEME_SEMINAR, start=at(2022, 2, 1))
    foresight = PastEventFactory(
        season=season, kind=EventKind.FORESIGHT_SESSION, start=at(2022, 3, 10)
    )
    a2 = ContactPersonFactory(municipality=network.municipality_a)
    for person in (network.contact_person_a, a2):
        RegistrationFactory(event=seminar, contact_person=person, attendance=Attendance.PRESENT)
    RegistrationFactory(
        event=foresight, contact_person=network.contact_person_a, attendance=Attendance.ABSENT
    )
    RegistrationFactory(
        event=foresight, contact_person=network.contact_person_b, attendance=Attendance.PRESENT
    )
    for status in (WorkshopStatus.REPORTED, WorkshopStatus.HELD, WorkshopStatus.SCHEDULED):
        ScheduledWorkshopFactory(membership=network.membership_a, status=status)
    WorkshopFactory(membership=network.membership_a, status=WorkshopStatus.PROPOSED)
    WorkshopFactory(membership=network.membership_a, status=WorkshopStatus.CANCELLED)
    QuotaGrantFactory(membership=network.membership_b, extra=1)
    ScheduledWorkshopFactory(membership=membership_c, status=WorkshopStatus.HELD)
    return {"c": c}


def rows_by_code(matrix):
    return {row.membership.municipality.code: row for row in matrix.rows}


def test_cells_count_the_held_events_attended_against_the_entitlement(network, usage):
    matrix = usage_matrix(user=network.staff, season=network.membership_a.season, now=NOW)

    kinds = [column.kind for column in matrix.columns]
    seminar, foresight = (
        kinds.index(EventKind.THEME_SEMINAR),
        kinds.index(EventKind.FORESIGHT_SESSION),
    )
    assert (matrix.columns[seminar].entitled, matrix.columns[seminar].held) == (6, 2)
    rows = rows_by_code(matrix)
    a, b, c = rows["980"], rows["562"], rows["908"]
    assert (a.cells[seminar].attended, a.cells[seminar].participants) == (1, 2)
    assert a.cells[seminar].shade == 2  # one of the two held
    assert (a.cells[foresight].attended, b.cells[foresight].attended) == (0, 1)
    assert b.cells[foresight].shade == 4  # the only one held
    assert [cell.attended for cell in c.cells] == [0] * len(kinds)
    # workshops: done / planned / left
    assert (a.workshops.done, a.workshops.planned, a.workshops.left) == (2, 2, 1)
    assert (b.workshops.total, b.workshops.left) == (6, 6)
    assert (c.workshops.done, c.workshops.left) == (1, 4)
    assert a.last_attended == at(2022, 8, 15)
    assert b.last_attended == at(2022, 3, 10)
    assert c.last_attended is None


def test_members_who_attended_nothing_for_months_or_left_workshops_unplanned_are_flagged_first(
    network, usage
):
    matrix = usage_matrix(user=network.staff, season=network.membership_a.season, now=NOW)

    flags = {code: row.flags for code, row in rows_by_code(matrix).items()}
    assert flags["980"] == []  # attended in August; one workshop left
    assert flags["562"] == ["inactive", "unplanned"]  # nothing since March; 6 left
    assert flags["908"] == ["inactive", "unplanned"]  # nothing at all; 4 left
    assert [row.membership.municipality.code for row in matrix.rows] == ["562", "908", "980"]
    assert matrix.flagged == 2


def test_early_in_the_season_nobody_is_flagged(network, usage):
    early = datetime.datetime(2021, 2, 1, tzinfo=UTC)

    matrix = usage_matrix(user=network.staff, season=network.membership_a.season, now=early)

    assert all(not row.flags for row in matrix.rows)


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(at(2022, 5, 31), 3) == at(2022, 2, 28)
    assert months_before(at(2022, 2, 15), 3) == at(2021, 11, 15)


def test_a_consultant_sees_only_the_members_they_are_responsible_for(network, usage):
    matrix = usage_matrix(user=network.consultant, season=network.membership_a.season, now=NOW)

    assert {row.membership.municipality.code for row in matrix.rows} == {"980", "562"}


def test_the_page_shows_the_numbers_shaded_and_the_flags(network, usage):
    url = reverse("usage:matrix", args=[network.membership_a.season.slug])
    client = client_for(network, "staff")
    client.cookies["django_language"] = "en"

    html = client.get(url).content.decode()

    assert '<td class="use-2">1 / 6 <small>(2 people)</small></td>' in html
    assert "Nothing attended for 3 months" in html
    assert html.index("Orivesi") < html.index("Ylöjärvi")  # flagged first


def test_the_xlsx_reads_back_with_the_same_figures(network, usage):
    url = reverse("usage:matrix_xlsx", args=[network.membership_a.season.slug])
    client = client_for(network, "staff")
    client.cookies["django_language"] = "en"

    response = client.get(url)

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    a = by_code["980"]
    assert (a["Theme seminar: attended"], a["Theme seminar: included"]) == (1, 6)
    assert (a["Workshops used"], a["Workshops planned"], a["Workshops left"]) == (2, 2, 1)
    assert a["Last attendance"].date() == timezone.localtime(at(2022, 8, 15)).date()
    assert by_code["562"]["Flags"].startswith("Nothing attended for 3 months")
    assert [row[0] for row in rows[1:]] == ["562", "908", "980"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("contact_a", 403), ("finance", 403), ("consultant", 200), ("staff", 200)],
)
def test_only_staff_with_the_permission_see_it(network, persona, status):
    url = reverse("usage:matrix", args=[network.membership_a.season.slug])

    assert client_for(network, persona).get(url).status_code == status


def test_the_staff_home_links_the_current_seasons_matrix(network):
    html = client_for(network, "staff").get(reverse("municipalities:dashboard")).content.decode()
    finance = client_for(network, "finance").get(reverse("municipalities:dashboard"))

    assert reverse("usage:matrix", args=[network.membership_a.season.slug]) in html
    assert "/staff/usage/" not in finance.content.decode()
