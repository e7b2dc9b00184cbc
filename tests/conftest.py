"""Shared fixtures: the personas of the permission matrix and a small network around them.

Personas: anonymous, contact of municipality A, contact of municipality B, consultant,
network staff, finance. A and B are members of the season 2021-2022, with `consultant` as their
responsible consultant. The `municipality_c` fixture adds a third member, C, whose responsible
consultant is somebody else: what the personas must *not* see (tests/test_visibility.py).
"""

import os
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client

from municipalities.models import ContactPerson, Membership, Municipality, User
from municipalities.roles import StaffRole
from tests.auth import login

from .municipalities.factories import (
    PASSWORD,
    ContactPersonFactory,
    ContactUserFactory,
    MembershipFactory,
    MunicipalityFactory,
    SeasonFactory,
    StaffUserFactory,
)

# Every test runs with the N+1 guard: a row of a multi-row queryset that loads a relation or a
# deferred field on demand raises (tests/plugins/fetch_mode.py).
pytest_plugins = [
    "tests.plugins.fetch_mode",
    "tests.plugins.shared_demo",
    "tests.plugins.xdist_groups",
]


def pytest_collection_modifyitems(config, items):
    """`postgres` tests run whenever the database is PostgreSQL; CI insists that it is.

    A transactional test must also restore the migrations' data (`serialized_rollback=True`):
    its flush re-creates content types with new ids, and the next test on the same process
    that restores the serialised data would then collide with them (the suite runs on several
    processes, so "the next test" can be any)."""
    from django.conf import settings

    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: transaction=True needs serialized_rollback=True"
            )

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if os.environ.get("USO_REQUIRE_POSTGRES") and not on_postgres:
        raise pytest.UsageError("USO_REQUIRE_POSTGRES is set but DATABASE_URL is not PostgreSQL")
    if on_postgres:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (the password-reset limits count in it)."""
    from django.core.cache import cache

    cache.clear()


@dataclass
class Network:
    municipality_a: Municipality
    municipality_b: Municipality
    membership_a: Membership
    membership_b: Membership
    contact_person_a: ContactPerson
    contact_person_b: ContactPerson
    contact_a: User
    contact_b: User
    consultant: User
    staff: User
    finance: User


@pytest.fixture
def network(db) -> Network:
    season = SeasonFactory()
    consultant = StaffUserFactory(email="consultant@example.fi", role=StaffRole.CONSULTANT)
    a = MunicipalityFactory(code="980", name_fi="Ylöjärvi", name_sv="Ylöjärvi")
    b = MunicipalityFactory(code="562", name_fi="Orivesi", name_sv="Orivesi")
    membership_a = MembershipFactory(
        municipality=a, season=season, responsible_consultant=consultant
    )
    membership_b = MembershipFactory(
        municipality=b, season=season, responsible_consultant=consultant
    )
    contact_a = ContactUserFactory(email="contact.a@example.fi", municipality=a)
    contact_b = ContactUserFactory(email="contact.b@example.fi", municipality=b)
    return Network(
        municipality_a=a,
        municipality_b=b,
        membership_a=membership_a,
        membership_b=membership_b,
        contact_person_a=ContactPersonFactory(
            municipality=a, user=contact_a, email=contact_a.email
        ),
        contact_person_b=ContactPersonFactory(
            municipality=b, user=contact_b, email=contact_b.email
        ),
        contact_a=contact_a,
        contact_b=contact_b,
        consultant=consultant,
        staff=StaffUserFactory(email="staff@example.fi", role=StaffRole.NETWORK_STAFF),
        finance=StaffUserFactory(email="finance@example.fi", role=StaffRole.FINANCE),
    )


@dataclass
class Programme:
    """Events of the network's season (A and B members) and of a season only A is in."""

    event: object
    other_season_event: object
    registration_a: object
    other_material: object
    other_announcement: object
    other_attachment: object
    feed_a: object
    workshop_a: object
    deliverable_a: object
    invoice_a: object
    batch: object


