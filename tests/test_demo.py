"""`load_demo`: the demo data of every app (the season, its 30 members, users of every role, the
2021 programme, registrations and news, workshops in every status); idempotent.

The module shares one loaded demo (tests/plugins/shared_demo.py): loading it renders the issued
invoices' PDFs and costs seconds, so it is loaded once here instead of once per test."""

import datetime

import pytest
from django.utils import timezone

from events.models import Announcement, Event, EventKind, EventStatus, Registration
from municipalities.demo import DEMO_MEMBER_CODES, DEMO_PASSWORD
from municipalities.models import ContactPerson, Membership, Municipality, Season, User
from municipalities.roles import StaffRole
from tests.plugins.shared_demo import load_demo
from workshops.models import Workshop, WorkshopStatus

# One demo for the module (tests/plugins/shared_demo.py); each test's writes are rolled back.
# The module stays on one process when the suite is spread (tests/plugins/xdist_groups.py).
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("demo"),
]


def test_demo_season_has_the_30_members_with_contacts_and_logins(demo):
    output = demo

    season = Season.objects.get(slug="2021-2022")
    assert (
        season.theme_seminar_quota,
        season.trustee_training_quota,
        season.workshops_per_member,
    ) == (
        6,
        2,
        5,
    )
    assert season.themes.filter(is_lead_theme=True).get().name_fi == "Kestävä kuntajohtaminen"
    members = set(
        Membership.objects.filter(season=season).values_list("municipality__code", flat=True)
    )
    assert members == set(DEMO_MEMBER_CODES)
    assert len(members) == 30
    ylojarvi = Membership.objects.get(season=season, municipality__code="980")
    assert ylojarvi.decision_reference == "KAUPHALL 14.12.2020 § 357"
    assert ylojarvi.buyer_reference == "1106"
    assert ylojarvi.responsible_consultant.has_role(StaffRole.CONSULTANT)
    for code in DEMO_MEMBER_CODES:
        user = User.objects.get(email=f"contact.{code}@example.fi")
        assert user.municipality.code == code
        assert user.check_password(DEMO_PASSWORD)
        assert user.contact_person.municipality_id == user.municipality_id
    assert "contact.980@example.fi" in output
    assert DEMO_PASSWORD in output


def test_demo_users_exist_for_every_role():
    for email, role in [
        ("staff@example.fi", StaffRole.NETWORK_STAFF),
        ("consultant@example.fi", StaffRole.CONSULTANT),
        ("finance@example.fi", StaffRole.FINANCE),
    ]:
        user = User.objects.get(email=email)
        assert user.is_staff and user.has_role(role)
        assert user.check_password(DEMO_PASSWORD)
    assert User.objects.get(email="admin@example.fi").is_superuser


def test_every_demo_person_is_fictional():
    assert not User.objects.exclude(email__endswith="@example.fi").exists()
    assert not ContactPerson.objects.exclude(email__endswith="@example.fi").exists()


def test_demo_billing_details_are_valid():
    for municipality in Municipality.objects.filter(memberships__isnull=False):
        municipality.full_clean()
        assert municipality.billing_street_address and municipality.billing_postal_code


def test_load_demo_is_idempotent():
    counts = [
        model.objects.count() for model in (Municipality, Membership, ContactPerson, User, Season)
    ]
    load_demo()
    assert [
        model.objects.count() for model in (Municipality, Membership, ContactPerson, User, Season)
    ] == counts


def test_all_municipalities_option_makes_every_municipality_a_member():
    load_demo("--all-municipalities")
    assert Membership.objects.filter(season__slug="2021-2022").count() == 309
    current = Season.objects.filter(start_date__lte=timezone.localdate()).order_by("-start_date")
    assert current.first().memberships.count() == 309
    assert User.objects.filter(municipality__isnull=False).count() == 309


def local(moment):
    return timezone.localtime(
        moment, timezone=datetime.timezone(datetime.timedelta(hours=0))
    ).strftime("%Y-%m-%d %H:%M")


def test_the_2021_programme_from_the_seeds():

    def times(kind):
        return [
            (
                timezone.localtime(e.start).strftime("%d.%m.%Y %H:%M"),
                timezone.localtime(e.end).strftime("%H:%M"),
            )
            for e in Event.objects.filter(kind=kind, season__slug="2021-2022").order_by("start")
        ]

    assert times(EventKind.THEME_SEMINAR) == [
        ("24.03.2021 09:00", "12:00"),
        ("11.05.2021 09:00", "15:00"),
        ("06.10.2021 09:00", "15:00"),
        ("16.03.2022 09:00", "15:00"),
        ("18.05.2022 09:00", "15:00"),
        ("12.10.2022 09:00", "15:00"),
    ]
    assert times(EventKind.TRUSTEE_TRAINING) == [
        ("01.09.2021 09:00", "15:00"),
        ("01.12.2021 09:00", "15:00"),
    ]
    assert times(EventKind.FORESIGHT_SESSION) == [
        ("17.02.2021 12:30", "15:00"),
        ("17.03.2021 12:30", "15:00"),
        ("07.04.2021 12:30", "15:00"),
        ("28.04.2021 12:30", "15:00"),
    ]
    # stored in UTC: 24.3.2021 09:00 in Helsinki (UTC+2) is 07:00 UTC, 6.10. (UTC+3) is 06:00
    assert local(Event.objects.get(start__date="2021-03-24").start) == "2021-03-24 07:00"
    assert local(Event.objects.get(start__date="2021-10-06").start) == "2021-10-06 06:00"
    foresight = Event.objects.filter(kind=EventKind.FORESIGHT_SESSION, season__slug="2021-2022")
    assert foresight.values("series").distinct().count() == 1
    drafts = Event.objects.filter(status=EventStatus.DRAFT, season__slug="2021-2022")
    assert {e.start.year for e in drafts} == {2022} and drafts.count() == 3


def test_demo_registrations_and_news_are_there_and_idempotent():
    counts = (Event.objects.count(), Registration.objects.count(), Announcement.objects.count())
    assert Registration.objects.filter(municipality__code="980", attendance="present").exists()
    assert counts[1] > 10
    assert Announcement.objects.filter(season__slug="2021-2022").count() == 2
    load_demo()
    assert (
        Event.objects.count(),
        Registration.objects.count(),
        Announcement.objects.count(),
    ) == counts


def test_demo_has_every_status_and_is_idempotent():
    historic = Workshop.objects.filter(membership__season__slug="2021-2022")
    statuses = set(historic.values_list("status", flat=True))
    assert statuses == set(WorkshopStatus.values)
    ylojarvi = historic.filter(membership__municipality__code="980")
    assert ylojarvi.exclude(status="cancelled").count() == 5
    reported = ylojarvi.filter(status="reported")
    assert reported.count() == 2
    assert all(w.deliverables.filter(kind="report").exists() for w in reported)
    count = Workshop.objects.count()
    load_demo()
    assert Workshop.objects.count() == count
