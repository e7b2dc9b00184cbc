"""Invariants of the municipalities models, enforced by the database (named constraints)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from municipalities.models import LanguageStatus, Membership, MembershipStatus, User
from municipalities.validators import (
    normalize_business_id,
    validate_business_id,
    validate_operator_id,
    validate_ovt,
)

from .factories import (
    ContactPersonFactory,
    MembershipFactory,
    MunicipalityFactory,
    PopulationFigureFactory,
    SeasonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def violates(constraint_name: str):
    """The database refuses the write, naming the constraint."""
    return pytest.raises(IntegrityError, match=constraint_name)


def test_population_is_positive():
    with transaction.atomic(), pytest.raises(IntegrityError):
        PopulationFigureFactory(population=0)


def test_population_figure_is_unique_per_municipality_and_date():
    figure = PopulationFigureFactory()
    with transaction.atomic(), violates("population_figure_unique_per_date|UNIQUE"):
        PopulationFigureFactory(
            municipality=figure.municipality, reference_date=figure.reference_date
        )
    # another date of the same municipality is fine
    PopulationFigureFactory(
        municipality=figure.municipality, reference_date=datetime.date(2021, 12, 31)
    )


def test_population_figure_is_dated_31_december():
    with transaction.atomic(), violates("population_figure_on_31_december"):
        PopulationFigureFactory(reference_date=datetime.date(2020, 12, 30))


def test_municipality_code_has_three_digits():
    with transaction.atomic(), violates("municipality_code_three_digits"):
        MunicipalityFactory(code="98")
    with pytest.raises(ValidationError) as error:
        MunicipalityFactory.build(code="9a0").full_clean()
    assert "code" in error.value.message_dict


def test_business_id_is_unique_when_present():
    MunicipalityFactory(code="980", business_id="0158221-7")
    MunicipalityFactory(code="981", business_id="")
    MunicipalityFactory(code="982", business_id="")  # empty ones do not collide
    with transaction.atomic(), violates("municipality_business_id_unique|UNIQUE"):
        MunicipalityFactory(code="983", business_id="0158221-7")


def test_einvoice_address_must_be_ovt():
    with transaction.atomic(), violates("municipality_einvoice_address_ovt"):
        MunicipalityFactory(einvoice_address="FI49500094200287")


def test_membership_is_unique_per_season():
    membership = MembershipFactory()
    with transaction.atomic(), violates("membership_unique_per_season|UNIQUE"):
        MembershipFactory(municipality=membership.municipality, season=membership.season)
    with translation.override("en"), pytest.raises(ValidationError, match="already a member"):
        Membership(
            municipality=membership.municipality,
            season=membership.season,
            joined_on=datetime.date(2021, 1, 1),
        ).full_clean()


def test_ended_membership_has_end_date():
    with transaction.atomic(), violates("membership_ended_on_iff_ended"):
        MembershipFactory(status=MembershipStatus.ENDED, ended_on=None)
    MembershipFactory(status=MembershipStatus.ENDED, ended_on=datetime.date(2021, 12, 31))


def test_season_ends_after_it_starts():
    with transaction.atomic(), violates("season_ends_after_start"):
        SeasonFactory(
            slug="2023-2024",
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2023, 1, 1),
        )


def test_municipal_contact_cannot_be_staff():
    municipality = MunicipalityFactory()
    with transaction.atomic(), violates("user_municipal_contact_not_staff"):
        UserFactory(municipality=municipality, is_staff=True)


def test_user_email_is_unique_ignoring_case():
    UserFactory(email="Anna.Virtanen@example.fi")
    with transaction.atomic(), pytest.raises(IntegrityError):
        UserFactory(email="anna.virtanen@EXAMPLE.fi")
    assert User.objects.get_by_natural_key("ANNA.VIRTANEN@example.fi")


def test_contact_person_email_unique_per_municipality():
    contact = ContactPersonFactory(email="a@example.fi")
    ContactPersonFactory(email="a@example.fi")  # another municipality may know the same person
    ContactPersonFactory(municipality=contact.municipality, email="")
    ContactPersonFactory(municipality=contact.municipality, email="")
    with transaction.atomic(), violates("contact_person_email_unique_per_municipality"):
        ContactPersonFactory(municipality=contact.municipality, email="A@example.fi")


def test_names_follow_the_active_language_with_finnish_fallback():
    municipality = MunicipalityFactory(name_fi="Mustasaari", name_sv="Korsholm")
    nameless = MunicipalityFactory(name_fi="Ylöjärvi", name_sv="")
    with translation.override("sv"):
        assert municipality.name == "Korsholm"
        assert nameless.name == "Ylöjärvi"
    with translation.override("en"):
        assert municipality.name == "Mustasaari"


def test_language_status_gives_the_default_language():
    assert LanguageStatus.SV.default_language == "sv"
    assert LanguageStatus.BILINGUAL_SV.default_language == "sv"
    assert LanguageStatus.BILINGUAL_FI.default_language == "fi"
    assert LanguageStatus.FI.default_language == "fi"


@pytest.mark.parametrize(
    ("value", "printed"),
    [("0158221-7", "0158221-7"), ("01582217", "0158221-7"), ("2050864-5", "2050864-5")],
)
def test_business_id_is_validated_and_normalised(value, printed):
    assert normalize_business_id(value) == printed


@pytest.mark.parametrize("value", ["0158221-8", "1068366-0", "123", "abcdefg-h"])
def test_invalid_business_ids_are_refused(value):
    with pytest.raises(ValidationError):
        validate_business_id(value)


@pytest.mark.parametrize("value", ["003701582217", "00370158221700001", "003721291126"])
def test_valid_ovt_addresses(value):
    validate_ovt(value)


@pytest.mark.parametrize(
    "value", ["", "0037015822", "003701582218", "FI4950009420028730", "0038015822170"]
)
def test_invalid_ovt_addresses(value):
    with pytest.raises(ValidationError):
        validate_ovt(value)


@pytest.mark.parametrize("value", ["003721291126", "NDEAFIHH", "BAWCFI22", ""])
def test_valid_operator_ids(value):
    validate_operator_id(value)


@pytest.mark.parametrize("value", ["NDEASESS", "0037", "MAVENTA"])
def test_invalid_operator_ids(value):
    with pytest.raises(ValidationError):
        validate_operator_id(value)


def test_the_current_season_is_the_one_running_not_the_one_in_preparation(db):
    from analysis.selectors import season_for
    from municipalities.models import Season

    from .factories import MembershipFactory, SeasonFactory

    old = SeasonFactory()
    running = SeasonFactory(
        slug="2025-2026",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    coming = SeasonFactory(
        slug="2027-2028",
        start_date=datetime.date(2027, 1, 1),
        end_date=datetime.date(2028, 12, 31),
    )
    assert Season.objects.current(datetime.date(2026, 12, 2)) == running
    assert Season.objects.current(datetime.date(2027, 1, 1)) == coming
    assert Season.objects.current(datetime.date(2020, 6, 1)) == old  # none started: the first
    between = Season.objects.exclude(pk=running.pk)
    assert between.current(datetime.date(2025, 6, 1)) == old  # the latest that has started

    # a member that has already joined the coming season is analysed in the running one
    membership = MembershipFactory(season=running)
    MembershipFactory(season=coming, municipality=membership.municipality)
    with time_machine.travel(datetime.datetime(2026, 12, 2, 12, tzinfo=datetime.UTC)):
        assert season_for(municipality=membership.municipality, slug=None) == running
    # and its contact's portal agrees: the running season's membership, not the coming one
    from municipalities.selectors import membership_current_for

    from .factories import ContactUserFactory

    contact = ContactUserFactory(municipality=membership.municipality)
    assert membership_current_for(user=contact, today=datetime.date(2026, 12, 2)) == membership
    # between two seasons the latest that has started, not the one the municipality joined next
    Season.objects.filter(pk=running.pk).update(end_date=datetime.date(2026, 6, 30))
    assert membership_current_for(user=contact, today=datetime.date(2026, 12, 2)) == membership
