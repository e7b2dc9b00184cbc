"""Demo programme of the season 2021-2022, from the seeds (Ylöjärvi's board minutes 22.2.2021).

The 2021 events are held; the three remaining theme seminars of 2022 are tentative drafts.
Every participant is fictional. Idempotent: events are found by season, kind and start.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.core.files.base import ContentFile

from municipalities.demo import DemoContext, register_demo_step
from municipalities.models import ContactPerson, ContactRole, Membership, Season

from . import demo_current  # noqa: F401 (registers the current season's programme step)
from .models import (
    Announcement,
    AnnouncementKind,
    Attendance,
    Audience,
    Event,
    EventFormat,
    EventKind,
    EventMaterial,
    EventSeries,
    EventStatus,
    Registration,
    RegistrationStatus,
)

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
THEMES = ("Kestävä kuntajohtaminen", "Strateginen johtaminen", "Toimiva kaksoisjohtaminen")


def _at(day: str, time: str) -> datetime.datetime:
    return datetime.datetime.strptime(f"{day} {time}", "%d.%m.%Y %H:%M").replace(tzinfo=HELSINKI)


PROGRAMME = [
    # kind, day, start, end, format, audience, status, title fi / sv / en
    (EventKind.FORESIGHT_SESSION, "17.2.2021", "12:30", "15:00", EventFormat.WEBINAR, Audience.OFFICIALS,
     EventStatus.HELD, ("Ennakointiprosessi 1/4: toimintaympäristön muutokset",
                        "Framsynsprocessen 1/4: förändringar i omvärlden",
                        "Foresight process 1/4: changes in the operating environment")),
    (EventKind.FORESIGHT_SESSION, "17.3.2021", "12:30", "15:00", EventFormat.WEBINAR, Audience.OFFICIALS,
     EventStatus.HELD, ("Ennakointiprosessi 2/4: skenaariot", "Framsynsprocessen 2/4: scenarier",
                        "Foresight process 2/4: scenarios")),
    (EventKind.THEME_SEMINAR, "24.3.2021", "09:00", "12:00", EventFormat.WEBINAR, Audience.BOTH,
     EventStatus.HELD, ("Teemaseminaari: kestävä kuntajohtaminen", "Temaseminarium: hållbart kommunalt ledarskap",
                        "Theme seminar: sustainable municipal leadership")),
    (EventKind.FORESIGHT_SESSION, "7.4.2021", "12:30", "15:00", EventFormat.WEBINAR, Audience.OFFICIALS,
     EventStatus.HELD, ("Ennakointiprosessi 3/4: vaikutukset kuntaan", "Framsynsprocessen 3/4: konsekvenser för kommunen",
                        "Foresight process 3/4: implications for the municipality")),
    (EventKind.FORESIGHT_SESSION, "28.4.2021", "12:30", "15:00", EventFormat.WEBINAR, Audience.OFFICIALS,
     EventStatus.HELD, ("Ennakointiprosessi 4/4: tilannekuva strategiatyöhön", "Framsynsprocessen 4/4: lägesbild för strategiarbetet",
                        "Foresight process 4/4: situational picture for strategy work")),
    (EventKind.THEME_SEMINAR, "11.5.2021", "09:00", "15:00", EventFormat.WEBINAR, Audience.BOTH,
     EventStatus.HELD, ("Teemaseminaari: strateginen johtaminen", "Temaseminarium: strategiskt ledarskap",
                        "Theme seminar: strategic leadership")),
    (EventKind.TRUSTEE_TRAINING, "1.9.2021", "09:00", "15:00", EventFormat.HYBRID, Audience.ELECTED_TRUSTEES,
     EventStatus.HELD, ("Luottamushenkilösparraus: uuden valtuustokauden alku", "Sparring för förtroendevalda: den nya fullmäktigeperioden börjar",
                        "Trustee coaching: the start of the new council term")),
    (EventKind.THEME_SEMINAR, "6.10.2021", "09:00", "15:00", EventFormat.HYBRID, Audience.BOTH,
     EventStatus.HELD, ("Teemaseminaari: toimiva kaksoisjohtaminen", "Temaseminarium: fungerande dubbelt ledarskap",
                        "Theme seminar: working dual leadership")),
    (EventKind.TRUSTEE_TRAINING, "1.12.2021", "09:00", "15:00", EventFormat.HYBRID, Audience.ELECTED_TRUSTEES,
     EventStatus.HELD, ("Luottamushenkilösparraus: vaikuttava luottamushenkilötyö", "Sparring för förtroendevalda: verkningsfullt arbete som förtroendevald",
                        "Trustee coaching: effective work as an elected trustee")),
    (EventKind.THEME_SEMINAR, "16.3.2022", "09:00", "15:00", EventFormat.HYBRID, Audience.BOTH,
     EventStatus.DRAFT, ("Teemaseminaari 4 (alustava)", "Temaseminarium 4 (preliminärt)", "Theme seminar 4 (tentative)")),
    (EventKind.THEME_SEMINAR, "18.5.2022", "09:00", "15:00", EventFormat.HYBRID, Audience.BOTH,
     EventStatus.DRAFT, ("Teemaseminaari 5 (alustava)", "Temaseminarium 5 (preliminärt)", "Theme seminar 5 (tentative)")),
    (EventKind.THEME_SEMINAR, "12.10.2022", "09:00", "15:00", EventFormat.HYBRID, Audience.BOTH,
     EventStatus.DRAFT, ("Teemaseminaari 6 (alustava)", "Temaseminarium 6 (preliminärt)", "Theme seminar 6 (tentative)")),
]  # fmt: skip

YLOJARVI_TRUSTEES = [
    ("Marja Virtanen", "Kaupunginhallituksen puheenjohtaja"),
    ("Jussi Koskinen", "Kaupunginhallituksen jäsen"),
    ("Sari Nieminen", "Kaupunginhallituksen jäsen"),
    ("Olli Järvinen", "Kaupunginvaltuuston puheenjohtaja"),
]


@register_demo_step(20, "events")
def load_events_demo(context: DemoContext) -> None:
    season = Season.objects.get(slug="2021-2022")
    series, _created = EventSeries.objects.get_or_create(
        season=season,
        title_fi="USO-kuntien ennakointiprosessi 2021",
        defaults={
            "title_sv": "USO-kommunernas framsynsprocess 2021",
            "title_en": "Foresight process of the USO municipalities 2021",
        },
    )
    themes = list(season.themes.filter(name_fi__in=THEMES))
    events = {}
    for kind, day, start, end, fmt, audience, status, (title_fi, title_sv, title_en) in PROGRAMME:
        event, created = Event.objects.get_or_create(
            season=season,
            kind=kind,
            start=_at(day, start),
            defaults={
                "end": _at(day, end),
                "series": series if kind == EventKind.FORESIGHT_SESSION else None,
                "title_fi": title_fi,
                "title_sv": title_sv,
                "title_en": title_en,
                "description_fi": "USO-verkoston yhteinen tilaisuus kuntien luottamushenkilöille "
                "ja viranhaltijoille.",
                "format": fmt,
                "venue_address": "Kuntatalo, Toinen linja 14, 00530 Helsinki"
                if fmt == EventFormat.HYBRID
                else "",
                "online_link": f"https://meet.example.fi/uso-{_at(day, start):%Y%m%d}",
                "audience": audience,
                "capacity": 120,
                "max_per_municipality": 10 if kind == EventKind.TRUSTEE_TRAINING else None,
                "status": status,
            },
        )
        if created and kind == EventKind.THEME_SEMINAR:
            event.themes.set(themes)
        events[day] = event
    _registrations(events)
    _material(events["24.3.2021"])
    _announcements(season)
    context.say(f"Events: {len(events)} in the season {season.slug}.")


def _registrations(events: dict[str, Event]) -> None:
    ylojarvi = Membership.objects.filter(season__slug="2021-2022", municipality__code="980").first()
    if ylojarvi is None:
        return
    municipality = ylojarvi.municipality
    trustees = []
    for index, (name, title) in enumerate(YLOJARVI_TRUSTEES):
        trustee, _created = ContactPerson.objects.get_or_create(
            municipality=municipality,
            email=f"trustee{index + 1}.980@example.fi",
            defaults={"name": name, "title": title, "role": ContactRole.ELECTED_TRUSTEE},
        )
        trustees.append(trustee)
    # The board's members and the council's chair attend the seminars of 24.3. and 11.5.2021.
    for day in ("24.3.2021", "11.5.2021", "1.9.2021"):
        event = events[day]
        for index, trustee in enumerate(trustees):
            Registration.objects.get_or_create(
                event=event,
                contact_person=trustee,
                defaults={
                    "municipality": municipality,
                    "status": RegistrationStatus.CONFIRMED,
                    "registered_at": event.start - datetime.timedelta(days=14),
                    "attendance": Attendance.ABSENT
                    if index == 3 and day == "11.5.2021"
                    else Attendance.PRESENT,
                },
            )
    # Officials of a few other members took part in the foresight process.
    officials = ContactPerson.objects.filter(
        role=ContactRole.CONTACT_PERSON,
        municipality__memberships__season__slug="2021-2022",
        municipality__code__in=["562", "186", "494", "444"],
    )
    for day in ("17.2.2021", "17.3.2021", "7.4.2021", "28.4.2021"):
        event = events[day]
        for official in officials:
            Registration.objects.get_or_create(
                event=event,
                contact_person=official,
                defaults={
                    "municipality_id": official.municipality_id,
                    "status": RegistrationStatus.CONFIRMED,
                    "registered_at": event.start - datetime.timedelta(days=7),
                    "attendance": Attendance.PRESENT,
                },
            )


def _material(event: Event) -> None:
    if event.materials.exists():
        return
    from weasyprint import HTML

    pdf = HTML(
        string="<h1>Kestävä kuntajohtaminen</h1><p>Teemaseminaarin 24.3.2021 esitysaineisto "
        "(demoaineisto).</p>"
    ).write_pdf()
    material = EventMaterial(event=event, title="Esitysaineisto (PDF)")
    material.file.save("teemaseminaari-2021-03-24.pdf", ContentFile(pdf), save=True)


def _announcements(season: Season) -> None:
    Announcement.objects.get_or_create(
        season=season,
        title_fi="Ennakointiprosessin tilannekuva-analyysi",
        defaults={
            "kind": AnnouncementKind.PROGRAMME_MATERIAL,
            "title_sv": "Framsynsprocessens lägesbild",
            "title_en": "Situational picture of the foresight process",
            "body_fi": "Kevään 2021 ennakointiprosessin tuloksena syntynyt tilannekuva-analyysi "
            "tukee kuntien strategioiden päivitystä.",
            "body_sv": "Lägesbilden från framsynsprocessen våren 2021 stöder kommunernas "
            "strategiuppdateringar.",
            "body_en": "The situational picture from the spring 2021 foresight process supports "
            "the municipalities' strategy updates.",
            "published_at": datetime.datetime(2021, 5, 20, 9, 0, tzinfo=HELSINKI),
        },
    )
    Announcement.objects.get_or_create(
        season=season,
        title_fi="Ajankohtaiskatsaus: kuntavaalien jälkeen",
        defaults={
            "kind": AnnouncementKind.CURRENT_AFFAIRS,
            "title_sv": "Aktuell översikt: efter kommunalvalet",
            "title_en": "Current-affairs review: after the municipal elections",
            "body_fi": "Kuntavaalit pidettiin 13.6.2021. Katsaus uuden valtuustokauden "
            "käynnistymiseen ja luottamushenkilöiden perehdytykseen.",
            "body_sv": "Kommunalvalet hölls den 13 juni 2021. En översikt av hur den nya "
            "fullmäktigeperioden inleds.",
            "body_en": "The municipal elections were held on 13 June 2021. A review of the start "
            "of the new council term.",
            "published_at": datetime.datetime(2021, 8, 16, 9, 0, tzinfo=HELSINKI),
        },
    )
