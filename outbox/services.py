"""Writes of the outbox: queue a message with the change that causes it, send it after commit.

`mail_enqueue` (render templates in the recipient's language, then queue) and `message_queue`
(queue what is already rendered) are the only ways the portal sends e-mail. Both write one row
per recipient inside the caller's transaction and ask the task backend, after commit, to send
it (`tasks.send_message`). Sending is `message_send`: it claims the row with a lease, sends
through the default mailer and records the outcome; it never raises. A failure is retried with
exponential backoff up to `OUTBOX_MAX_ATTEMPTS`: by a deferred task where the backend can defer
(django-tasks-db), and by `manage.py send_outbox` (cron) in every configuration, which also takes
back messages whose sender died mid-send (a "sending" row whose lease ran out).

Header injection is impossible by construction: subjects are made one line (control characters
become spaces), a recipient is one validated address, and an invalid one is recorded as given
up with the reason instead of raising into the change that caused it.
"""

from __future__ import annotations

import base64
import datetime
import logging
import smtplib
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.core.mail.utils import DNS_NAME
from django.core.validators import validate_email
from django.db import models, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Message, MessageStatus

logger = logging.getLogger(__name__)

SUBJECT_MAX = 255
ERROR_MAX = 2000
WAITING = [MessageStatus.QUEUED, MessageStatus.RETRY]
INTERRUPTED = gettext_lazy("The sender stopped during this attempt (its lease ran out).")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes | str
    mimetype: str


# --- Making messages safe -------------------------------------------------------------------


def _is_control(character: str) -> bool:
    # Cc: C0/C1 controls (CR, LF, TAB, NUL, …), Cf: format characters, Zl/Zp: the Unicode line
    # and paragraph separators, which mail clients also break lines at.
    return unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp")


def one_line(text: str, *, limit: int = SUBJECT_MAX) -> str:
    """Text for a header: control characters become spaces, runs of spaces one, at most `limit`
    characters (an ellipsis marks a cut)."""
    flat = "".join(" " if _is_control(character) else character for character in str(text))
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def address_problem(address: str) -> str | None:
    """Why `address` is not one deliverable e-mail address, or None."""
    if not address:
        return _("No e-mail address.")
    if any(_is_control(character) or character.isspace() for character in address):
        return _("The address contains spaces or control characters.")
    if any(character in address for character in ",;<>\"'()[]\\"):
        return _("The address is not a single plain address.")
    try:
        validate_email(address)
    except ValidationError:
        return _("Not a valid e-mail address.")
    return None


def _encode(attachment: Attachment) -> dict:
    content = attachment.content
    raw = content.encode() if isinstance(content, str) else bytes(content)
    return {
        "filename": one_line(attachment.filename, limit=100) or "attachment",
        "mimetype": one_line(attachment.mimetype, limit=100) or "application/octet-stream",
        "content": base64.b64encode(raw).decode("ascii"),
    }


# --- Queueing -------------------------------------------------------------------------------


def message_queue(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    attachments: Sequence[Attachment] = (),
    language: str = "",
    kind: str,
    about: models.Model | None = None,
    sensitive: bool = False,
) -> Message:
    """Queue one rendered message to one recipient; it is sent after the caller's transaction
    commits (and never if it rolls back). An invalid address is recorded as given up."""
    now = timezone.now()
    recipient = str(to).strip()
    problem = address_problem(recipient)
    message = Message(
        recipient=recipient[:320],
        subject=one_line(subject),
        text=str(text),
        html=str(html),
        attachments=[_encode(attachment) for attachment in attachments],
        language=language or "",
        message_id=make_msgid(domain=DNS_NAME),
        kind=kind,
        sensitive=sensitive,
        created_at=now,
    )
    if about is not None and about.pk is not None:
        message.about_type = ContentType.objects.get_for_model(about)
        message.about_id = about.pk
        message.about_label = one_line(str(about))
    if problem:
        message.status = MessageStatus.GIVEN_UP
        message.last_error = problem
        logger.warning("outbox: %s to %r given up: %s", kind, recipient, problem)
    else:
        message.status = MessageStatus.QUEUED
        message.next_attempt_at = now
    message.full_clean()
    message.save()
    if not problem:
        pk = message.pk
        transaction.on_commit(lambda: _enqueue(pk))
    return message


