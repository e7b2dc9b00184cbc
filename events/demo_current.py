"""Demo programme of the current season, dated relative to the day `load_demo` runs.

Held events (attendance marked, materials attached), and events open for registration this
month and next: one is full with a waitlist, one has Ylöjärvi's per-municipality cap reached.
The dates follow `municipalities/demo_dates.py`. Idempotent: each event is found by a calendar
UID derived from the season and its slot, so a second run (even on a later day) adds nothing.
"""

from __future__ import annotations

import datetime
import functools
import uuid
import zoneinfo

from django.core.files.base import ContentFile
from django.utils import timezone

from municipalities.demo import (
    DemoContext,
    current_season,
    demo_members,
    register_demo_step,
)
from municipalities.demo_dates import DemoCalendar
from municipalities.models import ContactPerson, ContactRole, Season

from .models import (
    Announcement,
    AnnouncementKind,
    Attendance,
    Audience,
    Event,
    EventFormat,
    EventKind,
    EventMaterial,
    EventStatus,
    Registration,
    RegistrationStatus,
)

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
DEMO_UID_NAMESPACE = uuid.UUID("4f2b7a8e-2f53-4b7e-9a51-0c3f2f1d9e13")
K, F, A = EventKind, EventFormat, Audience

# slot, kind, days from today (negative: held), start, end, format, audience, capacity,
# max per municipality, title fi / sv / en
SLOTS = [
    ("foresight-held", K.FORESIGHT_SESSION, -42, "12:30", "15:00", F.WEBINAR, A.OFFICIALS,
     120, None,
     ("Ennakointi: toimintaympäristön muutokset", "Framsyn: förändringar i omvärlden",
      "Foresight: changes in the operating environment")),
    ("seminar-held", K.THEME_SEMINAR, -21, "09:00", "15:00", F.HYBRID, A.BOTH, 120, None,
     ("Teemaseminaari: kestävä kuntajohtaminen", "Temaseminarium: hållbart kommunalt ledarskap",
      "Theme seminar: sustainable municipal leadership")),
    ("review-held", K.CURRENT_AFFAIRS_REVIEW, -7, "09:00", "10:30", F.WEBINAR, A.BOTH, None, None,
     ("Ajankohtaiskatsaus: kuntatalouden näkymät", "Aktuell översikt: kommunekonomins utsikter",
      "Current-affairs review: the outlook of municipal finances")),
    ("seminar-open", K.THEME_SEMINAR, 7, "09:00", "12:00", F.WEBINAR, A.BOTH, 120, None,
     ("Teemaseminaari: strateginen johtaminen", "Temaseminarium: strategiskt ledarskap",
      "Theme seminar: strategic leadership")),
    ("peer-full", K.PEER_DISCUSSION, 14, "13:00", "16:00", F.IN_PERSON, A.BOTH, 12, None,
     ("Vertaiskeskustelu: strategian jalkauttaminen", "Kollegiala samtal: att förankra strategin",
      "Peer discussion: putting the strategy into practice")),
    ("trustees-capped", K.TRUSTEE_TRAINING, 21, "09:00", "15:00", F.HYBRID, A.ELECTED_TRUSTEES,
     60, 3,
     ("Luottamushenkilösparraus: toimiva kaksoisjohtaminen",
      "Sparring för förtroendevalda: fungerande dubbelt ledarskap",
      "Trustee coaching: working dual leadership")),
    ("seminar-next", K.THEME_SEMINAR, 35, "09:00", "15:00", F.HYBRID, A.BOTH, 120, None,
     ("Teemaseminaari: toimiva kaksoisjohtaminen", "Temaseminarium: fungerande dubbelt ledarskap",
      "Theme seminar: working dual leadership")),
]  # fmt: skip

YLOJARVI_TRUSTEES = [
    ("Marja Virtanen", "Kaupunginhallituksen puheenjohtaja"),
    ("Jussi Koskinen", "Kaupunginhallituksen jäsen"),
    ("Sari Nieminen", "Kaupunginhallituksen jäsen"),
    ("Olli Järvinen", "Kaupunginvaltuuston puheenjohtaja"),
]
FULL_EVENT_WAITLIST = 2


def demo_event_uid(season: Season, slot: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_UID_NAMESPACE, f"{season.slug}:{slot}")


def demo_event(season: Season, slot: str) -> Event | None:
    """The current season's demo event of a slot (the walk-through's and the tests' handle)."""
    return Event.objects.filter(uid=demo_event_uid(season, slot)).first()


def _at(day: datetime.date, time: str) -> datetime.datetime:
    hour, minute = map(int, time.split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=HELSINKI)