@pytest.fixture
def programme(network) -> Programme:
    from events.models import CalendarFeed

    from .events.factories import (
        AnnouncementAttachmentFactory,
        EventFactory,
        EventMaterialFactory,
        PastEventFactory,
        RegistrationFactory,
    )

    other_season = SeasonFactory(slug="2019-2020", start_date="2019-01-01", end_date="2020-12-31")
    MembershipFactory(municipality=network.municipality_a, season=other_season)
    event = EventFactory(season=network.membership_a.season)
    other_event = PastEventFactory(season=other_season)
    attachment = AnnouncementAttachmentFactory(announcement__season=other_season)
    from .workshops.factories import DeliverableFactory, ScheduledWorkshopFactory

    workshop = ScheduledWorkshopFactory(
        membership=network.membership_a, proposed_by=network.contact_a
    )
    from billing.models import BillingBatch

    from .billing.factories import stored_invoice

    return Programme(
        invoice_a=stored_invoice(network.membership_a),
        batch=BillingBatch.objects.create(
            season=network.membership_a.season, year=2021, created_by=network.staff
        ),
        workshop_a=workshop,
        deliverable_a=DeliverableFactory(workshop=workshop, uploaded_by=network.consultant),
        event=event,
        other_season_event=other_event,
        registration_a=RegistrationFactory(event=event, contact_person=network.contact_person_a),
        other_material=EventMaterialFactory(event=other_event),
        other_announcement=attachment.announcement,
        other_attachment=attachment,
        feed_a=CalendarFeed.objects.create(municipality=network.municipality_a),
    )


def one_of_each(
    membership, person, *, by, event, number: str, existing: dict | None = None
) -> dict[str, object]:
    """One row of every municipality-scoped model for `membership`'s municipality (label →
    row), written directly: a scheduled workshop with a step, a file and a comment, a quota
    grant, a registration of `person` to `event`, a travel cost, an issued invoice with a line,
    a calendar feed, a population figure, an indicator value, stored analysis and season reports,
    the workshop's feedback survey with an invitation of `person` and an answer. `by` records what
    a user records (travel cost, upload, step, comment); `existing` gives rows already made (an
    invoice, a feed) by label."""
    existing = existing or {}
    from django.core.files.base import ContentFile

    from analysis.models import Indicator, IndicatorValue, Report, ReportStatus
    from billing.models import InvoiceLine
    from billing.storage import get_document_storage
    from events.models import CalendarFeed
    from municipalities.models import InvoicingDetailsConfirmation
    from usage.models import SeasonReport
    from workshops.models import WorkshopTransition

    from .billing.factories import TravelCostFactory, stored_invoice
    from .events.factories import RegistrationFactory
    from .municipalities.factories import OfferFactory, PopulationFigureFactory
    from .workshops.factories import (
        CommentFactory,
        DeliverableFactory,
        QuotaGrantFactory,
        ScheduledWorkshopFactory,
    )

    municipality = membership.municipality
    name = municipality.name_fi
    workshop = ScheduledWorkshopFactory(
        membership=membership, proposed_by=by, title=f"Työpaja {name}"
    )
    from feedback.models import Response

    from .feedback.factories import bare_invitation, bare_survey

    survey = bare_survey(workshop=workshop, title=f"Palautekysely {name}")
    invoice = existing.get("billing.Invoice") or stored_invoice(membership, number=number)
    indicator = Indicator.objects.get_or_create(
        code="scoping-test",
        defaults={"name_fi": "Testi", "perspective": "vitality", "unit": "%", "source_fi": "Testi",
                  "licence_fi": "CC BY 4.0"},
    )[0]  # fmt: skip
    # of the membership's season: a later season would become the analysis' "latest season"
    offer = OfferFactory(municipality=municipality, season=membership.season)
    line = InvoiceLine(  # the line of an issued invoice: written directly, never saved
        invoice=invoice, position=1, description=f"Jäsenmaksu {name}", unit_price="11000.00",
        net="11000.00", vat_rate="24.00", supply_date="2021-12-31",
    )  # fmt: skip
    return {
        "municipalities.Municipality": municipality,
        "municipalities.PopulationFigure": PopulationFigureFactory(
            municipality=municipality, reference_date="2019-12-31"
        ),
        "municipalities.Membership": membership,
        "municipalities.ContactPerson": person,
        "municipalities.Offer": offer,
        "municipalities.OfferFee": offer.fees.first(),
        "municipalities.InvoicingDetailsConfirmation": InvoicingDetailsConfirmation.objects.create(
            municipality=municipality,
            season=membership.season,
            confirmed_by=by,
            confirmed_at="2022-11-01T10:00:00Z",
            changes={"einvoice_operator": ["", "DEMOFIHH"]},
        ),
        "events.Registration": RegistrationFactory(event=event, contact_person=person),
        "events.CalendarFeed": existing.get("events.CalendarFeed")
        or CalendarFeed.objects.create(municipality=municipality),
        "workshops.Workshop": workshop,
        "workshops.WorkshopTransition": WorkshopTransition.objects.create(
            workshop=workshop, from_status="proposed", to_status="planned", by=by
        ),
        "workshops.Deliverable": DeliverableFactory(
            workshop=workshop, uploaded_by=by, title=f"Raportti {name}"
        ),
        "workshops.Comment": CommentFactory(workshop=workshop, author=by, body=f"Kommentti {name}"),
        "workshops.QuotaGrant": QuotaGrantFactory(membership=membership, granted_by=by),
        "billing.TravelCost": TravelCostFactory(
            membership=membership, recorded_by=by, description=f"Junaliput {name}"
        ),
        "billing.Invoice": invoice,
        "billing.InvoiceLine": InvoiceLine.objects.bulk_create([line])[0],
        "analysis.IndicatorValue": IndicatorValue.objects.create(
            municipality=municipality, indicator=indicator, year=2021, value=55, source="Testi"
        ),
        "feedback.Survey": survey,
        "feedback.Invitation": bare_invitation(survey, person),
        "feedback.Response": Response.objects.create(survey=survey, worth=4),
        "analysis.Report": Report.objects.create(
            municipality=municipality,
            season=membership.season,
            language="fi",
            status=ReportStatus.READY,
            file=get_document_storage().save(
                f"analysis/test/{municipality.code}.pdf", ContentFile(f"%PDF {name}".encode())
            ),
        ),
        "usage.SeasonReport": SeasonReport.objects.create(
            membership=membership,
            language="fi",
            status=ReportStatus.READY,
            file=get_document_storage().save(
                f"season-reports/test/{municipality.code}.pdf", ContentFile(b"%PDF season")
            ),
        ),
    }


