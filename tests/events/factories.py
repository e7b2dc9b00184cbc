import datetime

import factory
from django.utils import timezone

from events.models import (
    Announcement,
    AnnouncementAttachment,
    Event,
    EventKind,
    EventMaterial,
    EventStatus,
    Registration,
    RegistrationStatus,
)

from ..municipalities.factories import ContactPersonFactory, SeasonFactory

# A tiny valid PDF, enough for the upload validator (magic bytes) and downloads.
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def in_days(days: float, hour: int = 9) -> datetime.datetime:
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


class EventFactory(factory.django.DjangoModelFactory):
    """A published theme seminar a month ahead, open for registration."""

    class Meta:
        model = Event

    season = factory.SubFactory(SeasonFactory)
    kind = EventKind.PEER_DISCUSSION
    title_fi = factory.Sequence(lambda n: f"Tilaisuus {n}")
    title_sv = factory.Sequence(lambda n: f"Evenemang {n}")
    title_en = factory.Sequence(lambda n: f"Event {n}")
    description_fi = "Kuvaus"
    start = factory.LazyFunction(lambda: in_days(30))
    end = factory.LazyAttribute(lambda e: e.start + datetime.timedelta(hours=3))
    online_link = "https://meet.example.fi/uso"
    status = EventStatus.PUBLISHED


class PastEventFactory(EventFactory):
    start = factory.LazyFunction(lambda: in_days(-30))
    status = EventStatus.HELD


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.SubFactory(EventFactory)
    contact_person = factory.SubFactory(ContactPersonFactory)
    municipality = factory.LazyAttribute(lambda r: r.contact_person.municipality)
    status = RegistrationStatus.CONFIRMED


class EventMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventMaterial

    event = factory.SubFactory(PastEventFactory)
    title = "Esitys"
    file = factory.django.FileField(filename="esitys.pdf", data=PDF_BYTES)


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    season = factory.SubFactory(SeasonFactory)
    title_fi = factory.Sequence(lambda n: f"Katsaus {n}")
    title_sv = factory.Sequence(lambda n: f"Översikt {n}")
    body_fi = "Sisältö"
    published_at = factory.LazyFunction(timezone.now)


class AnnouncementAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AnnouncementAttachment

    announcement = factory.SubFactory(AnnouncementFactory)
    title = "Liite"
    file = factory.django.FileField(filename="liite.pdf", data=PDF_BYTES)
