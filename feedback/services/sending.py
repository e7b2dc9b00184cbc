"""Surveys sent after an event or workshop is held, reminders, closing (see the package)."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import Attendance, Event, EventStatus, Registration, RegistrationStatus
from municipalities.models import ContactPerson, ContactRole
from outbox.services import mail_enqueue
from workshops.models import Workshop, WorkshopStatus

from ..models import WORKSHOP_KIND, Invitation, Response, Survey
from .links import answer_url
from .questions import template_ensure

logger = logging.getLogger(__name__)


HELD_WORKSHOP = [WorkshopStatus.HELD, WorkshopStatus.REPORTED]
SUBJECTS = {
    "invitation": gettext_lazy("Your feedback, please: %(title)s"),
    "reminder": gettext_lazy("Reminder – your feedback, please: %(title)s"),
}


@dataclass(frozen=True)
class Invitee:
    person: ContactPerson
    language: str


def _event_invitees(event: Event) -> list[Invitee]:
    """The people marked present."""
    registrations = (
        Registration.objects.filter(
            event=event,
            status=RegistrationStatus.CONFIRMED,
            attendance=Attendance.PRESENT,
            contact_person__is_active=True,
        )
        .exclude(contact_person__email="")
        .select_related("contact_person", "municipality")
        .order_by("pk")
    )
    return [Invitee(r.contact_person, r.municipality.preferred_language) for r in registrations]


def _workshop_invitees(workshop: Workshop) -> list[Invitee]:
    """A workshop records no participants: its municipality's contact persons are asked."""
    municipality = workshop.membership.municipality
    persons = ContactPerson.objects.filter(
        municipality=municipality, role=ContactRole.CONTACT_PERSON, is_active=True
    ).exclude(email="")
    return [Invitee(person, municipality.preferred_language) for person in persons.order_by("pk")]


def _invitation_queue(invitation: Invitation, kind: str) -> None:
    survey = invitation.survey
    with translation.override(invitation.language):
        subject = SUBJECTS[kind] % {"title": survey.subject_title}
        mail_enqueue(
            to=invitation.email,
            subject=subject,
            text_template="feedback/email/invitation.txt",
            html_template="feedback/email/invitation.html",
            context={
                "kind": kind,
                "invitation": invitation,
                "survey": survey,
                "url": answer_url(invitation),
                "closes_at": survey.closes_at,
            },
            language=invitation.language,
            kind=f"feedback.{kind}",
            about=invitation,
            sensitive=True,  # the link answers in the person's name: never shown to staff
        )


@dataclass(frozen=True)
class SendResult:
    survey: Survey
    invited: int
    created: bool


def _subject_facts(*, event: Event | None, workshop: Workshop | None) -> dict:
    """What a survey copies from its event or workshop (ids: no relation is loaded)."""
    if event is not None:
        return {
            "season_id": event.season_id,
            "subject_kind": event.kind,
            "title": event.title_fi[:250],
            "held_on": timezone.localdate(event.start),
            "municipality_id": None,
            "responsible_consultant_id": None,
        }
    membership = workshop.membership
    return {
        "season_id": membership.season_id,
        "subject_kind": WORKSHOP_KIND,
        "title": workshop.title[:250],
        "held_on": timezone.localdate(workshop.starts_at),
        "municipality_id": membership.municipality_id,
        "responsible_consultant_id": workshop.responsible_consultant_id
        or membership.responsible_consultant_id,
    }


def _check_held(*, event: Event | None, workshop: Workshop | None, now) -> None:
    if event is not None:
        held = event.status == EventStatus.HELD or (
            event.status == EventStatus.PUBLISHED and event.end <= now
        )
        if not held:
            raise ValidationError(_("The event has not been held."), code="not_held")
    elif workshop.status not in HELD_WORKSHOP:
        raise ValidationError(_("The workshop has not been held."), code="not_held")


