"""Writes of the feedback app: surveys sent after an event or workshop, answers, reminders.

Every e-mail is a row of the outbox written in the same transaction as the invitation it
belongs to (`outbox.services.mail_enqueue`) and sent after commit, so a rolled-back run sends
nothing and a mail server that is down only delays the messages. Sending is idempotent and
resumable: a survey is one-to-one with its event or workshop, an invitation is unique per
person and survey, and a reminder is claimed with a conditional update before it is queued, so
re-running a command (or two runs at once) never asks anybody twice. See `models` for why an
answer cannot be linked to the person who gave it.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from events.models import Attendance, Event, EventStatus, Registration, RegistrationStatus
from municipalities.models import ContactPerson, ContactRole, Season
from outbox.services import mail_enqueue, messages_about_delete
from workshops.models import Workshop, WorkshopStatus

from . import defaults
from .models import (
    COMMENT_MAX,
    SCALE,
    WORKSHOP_KIND,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyTemplate,
)

logger = logging.getLogger(__name__)

TOKEN_SALT = "feedback.invitation"  # noqa: S105 (a signing salt, not a secret)
BALLOT_SALT = "feedback.ballot"
HELD_WORKSHOP = [WorkshopStatus.HELD, WorkshopStatus.REPORTED]
SUBJECTS = {
    "invitation": gettext_lazy("Your feedback, please: %(title)s"),
    "reminder": gettext_lazy("Reminder – your feedback, please: %(title)s"),
}


class SurveyClosed(Exception):
    """The survey no longer accepts answers."""


class AlreadyAnswered(Exception):
    """This person has answered already."""


# --- Questions ------------------------------------------------------------------------------


@transaction.atomic
def template_ensure(*, season: Season) -> SurveyTemplate:
    """The season's questions; a season without them gets a copy of the latest earlier
    season's, or the default set."""
    template = SurveyTemplate.objects.filter(season=season).first()
    if template is not None:
        return template
    previous = (
        SurveyTemplate.objects.filter(season__start_date__lt=season.start_date)
        .order_by("-season__start_date")
        .prefetch_related("questions")
        .first()
    )
    if previous is not None:
        template = SurveyTemplate.objects.create(
            season=season,
            intro_fi=previous.intro_fi,
            intro_sv=previous.intro_sv,
            intro_en=previous.intro_en,
        )
        rows = [(q.kind, q.text_fi, q.text_sv, q.text_en) for q in previous.questions.all()]
    else:
        template = SurveyTemplate.objects.create(
            season=season,
            intro_fi=defaults.INTRO["fi"],
            intro_sv=defaults.INTRO["sv"],
            intro_en=defaults.INTRO["en"],
        )
        rows = defaults.QUESTIONS
    Question.objects.bulk_create(
        Question(template=template, position=10 * (i + 1), kind=kind, text_fi=fi, text_sv=sv,
                 text_en=en)
        for i, (kind, fi, sv, en) in enumerate(rows)
    )  # fmt: skip
    return template


# --- Links and ballots ----------------------------------------------------------------------


def _signer() -> signing.Signer:
    return signing.Signer(salt=TOKEN_SALT, sep=".")


def token_for(invitation: Invitation) -> str:
    """The secret of the invitation's link: its random key, signed."""
    return _signer().sign(invitation.key.hex)


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation of a link, or None for a link that was not made by the portal."""
    try:
        key = _signer().unsign(str(token)[:200])
    except signing.BadSignature:
        return None
    return (
        Invitation.objects.select_related("survey__template", "survey__event")
        .filter(key=key)
        .first()
    )


def ballot_for(invitation: Invitation) -> str:
    return salted_hmac(BALLOT_SALT, invitation.key.hex, algorithm="sha256").hexdigest()


def answer_url(invitation: Invitation) -> str:
    path = reverse("feedback:answer", kwargs={"token": token_for(invitation)})
    return f"{settings.PORTAL_BASE_URL}{path}"


# --- Sending --------------------------------------------------------------------------------


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


# --- Answering ------------------------------------------------------------------------------


def _clean_text(value: str) -> str:
    text = "".join(c for c in str(value) if c in "\n\t" or c.isprintable())
    return text.strip()[:COMMENT_MAX]


def response_submit(
    *,
    invitation: Invitation,
    answers: dict[int, object],
    now: datetime.datetime | None = None,
) -> Response:
    """Record one person's answer (`answers`: question pk → 1–5 or a comment). Raises
    SurveyClosed after the survey's closing time and AlreadyAnswered for a second answer."""
    now = now or timezone.now()
    survey = invitation.survey
    if survey.closes_at <= now:
        raise SurveyClosed
    questions = {q.pk: q for q in survey.template.questions.all()}
    worth, scores, comments = None, {}, {}
    for pk, value in answers.items():
        question = questions.get(pk)
        if question is None or value in (None, ""):
            continue
        if question.kind == QuestionKind.COMMENT:
            text = _clean_text(value)
            if text:
                comments[str(pk)] = text
        elif int(value) in SCALE:
            if question.kind == QuestionKind.WORTH:
                worth = int(value)
            else:
                scores[str(pk)] = int(value)
    try:
        with transaction.atomic():
            claimed = Invitation.objects.filter(pk=invitation.pk, answered=False).update(
                answered=True
            )
            if not claimed:
                raise AlreadyAnswered
            response = Response(
                survey=survey,
                ballot=ballot_for(invitation),
                worth=worth,
                scores=scores,
                comments=comments,
            )
            response.full_clean(validate_unique=False)
            response.save(force_insert=True)
    except IntegrityError as error:  # the ballot's constraint: answered meanwhile
        raise AlreadyAnswered from error
    invitation.answered = True
    return response


# --- Retention ------------------------------------------------------------------------------


@transaction.atomic
def comments_anonymize(*, seasons: list[Season], dry_run: bool = False) -> tuple[int, int]:
    """The participants' retention rule for feedback (called by `anonymize_participants`): the
    comments of these seasons' surveys are removed (the scores stay, they are statistics), and so
    are the invitations' addresses and the e-mails about them. Returns (answers with comments
    removed, invitations cleaned). Idempotent."""
    responses = Response.objects.filter(survey__season__in=seasons).exclude(comments={})
    invitations = Invitation.objects.filter(survey__season__in=seasons).exclude(email="")
    if dry_run:
        return responses.count(), invitations.count()
    pks = list(Invitation.objects.filter(survey__season__in=seasons).values_list("pk", flat=True))
    messages_about_delete(model=Invitation, pks=pks)
    return responses.update(comments={}), invitations.update(email="")
