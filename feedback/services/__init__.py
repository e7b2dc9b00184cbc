"""Writes of the feedback app: surveys sent after an event or workshop, answers, reminders.

Every e-mail is a row of the outbox written in the same transaction as the invitation it
belongs to (`outbox.services.mail_enqueue`) and sent after commit, so a rolled-back run sends
nothing and a mail server that is down only delays the messages. Sending is idempotent and
resumable: a survey is one-to-one with its event or workshop, an invitation is unique per
person and survey, and a reminder is claimed with a conditional update before it is queued, so
re-running a command (or two runs at once) never asks anybody twice. See `models` for why an
answer cannot be linked to the person who gave it.
"""

from .answers import AlreadyAnswered, SurveyClosed, comments_anonymize, response_submit
from .links import BALLOT_SALT, TOKEN_SALT, answer_url, ballot_for, invitation_for_token, token_for
from .questions import template_ensure
from .sending import (
    HELD_WORKSHOP,
    SUBJECTS,
    BatchResult,
    Invitee,
    SendResult,
    reminders_send,
    survey_send,
    surveys_close,
    surveys_send_due,
)

__all__ = [
    "BALLOT_SALT",
    "HELD_WORKSHOP",
    "SUBJECTS",
    "TOKEN_SALT",
    "AlreadyAnswered",
    "BatchResult",
    "Invitee",
    "SendResult",
    "SurveyClosed",
    "answer_url",
    "ballot_for",
    "comments_anonymize",
    "invitation_for_token",
    "reminders_send",
    "response_submit",
    "survey_send",
    "surveys_close",
    "surveys_send_due",
    "template_ensure",
    "token_for",
]
