"""Held events and workshops, surveys and answers for the feedback tests."""

from __future__ import annotations

import datetime

from django.utils import timezone

from events.models import Attendance
from feedback import services
from feedback.models import Invitation, QuestionKind, Survey
from workshops.models import WorkshopStatus

from ..events.factories import PastEventFactory, RegistrationFactory
from ..municipalities.factories import ContactPersonFactory
from ..workshops.factories import ScheduledWorkshopFactory


def held_event(season, persons, *, absent=(), days_ago: int = 2, **fields):
    """An event that ended `days_ago` days ago, `persons` marked present and `absent` absent."""
    start = timezone.now() - datetime.timedelta(days=days_ago, hours=3)
    event = PastEventFactory(
        season=season, start=start, end=start + datetime.timedelta(hours=2), **fields
    )
    for person in persons:
        RegistrationFactory(event=event, contact_person=person, attendance=Attendance.PRESENT)
    for person in absent:
        RegistrationFactory(event=event, contact_person=person, attendance=Attendance.ABSENT)
    return event


def held_workshop(membership, *, proposed_by, days_ago: int = 2, **fields):
    start = timezone.now() - datetime.timedelta(days=days_ago, hours=3)
    return ScheduledWorkshopFactory(
        membership=membership,
        proposed_by=proposed_by,
        status=WorkshopStatus.HELD,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        **fields,
    )


def participants(municipality, count: int, *, prefix: str = "osallistuja"):
    return [
        ContactPersonFactory(
            municipality=municipality,
            role="official",
            name=f"{prefix.title()} {i}",
            email=f"{prefix}{i}.{municipality.code}@example.fi",
        )
        for i in range(count)
    ]


def questions(survey: Survey) -> dict[str, list]:
    by_kind: dict[str, list] = {kind: [] for kind in QuestionKind.values}
    for question in survey.template.questions.all():
        by_kind[question.kind].append(question)
    return by_kind


def answer(invitation: Invitation, *, worth=None, statements=(), comments=(), now=None):
    """Answer through the service: `statements` and `comments` in the questions' order."""
    q = questions(invitation.survey)
    answers = {}
    if worth is not None:
        answers[q[QuestionKind.WORTH][0].pk] = worth
    for question, value in zip(q[QuestionKind.STATEMENT], statements, strict=False):
        answers[question.pk] = value
    for question, value in zip(q[QuestionKind.COMMENT], comments, strict=False):
        answers[question.pk] = value
    return services.response_submit(invitation=invitation, answers=answers, now=now)


def form_data(survey: Survey, *, worth, statements=(), comments=()) -> dict[str, str]:
    q = questions(survey)
    data = {q[QuestionKind.WORTH][0].field_name: str(worth)}
    for question, value in zip(q[QuestionKind.STATEMENT], statements, strict=False):
        data[question.field_name] = str(value)
    for question, value in zip(q[QuestionKind.COMMENT], comments, strict=False):
        data[question.field_name] = value
    return data


def bare_survey(*, event=None, workshop=None, title: str | None = None, days: int = 14) -> Survey:
    """A survey written directly (no e-mail), open for `days` more days."""
    now = timezone.now()
    if event is not None:
        season, municipality, consultant = event.season, None, None
        held = event.start
    else:
        membership = workshop.membership
        season, municipality = membership.season, membership.municipality
        consultant = workshop.responsible_consultant_id or membership.responsible_consultant_id
        held = workshop.starts_at or now
    return Survey.objects.create(
        template=services.template_ensure(season=season),
        season=season,
        event=event,
        workshop=workshop,
        subject_kind=event.kind if event is not None else "workshop",
        title=title or (event.title_fi if event is not None else workshop.title),
        held_on=timezone.localdate(held),
        municipality=municipality,
        responsible_consultant_id=consultant,
        sent_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=days),
    )


def bare_invitation(survey: Survey, person, *, language: str = "fi") -> Invitation:
    return Invitation.objects.create(
        survey=survey,
        contact_person=person,
        municipality_id=person.municipality_id,
        email=person.email,
        language=language,
        sent_at=survey.sent_at,
    )