def mail_enqueue(
    *,
    to: str,
    subject: str,
    text_template: str,
    context: dict,
    language: str,
    kind: str,
    html_template: str | None = None,
    attachments: Sequence[Attachment] = (),
    about: models.Model | None = None,
    sensitive: bool = False,
) -> Message:
    """Render the templates in `language` and queue the message (see `message_queue`).

    A subject that depends on the language (a translated text with a localized title) is made
    by the caller inside `translation.override(language)`; a lazy text is translated here.
    """
    with translation.override(language):
        text = render_to_string(text_template, context)
        html = render_to_string(html_template, context) if html_template else ""
        subject = str(subject)
    return message_queue(
        to=to,
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        language=language,
        kind=kind,
        about=about,
        sensitive=sensitive,
    )


def _enqueue(pk: int, *, run_after: datetime.datetime | None = None) -> None:
    """Hand a message to the task backend; `send_outbox` sends it if this fails."""
    from django.tasks import task_backends

    from .tasks import send_message

    try:
        if run_after is not None:
            if not task_backends[send_message.backend].supports_defer:
                return  # the immediate backend cannot wait: send_outbox retries
            send_message.using(run_after=run_after).enqueue(pk)
        else:
            send_message.enqueue(pk)
    except Exception:
        logger.exception("outbox: message %s could not be handed to the task backend", pk)


# --- Sending --------------------------------------------------------------------------------


def retry_delay(attempts: int) -> datetime.timedelta:
    """Exponential backoff after the n-th failed attempt: base, 2 × base, 4 × base, … up to the
    cap (OUTBOX_RETRY_SECONDS, OUTBOX_RETRY_MAX_SECONDS)."""
    base, cap = settings.OUTBOX_RETRY_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS
    exponent = max(attempts - 1, 0)
    seconds = cap if exponent > 30 else min(base * 2**exponent, cap)
    return datetime.timedelta(seconds=seconds)


def _due(now: datetime.datetime) -> Q:
    return Q(status__in=WAITING, next_attempt_at__lte=now)


def leases_release(*, now: datetime.datetime | None = None) -> int:
    """Take back messages whose sender died mid-send ("sending" past its lease): retried at
    once, or given up when that was the last attempt. Returns how many."""
    now = now or timezone.now()
    stale = Message.objects.filter(status=MessageStatus.SENDING, claimed_until__lt=now)
    released = {"last_error": str(INTERRUPTED), "claim": "", "claimed_until": None}
    given_up = stale.filter(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
        status=MessageStatus.GIVEN_UP, next_attempt_at=None, **released
    )
    retried = stale.update(status=MessageStatus.RETRY, next_attempt_at=now, **released)
    if given_up or retried:
        logger.warning("outbox: %d interrupted message(s) taken back", given_up + retried)
    return given_up + retried


def _claim(pk: int, now: datetime.datetime) -> str | None:
    token = uuid.uuid4().hex
    lease = datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    claimed = Message.objects.filter(_due(now), pk=pk).update(
        status=MessageStatus.SENDING,
        claim=token,
        claimed_until=now + lease,
        attempts=F("attempts") + 1,
    )
    return token if claimed else None


