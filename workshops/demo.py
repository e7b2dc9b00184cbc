"""Demo workshops for the 2021-2022 members: every status of the workflow is represented.

Rows are written directly (no e-mails); each workshop's history is recorded as the portal would.
Idempotent: a membership that already has workshops is left alone.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.core.files.base import ContentFile

from municipalities.demo import DemoContext, current_season, register_demo_step
from municipalities.demo_dates import DemoCalendar
from municipalities.models import Membership, Season, User

from .models import (
    Comment,
    Deliverable,
    DeliverableKind,
    Workshop,
    WorkshopAudience,
    WorkshopKind,
    WorkshopStatus,
    WorkshopTopic,
    WorkshopTransition,
)

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
S = WorkshopStatus
A = WorkshopAudience

TOPICS = [
    ("Kuntastrategian laadinta ja johtaminen", "Utarbetande och ledning av kommunstrategin",
     "Drafting and leading the municipal strategy"),
    ("Luottamushenkilöjohtaminen ja toimiva kaksoisjohtaminen", "Ledarskap för förtroendevalda och fungerande dubbelt ledarskap",
     "Trustee leadership and working dual leadership"),
    ("Johtamisjärjestelmän ja rakenteiden uudistaminen, muutoksen johtaminen",
     "Förnyelse av ledningssystemet och strukturerna, förändringsledning",
     "Renewing the management system and structures, change management"),
    ("Kestävän kuntajohtamisen integrointi toimintaan", "Att integrera hållbart ledarskap i verksamheten",
     "Integrating sustainable leadership into operations"),
    ("Toimintaympäristön ja talouden tarkastelut ja ennakointi", "Omvärlds- och ekonomiöversikter och framsyn",
     "Reviews and foresight of the operating environment and finances"),
]  # fmt: skip

# title, kind, topic index, audiences, status, date (None: not scheduled yet)
PLANS = [
    ("Valtuustokauden loppuarviointi ja opit seuraavalle kaudelle", WorkshopKind.WORKSHOP, 1,
     [A.POLITICAL_LEADERSHIP], S.REPORTED, "2021-04-20"),
    ("Kapulanvaihtopäivä uudelle valtuustolle", WorkshopKind.SEMINAR, 1,
     [A.POLITICAL_LEADERSHIP, A.OFFICIALS], S.REPORTED, "2021-08-26"),
    ("Toimintaympäristön tarkastelu strategiatyön pohjaksi", WorkshopKind.ANALYSIS, 4,
     [A.OFFICIALS], S.HELD, "2021-10-14"),
    ("Kuntastrategian luonnoksen työstöpaja", WorkshopKind.DOCUMENT_DRAFTING, 0,
     [A.POLITICAL_LEADERSHIP, A.OFFICIALS], S.SCHEDULED, "2022-02-10"),
    ("Kuntalaiskysely strategian tueksi", WorkshopKind.SURVEY, 0,
     [A.RESIDENTS], S.PLANNED, None),
    ("Johtamisjärjestelmän uudistamisen haastattelututkimus", WorkshopKind.INTERVIEW_STUDY, 2,
     [A.SUPERVISORS, A.DEPARTMENTS], S.CANCELLED, None),
    ("Vertailu naapurikuntien palveluverkoista", WorkshopKind.BENCHMARKING, 4,
     [A.OFFICIALS, A.STAKEHOLDERS], S.PROPOSED, None),
]  # fmt: skip


# The current season (dated from the day load_demo runs): days from today, None for undated.
# Ylöjärvi uses three of its five and cancelled one: two are left to propose.
CURRENT_PLANS = {
    0: [
        ("Strategiatyön käynnistyspaja", WorkshopKind.WORKSHOP, 0,
         [A.POLITICAL_LEADERSHIP, A.OFFICIALS], S.REPORTED, -50),
        ("Toimintaympäristön tarkastelu strategiatyön pohjaksi", WorkshopKind.ANALYSIS, 4,
         [A.OFFICIALS], S.HELD, -12),
        ("Kuntastrategian luonnoksen työstöpaja", WorkshopKind.DOCUMENT_DRAFTING, 0,
         [A.POLITICAL_LEADERSHIP, A.OFFICIALS], S.SCHEDULED, 18),
        ("Johtamisjärjestelmän uudistamisen haastattelututkimus", WorkshopKind.INTERVIEW_STUDY, 2,
         [A.SUPERVISORS, A.DEPARTMENTS], S.CANCELLED, None),
    ],
    1: [
        ("Luottamushenkilöiden ja johdon yhteinen kehittämispäivä", WorkshopKind.SEMINAR, 1,
         [A.POLITICAL_LEADERSHIP, A.OFFICIALS], S.PLANNED, None),
        ("Kuntalaiskysely strategian tueksi", WorkshopKind.SURVEY, 0, [A.RESIDENTS],
         S.PROPOSED, None),
    ],
    2: [
        ("Talouden tasapainotuksen vaihtoehdot", WorkshopKind.ANALYSIS, 4, [A.OFFICIALS],
         S.REPORTED, -30),
    ],
    3: [
        ("Vertailu naapurikuntien palveluverkoista", WorkshopKind.BENCHMARKING, 4,
         [A.OFFICIALS, A.STAKEHOLDERS], S.PROPOSED, None),
    ],
}  # fmt: skip


@register_demo_step(70, "current season: workshops")
def load_current_workshops(context: DemoContext) -> None:
    season = current_season(context)
    if season is None:
        return
    calendar = DemoCalendar.on(context.today)
    topics = [
        WorkshopTopic.objects.get_or_create(
            season=season,
            name_fi=name_fi,
            defaults={"name_sv": name_sv, "name_en": name_en, "position": position},
        )[0]
        for position, (name_fi, name_sv, name_en) in enumerate(TOPICS)
    ]
    memberships = sorted(
        Membership.objects.filter(season=season).select_related(
            "municipality", "responsible_consultant"
        ),
        key=lambda m: (m.municipality.code != "980", m.municipality.code),
    )
    created = 0
    for index, plans in CURRENT_PLANS.items():
        if index >= len(memberships) or memberships[index].workshops.exists():
            continue
        membership = memberships[index]
        contact = User.objects.filter(municipality=membership.municipality).first()
        if contact is None or membership.responsible_consultant is None:
            continue
        for *fields, days in plans:
            if days is None:
                day = None
            else:
                day = (calendar.ago(-days) if days < 0 else calendar.ahead(days)).isoformat()
            undated = calendar.ago(5).isoformat()
            _workshop(membership, contact, topics, (*fields, day), undated=undated)
            created += 1
    context.say(f"Current workshops: {created} created in {season.slug}.")


def _at(day: str, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.fromisoformat(day).replace(hour=hour, tzinfo=HELSINKI)


@register_demo_step(30, "workshops")
def load_workshops_demo(context: DemoContext) -> None:
    season = Season.objects.get(slug="2021-2022")
    topics = []
    for position, (name_fi, name_sv, name_en) in enumerate(TOPICS):
        topic, _created = WorkshopTopic.objects.get_or_create(
            season=season,
            name_fi=name_fi,
            defaults={"name_sv": name_sv, "name_en": name_en, "position": position},
        )
        topics.append(topic)
    memberships = (
        Membership.objects.filter(season=season)
        .select_related("municipality", "responsible_consultant")
        .order_by("municipality__code")
    )
    memberships = sorted(
        memberships, key=lambda m: (m.municipality.code != "980", m.municipality.code)
    )
    created = 0
    for index, membership in enumerate(memberships[:12]):
        if membership.workshops.exists():
            continue
        contact = User.objects.filter(municipality=membership.municipality).first()
        if contact is None or membership.responsible_consultant is None:
            continue
        # Ylöjärvi uses all of its five (and cancelled a sixth); the others a varying share.
        plans = PLANS[:6] if index == 0 else PLANS[index % 5 + 2 :][: 1 + index % 3]
        for plan in plans:
            _workshop(membership, contact, topics, plan)
            created += 1
    context.say(f"Workshops: {created} created for the demo members.")


def _workshop(
    membership: Membership, contact: User, topics, plan, undated: str = "2022-03-01"
) -> Workshop:
    title, kind, topic, audiences, status, day = plan
    consultant = membership.responsible_consultant
    workshop = Workshop.objects.create(
        membership=membership,
        kind=kind,
        topic=topics[topic],
        audiences=[a.value for a in audiences],
        title=title,
        goals="Yhteinen näkemys kunnan kehittämisen suunnasta ja seuraavista askelista.",
        description="Työpaja suunnitellaan yhdessä vastuukonsultin kanssa kunnan tarpeiden mukaan.",
        responsible_consultant=consultant,
        starts_at=_at(day) if day else None,
        ends_at=_at(day, 12) if day else None,
        place="Kaupungintalo, valtuustosali" if day else "",
        expected_participants=25,
        status=status,
        proposed_by=contact,
    )
    path = {
        S.PROPOSED: [S.PROPOSED],
        S.PLANNED: [S.PROPOSED, S.PLANNED],
        S.SCHEDULED: [S.PROPOSED, S.PLANNED, S.SCHEDULED],
        S.HELD: [S.PROPOSED, S.PLANNED, S.SCHEDULED, S.HELD],
        S.REPORTED: [S.PROPOSED, S.PLANNED, S.SCHEDULED, S.HELD, S.REPORTED],
        S.CANCELLED: [S.PROPOSED, S.PLANNED, S.CANCELLED],
    }[status]
    # Backdate the history: proposed two months before, each later step three weeks apart.
    moment = (workshop.starts_at or _at(undated)) - datetime.timedelta(days=60)
    previous = ""
    for step in path:
        by = contact if step == S.PROPOSED else consultant
        transition = WorkshopTransition.objects.create(
            workshop=workshop, from_status=previous, to_status=step, by=by
        )
        WorkshopTransition.objects.filter(pk=transition.pk).update(at=moment)
        moment += datetime.timedelta(days=21)
        previous = step
    comment = Comment.objects.create(
        workshop=workshop, author=contact, body="Ehdotamme ajankohdaksi iltapäivää."
    )
    Comment.objects.filter(pk=comment.pk).update(created_at=moment - datetime.timedelta(days=50))
    if status == S.REPORTED:
        from weasyprint import HTML

        pdf = HTML(string=f"<h1>{title}</h1><p>Työpajan raportti (demoaineisto).</p>").write_pdf()
        deliverable = Deliverable(
            workshop=workshop, kind=DeliverableKind.REPORT, title="Raportti", uploaded_by=consultant
        )
        deliverable.file.save(f"raportti-{workshop.pk}.pdf", ContentFile(pdf), save=True)
    return workshop
