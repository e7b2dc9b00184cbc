"""Answers: one per person, anonymous; comments anonymised with the participants."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from municipalities.models import Season
from outbox.services import messages_about_delete

from ..models import COMMENT_MAX, SCALE, Invitation, QuestionKind, Response
from .links import ballot_for


class SurveyClosed(Exception):
    """The survey no longer accepts answers."""


class AlreadyAnswered(Exception):
    """This person has answered already."""


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
