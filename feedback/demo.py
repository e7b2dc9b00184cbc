"""Demo feedback: answers on a season's held events and workshops, the same on every run.

`load(season)` runs as the demo step "feedback", after the programme and workshops of both
seasons (the historic one and the one running today). For each
held event with participants marked present, and each held or reported workshop, that has no
survey yet, it creates the survey as if it had been sent the day after (invitations, no e-mail:
this is history) and lets about two thirds of the invitees answer through the real service,
with scores and comments chosen by a random generator seeded from the event's title and date,
so the figures are the same on every run and on every machine. Idempotent.
"""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.utils import timezone

from events.models import Attendance, Event, EventStatus
from municipalities.demo import SEASON_SLUG, DemoContext, current_season, register_demo_step
from municipalities.models import Season
from workshops.models import Workshop

from . import services
from .models import Invitation, QuestionKind, Survey
from .services import sending

GOOD = [
    "Hyvät puhujat ja konkreettisia esimerkkejä muista kunnista.",
    "Pienryhmäkeskustelut olivat antoisimpia: kuulin, miten naapurikunnat ovat ratkaisseet saman ongelman.",
    "Tiivis ja hyvin valmisteltu kokonaisuus.",
    "Sain uusia ajatuksia valtuustokauden strategiatyöhön.",
    "Bra diskussioner och tydliga exempel.",
]
IMPROVE = [
    "Enemmän aikaa keskustelulle, vähemmän diaesityksiä.",
    "Materiaalit olisi hyvä saada etukäteen.",
    "Seuraavaksi toivoisin aiheeksi henkilöstön saatavuuden.",
    "Etäyhteys pätki välillä; tallenne olisi hyvä.",
    "",
]
ANSWER_SHARE = 2 / 3


def _seeded(*parts) -> random.Random:
    seed = "|".join(str(part) for part in parts)
    return random.Random(seed)  # noqa: S311 (demo data, not secrets)


def _answers(survey: Survey, rng: random.Random) -> dict[int, object]:
    answers: dict[int, object] = {}
    for question in survey.template.questions.all():
        if question.kind == QuestionKind.COMMENT:
            pool = GOOD if question.position <= 60 else IMPROVE
            if rng.random() < 0.5:
                answers[question.pk] = rng.choice(pool)
        elif question.kind == QuestionKind.WORTH:
            answers[question.pk] = rng.choices((2, 3, 4, 5), weights=(1, 3, 6, 4))[0]
        elif rng.random() < 0.9:
            answers[question.pk] = rng.choices((1, 2, 3, 4, 5), weights=(1, 1, 3, 6, 3))[0]
    return answers


def _survey(*, season, event=None, workshop=None, ended: datetime.datetime, seed: str) -> int:
    """The survey of one event or workshop with its invitations and answers; the number of
    answers."""
    facts = sending._subject_facts(event=event, workshop=workshop)
    sent_at = ended + datetime.timedelta(days=1)
    survey = Survey.objects.create(
        template=services.template_ensure(season=season),
        event=event,
        workshop=workshop,
        sent_at=sent_at,
        closes_at=sent_at + datetime.timedelta(days=settings.FEEDBACK_ANSWER_DAYS),
        **facts,
    )
    invitees = (
        sending._event_invitees(event)
        if event is not None
        else sending._workshop_invitees(workshop)
    )
    rng = _seeded(seed)
    answered = 0
    for index, invitee in enumerate(invitees):
        invitation = Invitation.objects.create(
            survey=survey,
            contact_person=invitee.person,
            municipality_id=invitee.person.municipality_id,
            email=invitee.person.email,
            language=invitee.language or "fi",
            sent_at=sent_at,
            reminded_at=sent_at + datetime.timedelta(days=settings.FEEDBACK_REMINDER_DAYS)
            if index % 3 == 1
            else None,
        )
        if rng.random() < ANSWER_SHARE:
            services.response_submit(
                invitation=invitation,
                answers=_answers(survey, rng),
                now=sent_at + datetime.timedelta(hours=1 + index),
            )
            answered += 1
    return answered


def load(season: Season) -> str:
    """Give the season's held events and workshops their demo feedback; returns a line for the
    demo loader's summary."""
    now = timezone.now()
    services.template_ensure(season=season)
    surveys = answers = 0
    events = (
        Event.objects.filter(
            season=season,
            status=EventStatus.HELD,
            end__lte=now,
            feedback_survey__isnull=True,
            registrations__attendance=Attendance.PRESENT,
        )
        .distinct()
        .order_by("start")
    )
    for event in events:
        answers += _survey(
            season=season,
            event=event,
            ended=event.end,
            seed=f"{event.title_fi}|{event.start:%Y%m%d}",
        )
        surveys += 1
    workshops = (
        Workshop.objects.filter(
            membership__season=season,
            status__in=services.HELD_WORKSHOP,
            ends_at__lte=now,
            feedback_survey__isnull=True,
        )
        .select_related(
            "membership__municipality", "membership__season", "membership__responsible_consultant"
        )
        .order_by("starts_at", "title")
    )
    for workshop in workshops:
        answers += _survey(
            season=season,
            workshop=workshop,
            ended=workshop.ends_at,
            seed=f"{workshop.membership.municipality.code}|{workshop.title}|{workshop.starts_at:%Y%m%d}",
        )
        surveys += 1
    services.surveys_close(now=now)
    return f"Feedback {season.slug}: {surveys} surveys, {answers} answers."


@register_demo_step(85, "feedback")
def load_feedback_demo(context: DemoContext) -> None:
    seasons = [Season.objects.filter(slug=SEASON_SLUG).first(), current_season(context)]
    for season in seasons:
        if season is not None:
            context.say(load(season))
