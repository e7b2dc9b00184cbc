"""Notifications to the other side of a workshop: the municipality's contacts when the
consultant or staff act, the responsible consultant when the municipality acts. Each is a row
of the outbox, queued in the service's transaction and sent after commit."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from municipalities.models import User
from outbox.services import mail_enqueue

from .models import Workshop

SUBJECTS = {
    "proposed": _("New workshop proposal: %(title)s"),
    "planned": _("Workshop planned: %(title)s"),
    "scheduled": _("Workshop scheduled: %(title)s"),
    "held": _("Workshop held: %(title)s"),
    "reported": _("Workshop report delivered: %(title)s"),
    "cancelled": _("Workshop cancelled: %(title)s"),
    "deliverable": _("New file in the workshop: %(title)s"),
    "comment": _("New comment on the workshop: %(title)s"),
}


def recipients(workshop: Workshop, actor: User) -> list[tuple[str, str]]:
    """(address, language) of the side that did not act."""
    municipality = workshop.membership.municipality
    if actor.municipality_id == municipality.pk:
        consultant = workshop.responsible_consultant or workshop.membership.responsible_consultant
        if consultant is None or not consultant.is_active:
            return []
        return [(consultant.email, consultant.language or settings.LANGUAGE_CODE)]
    users = User.objects.filter(municipality=municipality, is_active=True).exclude(pk=actor.pk)
    return [(user.email, user.language or municipality.preferred_language) for user in users]


def notify(workshop: Workshop, kind: str, *, actor: User, note: str = "") -> int:
    """Queue the notification to each person of the other side; returns how many."""
    path = reverse("workshops:workshop_detail", args=[workshop.pk])
    told = 0
    for address, language in recipients(workshop, actor):
        with translation.override(language):
            subject = str(SUBJECTS[kind] % {"title": workshop.title})
        mail_enqueue(
            to=address,
            subject=subject,
            text_template="workshops/email/notification.txt",
            html_template="workshops/email/notification.html",
            context={
                "workshop": workshop,
                "kind": kind,
                "actor": actor,
                "note": note,
                "url": f"{settings.PORTAL_BASE_URL}{path}",
                "language": language,
            },
            language=language,
            kind=f"workshops.{kind}",
            about=workshop,
        )
        told += 1
    return told
