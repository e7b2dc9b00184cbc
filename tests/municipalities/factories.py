import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from municipalities.models import (
    ContactPerson,
    ContactRole,
    Membership,
    Municipality,
    Offer,
    OfferFee,
    PopulationFigure,
    Season,
    SeasonTheme,
    User,
)
from municipalities.roles import StaffRole

PASSWORD = "correct-horse-battery"


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ["code"]

    # 200–499: no test names a code in this range, so a sequence never meets a fixture code.
    code = factory.Sequence(lambda n: f"{(n % 300) + 200:03d}")
    name_fi = factory.Sequence(lambda n: f"Testikunta {n}")
    name_sv = factory.LazyAttribute(lambda m: m.name_fi.replace("Testikunta", "Testkommun"))
    region_code = "06"
    region_name_fi = "Pirkanmaa"
    region_name_sv = "Birkaland"


class PopulationFigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PopulationFigure

    municipality = factory.SubFactory(MunicipalityFactory)
    reference_date = datetime.date(2020, 12, 31)
    population = 10_000
    source = "Statistics Finland"


class SeasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Season
        django_get_or_create = ["slug"]

    slug = "2021-2022"
    name_fi = "USO-kausi 2021–2022"
    name_sv = "USO 2021–2022"
    start_date = datetime.date(2021, 1, 1)
    end_date = datetime.date(2022, 12, 31)


class SeasonThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeasonTheme

    season = factory.SubFactory(SeasonFactory)
    name_fi = factory.Sequence(lambda n: f"Teema {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.fi")
    first_name = "Testi"
    last_name = factory.Sequence(lambda n: f"Käyttäjä{n}")
    password = factory.django.Password(PASSWORD)


class StaffUserFactory(UserFactory):
    """A staff user with one role: `StaffUserFactory(role=StaffRole.CONSULTANT)`."""

    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=extracted or StaffRole.NETWORK_STAFF))


class ContactUserFactory(UserFactory):
    municipality = factory.SubFactory(MunicipalityFactory)


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Henkilö {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.fi")
    title = "Hallintojohtaja"
    role = ContactRole.CONTACT_PERSON


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    municipality = factory.SubFactory(MunicipalityFactory)
    season = factory.SubFactory(SeasonFactory)
    joined_on = datetime.date(2020, 12, 14)
    decision_reference = "KH 14.12.2020 § 1"
    buyer_reference = "1106"


def next_season() -> Season:
    """The season after the network's 2021-2022 (get or create)."""
    return SeasonFactory(
        slug="2023-2024",
        name_fi="USO-kausi 2023–2024",
        name_sv="USO 2023–2024",
        start_date=datetime.date(2023, 1, 1),
        end_date=datetime.date(2024, 12, 31),
    )


class OfferFactory(factory.django.DjangoModelFactory):
    """An offer written directly (the services send them): invited, with a fee per year."""

    class Meta:
        model = Offer
        skip_postgeneration_save = True

    season = factory.LazyFunction(next_season)
    municipality = factory.SubFactory(MunicipalityFactory)
    language = "fi"
    sent_at = factory.LazyFunction(lambda: datetime.datetime(2022, 9, 1, 9, 0, tzinfo=datetime.UTC))

    @factory.post_generation
    def fees(self, create, extracted, **kwargs):
        if create:
            for year in self.season.years:
                OfferFee.objects.create(
                    offer=self,
                    year=year,
                    population=33_000,
                    population_date=datetime.date(2021, 12, 31),
                    billed_on_date=datetime.date(year - 1, 12, 31),
                    tier_label="9 000–45 000",
                    annual_fee=Decimal("11000.00"),
                )