@dataclass
class MunicipalityC:
    """A member of the network's season whose responsible consultant is not
    `network.consultant`, with its own contact and one row of every scoped model (`rows`)."""

    municipality: Municipality
    membership: Membership
    consultant: User
    contact: User
    contact_person: ContactPerson
    rows: dict[str, object]

    @property
    def workshop(self):
        return self.rows["workshops.Workshop"]


@pytest.fixture
def municipality_c(network, programme) -> MunicipalityC:
    consultant = StaffUserFactory(email="consultant.c@example.fi", role=StaffRole.CONSULTANT)
    c = MunicipalityFactory(code="908", name_fi="Valkeakoski", name_sv="Valkeakoski")
    membership = MembershipFactory(
        municipality=c, season=network.membership_a.season, responsible_consultant=consultant
    )
    contact = ContactUserFactory(email="contact.c@example.fi", municipality=c)
    person = ContactPersonFactory(
        municipality=c, user=contact, email=contact.email, name="Cecilia Cederberg"
    )
    rows = one_of_each(membership, person, by=consultant, event=programme.event, number="1000908")
    return MunicipalityC(c, membership, consultant, contact, person, rows)


PERSONAS = ("anonymous", "contact_a", "contact_b", "consultant", "staff", "finance")


def client_for(network: Network, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        login(client, getattr(network, persona))
    return client


@pytest.fixture
def contact_client(network) -> Client:
    return client_for(network, "contact_a")


@pytest.fixture
def staff_client(network) -> Client:
    return client_for(network, "staff")


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


__all__ = ["PASSWORD", "PERSONAS", "MunicipalityC", "Network", "Programme", "client_for"]
