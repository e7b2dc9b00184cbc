import datetime

import factory
from django.utils import timezone

from workshops.models import (
    Comment,
    Deliverable,
    DeliverableKind,
    QuotaGrant,
    Workshop,
    WorkshopKind,
    WorkshopStatus,
    WorkshopTopic,
)

from ..events.factories import PDF_BYTES
from ..municipalities.factories import MembershipFactory, SeasonFactory, UserFactory


class WorkshopTopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkshopTopic

    season = factory.SubFactory(SeasonFactory)
    name_fi = factory.Sequence(lambda n: f"Aihe {n}")


class WorkshopFactory(factory.django.DjangoModelFactory):
    """A proposed workshop of a membership (written directly, as a fixture)."""

    class Meta:
        model = Workshop

    membership = factory.SubFactory(MembershipFactory)
    kind = WorkshopKind.WORKSHOP
    topic_other = "Strategia"
    audiences = ["political_leadership"]
    title = factory.Sequence(lambda n: f"Työpaja {n}")
    responsible_consultant = factory.LazyAttribute(lambda w: w.membership.responsible_consultant)
    proposed_by = factory.SubFactory(UserFactory)
    status = WorkshopStatus.PROPOSED


class ScheduledWorkshopFactory(WorkshopFactory):
    status = WorkshopStatus.SCHEDULED
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=20))
    ends_at = factory.LazyAttribute(lambda w: w.starts_at + datetime.timedelta(hours=3))
    place = "Kaupungintalo"


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    workshop = factory.SubFactory(WorkshopFactory)
    kind = DeliverableKind.REPORT
    title = "Raportti"
    file = factory.django.FileField(filename="raportti.pdf", data=PDF_BYTES)
    uploaded_by = factory.SubFactory(UserFactory)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    workshop = factory.SubFactory(WorkshopFactory)
    author = factory.SubFactory(UserFactory)
    body = "Kommentti"


class QuotaGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuotaGrant

    membership = factory.SubFactory(MembershipFactory)
    extra = 1
    reason = "Lisätyöpaja valtuustoseminaaria varten"
    granted_by = factory.SubFactory(UserFactory)