def _email(message: Message) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=one_line(message.subject),
        body=message.text,
        to=[message.recipient],
        headers={"Message-ID": message.message_id, "Auto-Submitted": "auto-generated"},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        email.attach(
            attachment["filename"],
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    return email


def _is_permanent(error: Exception) -> bool:
    """A refusal that another attempt cannot change (a 5xx answer, an unusable address)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _reason in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPServerDisconnected)
    return isinstance(error, ValueError | UnicodeError)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:ERROR_MAX]


def message_send(*, message_id: int, now: datetime.datetime | None = None) -> str | None:
    """Send one message if it is due; returns its new status, or None if it was not due (sent
    already, claimed by another sender, or waiting for a later attempt). Never raises."""
    now = now or timezone.now()
    try:
        token = _claim(message_id, now)
        if token is None:
            return None
        message = Message.objects.get(pk=message_id)
    except Exception:
        logger.exception("outbox: message %s could not be claimed", message_id)
        return None
    try:
        _email(message).send()
    except Exception as error:
        return _record_failure(message, token, error, now=now)
    return _record_sent(message, token)


def _record_sent(message: Message, token: str) -> str:
    erased = {"text": "", "html": "", "attachments": []} if message.sensitive else {}
    Message.objects.filter(pk=message.pk, claim=token).update(
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        claim="",
        claimed_until=None,
        next_attempt_at=None,
        **erased,
    )
    return MessageStatus.SENT


def _record_failure(
    message: Message, token: str, error: Exception, *, now: datetime.datetime
) -> str:
    attempts = message.attempts  # counted when it was claimed
    permanent = _is_permanent(error)
    if permanent or attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        status, next_attempt = MessageStatus.GIVEN_UP, None
    else:
        status, next_attempt = MessageStatus.RETRY, now + retry_delay(attempts)
    logger.warning(
        "outbox: message %s (%s) attempt %d failed: %s; %s",
        message.pk,
        message.kind,
        attempts,
        _describe(error),
        status,
    )
    updated = Message.objects.filter(pk=message.pk, claim=token).update(
        status=status,
        last_error=_describe(error),
        next_attempt_at=next_attempt,
        claim="",
        claimed_until=None,
    )
    if updated and next_attempt is not None:
        _enqueue(message.pk, run_after=next_attempt)
    return status


@dataclass
class SendReport:
    sent: int = 0
    retry: int = 0
    given_up: int = 0
    waiting: int = 0
    released: int = 0


def messages_send_due(*, now: datetime.datetime | None = None, limit: int = 1000) -> SendReport:
    """Send every due message, oldest first, one at a time (`manage.py send_outbox`)."""
    now = now or timezone.now()
    report = SendReport(released=leases_release(now=now))
    due = Message.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        status = message_send(message_id=pk, now=now)
        if status == MessageStatus.SENT:
            report.sent += 1
        elif status == MessageStatus.RETRY:
            report.retry += 1
        elif status == MessageStatus.GIVEN_UP:
            report.given_up += 1
    report.waiting = Message.objects.filter(status__in=[*WAITING, MessageStatus.SENDING]).count()
    return report


def messages_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete sent and given-up messages older than OUTBOX_KEEP_DAYS (personal data)."""
    now = now or timezone.now()
    before = now - datetime.timedelta(days=settings.OUTBOX_KEEP_DAYS)
    old = Message.objects.filter(
        status__in=[MessageStatus.SENT, MessageStatus.GIVEN_UP], created_at__lt=before
    )
    Message.objects.filter(resend_of__in=old).update(resend_of=None)
    return old.delete()[0]


def messages_about_delete(*, model: type[models.Model], pks) -> int:
    """Delete the messages about these objects (used when their personal data goes)."""
    about_type = ContentType.objects.get_for_model(model)
    messages = Message.objects.filter(about_type=about_type, about_id__in=pks)
    Message.objects.filter(resend_of__in=messages).update(resend_of=None)
    return messages.delete()[0]


# --- Staff ----------------------------------------------------------------------------------


@transaction.atomic
def message_resend(*, message: Message, actor) -> Message:
    """Staff's "send again": a failed or given-up message goes back to the queue (its attempts
    start again); a sent one is copied into a new message. Refused while it is on its way, and
    for a sent message whose one-time link was erased."""
    if not actor.has_perm("outbox.resend_message"):
        raise ValidationError(_("You may not send messages again."), code="not_allowed")
    message = Message.objects.select_for_update().get(pk=message.pk)
    now = timezone.now()
    if message.status in (MessageStatus.QUEUED, MessageStatus.SENDING):
        raise ValidationError(_("The message is already on its way."), code="on_its_way")
    problem = address_problem(message.recipient)
    if problem:
        raise ValidationError(
            _("It cannot be sent: %(problem)s") % {"problem": problem}, code="bad_address"
        )
    if message.status == MessageStatus.SENT:
        if message.sensitive:
            raise ValidationError(
                _(
                    "It contained a one-time link, which was erased once it was sent; "
                    "the person can ask for a new one."
                ),
                code="erased",
            )
        copy = Message(
            recipient=message.recipient,
            subject=message.subject,
            text=message.text,
            html=message.html,
            attachments=message.attachments,
            language=message.language,
            message_id=make_msgid(domain=DNS_NAME),
            kind=message.kind,
            about_type_id=message.about_type_id,
            about_id=message.about_id,
            about_label=message.about_label,
            resend_of=message,
            resent_by=actor,
            resent_at=now,
            next_attempt_at=now,
            created_at=now,
        )
        copy.full_clean()
        copy.save()
        target = copy
    else:
        message.status = MessageStatus.QUEUED
        message.attempts = 0
        message.next_attempt_at = now
        message.resent_by = actor
        message.resent_at = now
        message.save(
            update_fields=["status", "attempts", "next_attempt_at", "resent_by", "resent_at"]
        )
        target = message
    pk = target.pk
    transaction.on_commit(lambda: _enqueue(pk))
    return target