@register_demo_step(60, "current season: events")
def load_current_events(context: DemoContext) -> None:
    season = current_season(context)
    if season is None:
        return
    calendar = DemoCalendar.on(context.today)
    themes = list(season.themes.all())
    events, created = {}, 0
    for slot, kind, days, start, end, fmt, audience, capacity, cap, titles in SLOTS:
        day = calendar.ago(-days) if days < 0 else calendar.ahead(days)
        event, was_created = Event.objects.get_or_create(
            uid=demo_event_uid(season, slot),
            defaults={
                "season": season,
                "kind": kind,
                "start": _at(day, start),
                "end": _at(day, end),
                "title_fi": titles[0],
                "title_sv": titles[1],
                "title_en": titles[2],
                "description_fi": "USO-verkoston yhteinen tilaisuus kuntien luottamushenkilöille "
                "ja viranhaltijoille.",
                "description_sv": "USO-nätverkets gemensamma evenemang för kommunernas "
                "förtroendevalda och tjänsteinnehavare.",
                "description_en": "A joint event of the USO network for the municipalities' "
                "elected trustees and officials.",
                "format": fmt,
                "venue_address": ""
                if fmt == F.WEBINAR
                else "Kuntatalo, Toinen linja 14, 00530 Helsinki",
                "online_link": "" if fmt == F.IN_PERSON else f"https://meet.example.fi/uso-{slot}",
                "audience": audience,
                "capacity": capacity,
                "max_per_municipality": cap,
                "status": EventStatus.HELD if days < 0 else EventStatus.PUBLISHED,
            },
        )
        if was_created:
            created += 1
            if kind == K.THEME_SEMINAR:
                event.themes.set(themes)
            _registrations(context, season, slot, event)
            if days < 0:
                _material(event)
        events[slot] = event
    _announcement(season, calendar)
    context.say(f"Current programme: {created} of {len(events)} events created in {season.slug}.")


def trustees_of_ylojarvi() -> list[ContactPerson]:
    contact = ContactPerson.objects.filter(email="contact.980@example.fi").first()
    if contact is None:
        return []
    return [
        ContactPerson.objects.get_or_create(
            municipality_id=contact.municipality_id,
            email=f"trustee{index + 1}.980@example.fi",
            defaults={"name": name, "title": title, "role": ContactRole.ELECTED_TRUSTEE},
        )[0]
        for index, (name, title) in enumerate(YLOJARVI_TRUSTEES)
    ]


def _register(event, person, *, status=RegistrationStatus.CONFIRMED, attendance="", order=0):
    """A registration as if made some days before (never in the future), in `order`."""
    now = timezone.now()
    registered = min(event.start - datetime.timedelta(days=14), now - datetime.timedelta(days=1))
    Registration.objects.get_or_create(
        event=event,
        contact_person=person,
        defaults={
            "municipality_id": person.municipality_id,
            "status": status,
            "attendance": attendance,
            "registered_at": registered + datetime.timedelta(minutes=order),
        },
    )


def _contacts(codes: list[str]) -> list[ContactPerson]:
    emails = {f"contact.{code}@example.fi": code for code in codes}
    people = ContactPerson.objects.filter(email__in=emails)
    return sorted(people, key=lambda person: codes.index(emails[person.email]))


def _registrations(context: DemoContext, season: Season, slot: str, event: Event) -> None:
    others = [m.code for m in demo_members(context) if m.code != "980"]
    trustees = trustees_of_ylojarvi()
    ylojarvi = ContactPerson.objects.filter(email="contact.980@example.fi").first()
    if slot == "foresight-held":
        for order, person in enumerate(_contacts(others[:4])):
            _register(event, person, attendance=Attendance.PRESENT, order=order)
    elif slot == "seminar-held":
        for order, person in enumerate(trustees):
            present = Attendance.ABSENT if order == 3 else Attendance.PRESENT
            _register(event, person, attendance=present, order=order)
        for order, person in enumerate(_contacts(others[4:10]), start=10):
            _register(event, person, attendance=Attendance.PRESENT, order=order)
    elif slot == "review-held" and ylojarvi is not None:
        _register(event, ylojarvi, attendance=Attendance.PRESENT)
    elif slot == "seminar-open":
        for order, person in enumerate(_contacts(others[:5])):
            _register(event, person, order=order)
    elif slot == "peer-full":
        # Every seat taken by other members; two more wait for a seat (in this order).
        people = _contacts(others[: event.capacity + FULL_EVENT_WAITLIST])
        for order, person in enumerate(people):
            status = (
                RegistrationStatus.CONFIRMED
                if order < event.capacity
                else RegistrationStatus.WAITLISTED
            )
            _register(event, person, status=status, order=order)
    elif slot == "trustees-capped":
        # Ylöjärvi's three places are taken; its fourth trustee would go to the waitlist.
        for order, person in enumerate(trustees[: event.max_per_municipality]):
            _register(event, person, order=order)


@functools.cache
def _material_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<h1>USO-verkosto</h1><p>Tilaisuuden esitysaineisto (demoaineisto).</p>"
    ).write_pdf()


def _material(event: Event) -> None:
    if event.materials.exists():
        return
    material = EventMaterial(event=event, title="Esitysaineisto (PDF)")
    day = timezone.localtime(event.start).date()
    material.file.save(
        f"esitysaineisto-{day:%Y-%m-%d}.pdf", ContentFile(_material_pdf()), save=True
    )


def _announcement(season: Season, calendar: DemoCalendar) -> None:
    day = calendar.ago(10)
    Announcement.objects.get_or_create(
        season=season,
        title_fi=f"Kauden {season.slug} ohjelma on julkaistu",
        defaults={
            "kind": AnnouncementKind.CURRENT_AFFAIRS,
            "title_sv": f"Programmet för perioden {season.slug} har publicerats",
            "title_en": f"The programme of the season {season.slug} is out",
            "body_fi": "Kauden teemaseminaarit, luottamushenkilösparraukset ja vertaiskeskustelut "
            "ovat nyt portaalissa; ilmoittautuminen on auki.",
            "body_sv": "Periodens temaseminarier, sparring för förtroendevalda och kollegiala "
            "samtal finns nu i portalen; anmälan är öppen.",
            "body_en": "The season's theme seminars, trustee coaching and peer discussions are "
            "now in the portal; registration is open.",
            "published_at": datetime.datetime.combine(day, datetime.time(9), tzinfo=HELSINKI),
        },
    )
