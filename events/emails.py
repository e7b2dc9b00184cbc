"""E-mails to participants and contact persons, in the municipality's language.

Each message has a plain-text and an HTML part; registration messages carry an `.ics`
invitation (REQUEST) or its withdrawal (CANCEL). Services call these after their transaction
commits (`transaction.on_commit`), so nobody is told about something that was rolled back.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

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
INVITATION = {"confirmed", "promoted", "updated", "reminder"}
WITHDRAWAL = {"cancelled", "event_cancelled"}


def _absolute(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def _send(*, to: str, subject: str, template: str, context: dict, attachment=None) -> None:
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    if attachment:
        filename, content, mimetype = attachment
        message.attach(filename, content, mimetype)
    message.send()


def send_registration_email(registration: Registration, kind: str) -> bool:
    """Tell a participant about their registration; False when they have no address."""
    contact = registration.contact_person
    if not contact.email:
        logger.info("registration %s: %s not sent, no e-mail address", registration.pk, kind)
        return False
    event = registration.event
    language = registration.municipality.preferred_language
    with translation.override(language):
        attachment = None
        if kind in INVITATION | WITHDRAWAL:
            cancel = kind in WITHDRAWAL
            method = "CANCEL" if cancel else "REQUEST"
            attachment = (
                "invite.ics",
                calendar.invitation(registration, cancel=cancel),
                f"text/calendar; method={method}; charset=UTF-8",
            )
        context = {
            "kind": kind,
            "registration": registration,
            "event": event,
            "show_link": kind in INVITATION,
            "event_url": _absolute(reverse("events:event_detail", args=[event.pk])),
            "language": language,
        }
        _send(
            to=contact.email,
            subject=str(SUBJECTS[kind] % {"event": event.title}),
            template="events/email/registration",
            context=context,
            attachment=attachment,
        )
    return True


def send_announcement_email(announcement: Announcement, *, to: str, language: str) -> None:
    with translation.override(language):
        context = {
            "announcement": announcement,
            "url": _absolute(reverse("events:announcement_detail", args=[announcement.pk])),
        }
        _send(
            to=to,
            subject=str(_("USO network: %(title)s") % {"title": announcement.title}),
            template="events/email/announcement",
            context=context,
        )