@transaction.atomic
def survey_send(
    *,
    event: Event | None = None,
    workshop: Workshop | None = None,
    by=None,
    now: datetime.datetime | None = None,
) -> SendResult:
    """Survey the participants of a held event (those marked present) or workshop (its
    municipality's contact persons): create the survey once, invite everybody not invited yet.
    Idempotent: a second call invites only people added since (e.g. attendance marked later),
    and nobody once the survey has closed."""
    if (event is None) == (workshop is None):
        raise ValueError("survey_send needs an event or a workshop")
    now = now or timezone.now()
    if event is not None:  # the lock serialises two runs for the same event
        event = (
            Event.objects.select_for_update(of=("self",)).select_related("season").get(pk=event.pk)
        )
        survey = Survey.objects.filter(event=event).first()
    else:
        workshop = (
            Workshop.objects.select_for_update(of=("self",))
            .select_related("membership__municipality", "membership__season")
            .get(pk=workshop.pk)
        )
        survey = Survey.objects.filter(workshop=workshop).first()
    _check_held(event=event, workshop=workshop, now=now)
    created = survey is None
    if created:
        facts = _subject_facts(event=event, workshop=workshop)
        survey = Survey(
            template=template_ensure(season=event.season if event else workshop.membership.season),
            event=event,
            workshop=workshop,
            sent_at=now,
            closes_at=now + datetime.timedelta(days=settings.FEEDBACK_ANSWER_DAYS),
            sent_by=by if getattr(by, "pk", None) else None,
            **facts,
        )
        survey.full_clean()
        survey.save()
    elif survey.closes_at <= now:
        return SendResult(survey, 0, False)
    invitees = _event_invitees(event) if event is not None else _workshop_invitees(workshop)
    invited_already = set(survey.invitations.values_list("contact_person_id", flat=True))
    invited = 0
    for invitee in invitees:
        if invitee.person.pk in invited_already:
            continue
        invitation = Invitation.objects.create(
            survey=survey,
            contact_person=invitee.person,
            municipality_id=invitee.person.municipality_id,
            email=invitee.person.email,
            language=invitee.language or "fi",
            sent_at=now,
        )
        invited_already.add(invitee.person.pk)
        _invitation_queue(invitation, "invitation")
        invited += 1
    logger.info("feedback: survey %s, %d invited", survey.pk, invited)
    return SendResult(survey, invited, created)


def _due_events(now: datetime.datetime):
    since = now - datetime.timedelta(days=settings.FEEDBACK_LOOKBACK_DAYS)
    open_or_none = Q(feedback_survey__isnull=True) | Q(feedback_survey__closes_at__gt=now)
    return (
        Event.objects.filter(
            Q(status=EventStatus.HELD) | Q(status=EventStatus.PUBLISHED),
            open_or_none,
            end__lte=now,
            end__gte=since,
            registrations__attendance=Attendance.PRESENT,
        )
        .distinct()
        .order_by("end", "pk")
    )


def _due_workshops(now: datetime.datetime):
    since = now - datetime.timedelta(days=settings.FEEDBACK_LOOKBACK_DAYS)
    open_or_none = Q(feedback_survey__isnull=True) | Q(feedback_survey__closes_at__gt=now)
    return Workshop.objects.filter(
        open_or_none, status__in=HELD_WORKSHOP, ends_at__lte=now, ends_at__gte=since
    ).order_by("ends_at", "pk")


@dataclass
class BatchResult:
    surveys: int = 0
    invited: int = 0


def surveys_send_due(*, now: datetime.datetime | None = None) -> BatchResult:
    """Survey every event and workshop held in the last FEEDBACK_LOOKBACK_DAYS days
    (`send_feedback_surveys`). One transaction per event or workshop: an interrupted run
    has lost nothing, and the next one continues where it stopped."""
    now = now or timezone.now()
    result = BatchResult()
    for event in list(_due_events(now)):
        sent = survey_send(event=event, now=now)
        result.surveys += int(sent.created)
        result.invited += sent.invited
    for workshop in list(_due_workshops(now)):
        sent = survey_send(workshop=workshop, now=now)
        result.surveys += int(sent.created)
        result.invited += sent.invited
    return result


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind, once, everybody who has not answered FEEDBACK_REMINDER_DAYS after the invitation
    while the survey is still open. Returns how many reminders were queued."""
    now = now or timezone.now()
    due = Invitation.objects.filter(
        answered=False,
        reminded_at__isnull=True,
        sent_at__lte=now - datetime.timedelta(days=settings.FEEDBACK_REMINDER_DAYS),
        survey__closes_at__gt=now,
    ).exclude(email="")
    queued = 0
    for invitation in due.select_related("survey").order_by("pk"):
        with transaction.atomic():
            claimed = Invitation.objects.filter(
                pk=invitation.pk, answered=False, reminded_at__isnull=True
            ).update(reminded_at=now)
            if claimed:
                _invitation_queue(invitation, "reminder")
                queued += 1
    return queued


def surveys_close(*, now: datetime.datetime | None = None) -> int:
    """Erase the ballots of closed surveys: afterwards nobody can link an answer to an
    invitation, not even with the server's secret key. Returns how many were erased."""
    now = now or timezone.now()
    return Response.objects.filter(survey__closes_at__lte=now, ballot__isnull=False).update(
        ballot=None
    )
