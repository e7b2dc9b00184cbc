"""Workshop pages: the municipality's list and proposal form, the consultant's municipalities,
staff's season overview and its export, calendar files; query counts as workshops grow."""

import io

import openpyxl
import pytest
from django.urls import reverse
from icalendar import Calendar

from municipalities.roles import StaffRole
from workshops.models import Workshop

from ..conftest import client_for
from ..municipalities.factories import MembershipFactory, MunicipalityFactory, StaffUserFactory
from .factories import (
    QuotaGrantFactory,
    ScheduledWorkshopFactory,
    WorkshopFactory,
    WorkshopTopicFactory,
)

pytestmark = pytest.mark.django_db


def test_contact_sees_own_workshops_by_status_and_the_quota(network):
    WorkshopFactory(membership=network.membership_a, title="Oma työpaja")
    WorkshopFactory(membership=network.membership_b, title="Toisen työpaja")
    response = client_for(network, "contact_a").get(reverse("workshops:workshop_list"))
    assert "Oma työpaja" in response.text
    assert "Toisen työpaja" not in response.text
    assert (response.context["quota"].used, response.context["quota"].total) == (1, 5)


def test_propose_through_the_form(network):
    topic = WorkshopTopicFactory(season=network.membership_a.season, name_fi="Kuntastrategia")
    client = client_for(network, "contact_a")
    assert client.get(reverse("workshops:workshop_propose")).status_code == 200

    response = client.post(
        reverse("workshops:workshop_propose"),
        {
            "title": "Strategiapaja",
            "kind": "workshop",
            "topic": topic.pk,
            "audiences": ["officials", "political_leadership"],
        },
    )

    workshop = Workshop.objects.get(title="Strategiapaja")
    assert response.url == reverse("workshops:workshop_detail", args=[workshop.pk])
    assert (workshop.membership, workshop.status, workshop.proposed_by) == (
        network.membership_a,
        "proposed",
        network.contact_a,
    )
    assert workshop.audiences == ["officials", "political_leadership"]
    assert workshop.transitions.get().to_status == "proposed"


def test_proposal_form_explains_what_is_missing(network):
    response = client_for(network, "contact_a").post(
        reverse("workshops:workshop_propose"), {"kind": "workshop"}
    )
    assert response.status_code == 422
    assert {"title", "audiences", "topic_other"} <= set(response.context["form"].errors)
    assert not Workshop.objects.exists()


def test_proposal_when_the_quota_is_used_is_refused_with_a_message(network):
    for _ in range(5):
        WorkshopFactory(membership=network.membership_a)
    response = client_for(network, "contact_a").post(
        reverse("workshops:workshop_propose"),
        {"title": "Kuudes", "kind": "workshop", "topic_other": "X", "audiences": ["officials"]},
    )
    assert response.status_code == 422
    assert response.context["form"].non_field_errors()
    assert Workshop.objects.count() == 5


def test_consultant_proposes_for_a_municipality_of_theirs_only(network):
    client = client_for(network, "consultant")
    url = reverse("workshops:workshop_propose")
    assert client.get(url, {"membership": network.membership_a.pk}).status_code == 200
    stranger = MembershipFactory(
        municipality=MunicipalityFactory(code="091"), season=network.membership_a.season
    )
    assert client.get(url, {"membership": stranger.pk}).status_code == 404


def test_dashboard_shows_used_and_available(network):
    WorkshopFactory(membership=network.membership_a, title="Paneelin työpaja")
    QuotaGrantFactory(membership=network.membership_a, extra=1, granted_by=network.staff)
    response = client_for(network, "contact_a").get(reverse("municipalities:dashboard"))
    assert "Paneelin työpaja" in response.text
    assert "1 / 6" in response.text


def test_scheduled_workshop_has_a_calendar_file(network):
    workshop = ScheduledWorkshopFactory(membership=network.membership_a, title="Pajapäivä")
    response = client_for(network, "contact_a").get(
        reverse("workshops:workshop_ics", args=[workshop.pk])
    )
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["uid"]) == f"{workshop.uid}@uso-portal"
    assert event.decoded("dtstart") == workshop.starts_at.replace(microsecond=0)
    assert str(event["summary"]).startswith("Pajapäivä")
    proposed = WorkshopFactory(membership=network.membership_a)
    assert (
        client_for(network, "contact_a")
        .get(reverse("workshops:workshop_ics", args=[proposed.pk]))
        .status_code
        == 404
    )


def test_consultant_page_shows_own_municipalities_and_what_needs_action(network):
    WorkshopFactory(membership=network.membership_a, title="Odottaa suunnittelua")
    ScheduledWorkshopFactory(membership=network.membership_b, title="Aikataulutettu")
    other = StaffUserFactory(role=StaffRole.CONSULTANT)
    foreign = MembershipFactory(
        municipality=MunicipalityFactory(code="091"),
        season=network.membership_a.season,
        responsible_consultant=other,
    )
    WorkshopFactory(membership=foreign, title="Toisen konsultin")

    response = client_for(network, "consultant").get(reverse("workshops:consultant_home"))

    assert [row.membership for row in response.context["rows"]] == [
        network.membership_b,
        network.membership_a,
    ]
    assert "Odottaa suunnittelua" in response.text and "Aikataulutettu" in response.text
    assert "Toisen konsultin" not in response.text
    actions = {w.title: action for row in response.context["rows"] for w, action in row.actions}
    assert actions == {"Odottaa suunnittelua": "plan"}


def _thirty_members_with_five_each(network):
    season = network.membership_a.season
    memberships = [network.membership_a, network.membership_b]
    memberships += [
        MembershipFactory(
            municipality=MunicipalityFactory(code=f"{100 + n:03d}"),
            season=season,
            responsible_consultant=network.consultant,
        )
        for n in range(28)
    ]
    for membership in memberships:
        for _ in range(5):
            WorkshopFactory(membership=membership)
    return memberships


@pytest.mark.parametrize(
    ("persona", "url_name", "kwargs"),
    [
        ("consultant", "workshops:consultant_home", {}),
        ("staff", "workshops:season_overview", {"slug": "2021-2022"}),
    ],
)
def test_overview_query_counts_do_not_grow(
    network, persona, url_name, kwargs, django_assert_max_num_queries
):
    client = client_for(network, persona)
    url = reverse(url_name, kwargs=kwargs)
    WorkshopFactory(membership=network.membership_a)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    _thirty_members_with_five_each(network)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["rows"]) == 30


def test_season_overview_and_export(network):
    WorkshopFactory(membership=network.membership_a, kind="survey")
    WorkshopFactory(membership=network.membership_a, kind="survey", status="cancelled")
    QuotaGrantFactory(membership=network.membership_b, extra=2, granted_by=network.staff)
    client = client_for(network, "staff")

    page = client.get(reverse("workshops:season_overview", args=["2021-2022"]))
    assert page.context["totals"]["used"] == 1
    assert page.context["totals"]["total"] == 12

    response = client.get(reverse("workshops:season_overview_xlsx", args=["2021-2022"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_code) == {"980", "562"}
    used_column, remaining_column = header[4], header[5]
    assert (by_code["980"][used_column], by_code["980"][remaining_column]) == (1, 4)
    assert by_code["562"][header[3]] == 7
