"""E-mails to participants and contact persons, in the municipality's language.

Each message has a plain-text and an HTML part; registration messages carry an `.ics`
invitation (REQUEST) or its withdrawal (CANCEL). They are queued in the outbox inside the
services' transactions and sent after commit (`outbox.services`), so nobody is told about
something that was rolled back, and a mail server that is down delays them without failing the
change.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from outbox.models import Message
from outbox.services import Attachment, mail_enqueue

from . import calendar
from .models import Announcement, Registration

logger = logging.getLogger(__name__)

SUBJECTS = {
    "confirmed": _("Registration confirmed: %(event)s"),
    "waitlisted": _("On the waitlist: %(event)s"),
    "promoted": _("A seat became free – registration confirmed: %(event)s"),
    "cancelled": _("Registration cancelled: %(event)s"),
    "updated": _("Changed: %(event)s"),
    "event_cancelled": _("Cancelled: %(event)s"),
    "reminder": _("Reminder: %(event)s"),
}
ANNOUNCEMENT_TEXT = "events/email/announcement.txt"
INVITATION = {"confirmed", "promoted", "updated", "reminder"}
WITHDRAWAL = {"cancelled", "event_cancelled"}


def _absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def registration_email_queue(registration: Registration, kind: str) -> Message | None:
    """Queue a participant's message about their registration; None when they have no address."""
    contact = registration.contact_person
    if not contact.email:
        logger.info("registration %s: %s not sent, no e-mail address", registration.pk, kind)
        return None
    from .services.registration import municipality_places_taken

    event = registration.event
    language = registration.municipality.preferred_language
    with translation.override(language):
        attachments = []
        if kind in INVITATION | WITHDRAWAL:
            cancel = kind in WITHDRAWAL
            method = "CANCEL" if cancel else "REQUEST"
            attachments.append(
                Attachment(
                    "invite.ics",
                    calendar.invitation(registration, cancel=cancel),
                    f"text/calendar; method={method}; charset=UTF-8",
                )
            )
        context = {
            "kind": kind,
            "registration": registration,
            "event": event,
            "show_link": kind in INVITATION,
            "places_taken": kind == "waitlisted" and municipality_places_taken(registration),
            "event_url": _absolute(reverse("events:event_detail", args=[event.pk])),
            "language": language,
        }
        subject = str(SUBJECTS[kind] % {"event": event.title})
    return mail_enqueue(
        to=contact.email,
        subject=subject,
        text_template="events/email/registration.txt",
        html_template="events/email/registration.html",
        context=context,
        language=language,
        attachments=attachments,
        kind=f"events.{kind}",
        about=registration,
    )


def _announcement_message(announcement: Announcement, language: str) -> tuple[str, dict]:
    with translation.override(language):
        context = {
            "announcement": announcement,
            "url": _absolute(reverse("events:announcement_detail", args=[announcement.pk])),
        }
        subject = str(_("USO network: %(title)s") % {"title": announcement.title})
    return subject, context


def announcement_email_preview(announcement: Announcement, *, language: str) -> tuple[str, str]:
    """The subject and the text that `announcement_email_queue` would send in `language`."""
    subject, context = _announcement_message(announcement, language)
    with translation.override(language):
        return subject, render_to_string(ANNOUNCEMENT_TEXT, context)


def announcement_email_queue(announcement: Announcement, *, to: str, language: str) -> Message:
    subject, context = _announcement_message(announcement, language)
    return mail_enqueue(
        to=to,
        subject=subject,
        text_template=ANNOUNCEMENT_TEXT,
        html_template="events/email/announcement.html",
        context=context,
        language=language,
        kind="events.announcement",
        about=announcement,
    )
