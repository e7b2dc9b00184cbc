"""Deleting programme objects in the admin without breaking what depends on them.

A registration is never deleted (it is cancelled: `registration_cancel` promotes from the
waitlist and tells the people). An event with registrations cannot be deleted (cancel it); an
event without any, a material, an announcement or an attachment can, and their stored files go
with them after commit, so nothing is left orphaned on disk.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from uso_portal.uploads import delete_after_commit

from ..models import Announcement, AnnouncementAttachment, Event, EventMaterial


def event_delete_problems(event: Event) -> list[str]:
    """Why `event` cannot be deleted (empty when it can)."""
    count = event.registrations.count()
    if count:
        return [
            _(
                "%(event)s has %(count)d registration(s): cancel the event instead, which "
                "tells the people registered."
            )
            % {"event": event, "count": count}
        ]
    return []


@transaction.atomic
def event_delete(*, event: Event) -> None:
    event = Event.objects.select_for_update().get(pk=event.pk)
    problems = event_delete_problems(event)
    if problems:
        raise ValidationError(problems, code="has_registrations")
    for material in event.materials.all():
        event_material_delete(material=material)
    event.delete()


@transaction.atomic
def event_material_delete(*, material: EventMaterial) -> None:
    delete_after_commit(material.file)
    material.delete()


@transaction.atomic
def announcement_delete(*, announcement: Announcement) -> None:
    for attachment in announcement.attachments.all():
        announcement_attachment_delete(attachment=attachment)
    announcement.delete()


@transaction.atomic
def announcement_attachment_delete(*, attachment: AnnouncementAttachment) -> None:
    delete_after_commit(attachment.file)
    attachment.delete()


def replaced_file_delete(*, instance, field: str = "file") -> None:
    """When a form replaced the stored file of `instance`, remove the old one after commit."""
    if instance.pk is None:
        return
    previous = type(instance).objects.filter(pk=instance.pk).values_list(field, flat=True).first()
    current = getattr(instance, field)
    if previous and previous != current.name:
        old = type(instance)(pk=instance.pk)
        setattr(old, field, previous)
        delete_after_commit(getattr(old, field))
