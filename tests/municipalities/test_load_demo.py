"""`load_demo`: the demo season, its 30 members, users of every role; idempotent."""

import pytest

from municipalities.demo import DEMO_MEMBER_CODES, DEMO_PASSWORD
from municipalities.models import ContactPerson, Membership, Municipality, Season, User
from municipalities.roles import StaffRole

from tests.plugins.shared_demo import load_demo

# One demo for the module (tests/plugins/shared_demo.py); each test's writes are rolled back.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


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
    assert User.objects.filter(municipality__isnull=False).count() == 309
