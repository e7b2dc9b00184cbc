"""Notifications to the other side of a workshop: the municipality's contacts when the
consultant or staff act, the responsible consultant when the municipality acts."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from municipalities.models import User

from .models import Workshop

logger = logging.getLogger(__name__)

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
    sent = 0
    path = reverse("workshops:workshop_detail", args=[workshop.pk])
    for address, language in recipients(workshop, actor):
        with translation.override(language):
            context = {
                "workshop": workshop,
                "kind": kind,
                "actor": actor,
                "note": note,
                "url": f"{settings.PORTAL_BASE_URL}{path}",
                "language": language,
            }
            message = EmailMultiAlternatives(
                subject=str(SUBJECTS[kind] % {"title": workshop.title}),
                body=render_to_string("workshops/email/notification.txt", context),
                to=[address],
            )
            message.attach_alternative(
                render_to_string("workshops/email/notification.html", context), "text/html"
            )
            try:
                message.send()
            except Exception:
                logger.exception(
                    "workshop %s: %s notification to %s failed", workshop.pk, kind, address
                )
            else:
                sent += 1
    return sent
