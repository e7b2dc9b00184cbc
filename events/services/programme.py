"""The season programme: saving events within the season's quotas, changes that reach the
participants' calendars, cancellation, reminders, announcements and calendar feeds."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities.models import Municipality, User

from .. import emails, selectors
from ..models import (
    Announcement,
    CalendarFeed,
    Event,
    EventKind,
    EventStatus,
    Registration,
    RegistrationStatus,
)
from .registration import registrations_promote

QUOTA_FIELDS = {
    EventKind.THEME_SEMINAR: "theme_seminar_quota",
    EventKind.TRUSTEE_TRAINING: "trustee_training_quota",
}
# A change to any of these reaches the participants' calendars (SEQUENCE grows).
CALENDAR_FIELDS = (
    "start",
    "end",
    "title_fi",
    "title_sv",
    "title_en",
    "description_fi",
    "description_sv",
    "description_en",
    "venue_address",
    "online_link",
    "format",
)


def quota_usage(*, season, kind: str, exclude_pk: int | None = None) -> tuple[int, int, int | None]:
    """(planned, held, quota) of a kind in a season; cancelled events do not count."""
    events = Event.objects.filter(season=season, kind=kind).exclude(status=EventStatus.CANCELLED)
    if exclude_pk:
        events = events.exclude(pk=exclude_pk)
    planned = events.exclude(status=EventStatus.HELD).count()
    held = events.filter(status=EventStatus.HELD).count()
    field = QUOTA_FIELDS.get(kind)
    return planned, held, getattr(season, field) if field else None


def quota_problem(
    *, season, kind: str, status: str, pk: int | None, previous: Event | None
) -> str | None:
    """Why saving this event would exceed the season's quota, or None if it would not."""
    if kind not in QUOTA_FIELDS or status == EventStatus.CANCELLED:
        return None
    counted_before = (
        previous is not None
        and previous.kind == kind
        and previous.season_id == season.pk
        and previous.status != EventStatus.CANCELLED
    )
    if counted_before:
        return None
    planned, held, quota = quota_usage(season=season, kind=kind, exclude_pk=pk)
    if planned + held < quota:
        return None
    return _(
        "The season already has %(count)d events of this kind and its quota is %(quota)d. "
        "Confirm that you want to exceed the quota to save it."
    ) % {"count": planned + held, "quota": quota}


def _check_quota(event: Event, previous: Event | None, *, actor: User, confirm: bool) -> None:
    problem = quota_problem(
        season=event.season, kind=event.kind, status=event.status, pk=event.pk, previous=previous
    )
    if problem is None:
        return
    if not confirm:
        raise ValidationError(problem, code="quota_exceeded")
    event.over_quota_confirmed_by = actor
    event.over_quota_confirmed_at = timezone.now()


@transaction.atomic
def event_save(*, event: Event, actor: User, confirm_over_quota: bool = False) -> Event:
    """Create or change an event.

    A seventh theme seminar (or third trustee training) needs `confirm_over_quota`, which is
    recorded. A change that matters to calendars increments SEQUENCE and, after commit, sends
    the confirmed participants an updated invitation. A larger capacity promotes waitlisted
    people.
    """
    previous = Event.objects.select_for_update().filter(pk=event.pk).first() if event.pk else None
    _check_quota(event, previous, actor=actor, confirm=confirm_over_quota)
    changed = previous is not None and any(
        getattr(previous, field) != getattr(event, field) for field in CALENDAR_FIELDS
    )
    if previous is not None:
        # From the stored row, never from the caller's copy: SEQUENCE must not go back.
        event.sequence = previous.sequence + (1 if changed else 0)
    event.full_clean()
    event.save()
    if changed and event.status == EventStatus.PUBLISHED:
        _notify(event, "updated", statuses=[RegistrationStatus.CONFIRMED])
    limits_grew = previous is not None and (
        (previous.capacity or 0, previous.max_per_municipality or 0)
        != (event.capacity or 0, event.max_per_municipality or 0)
    )
    if limits_grew:
        registrations_promote(event=event)
    return event


def _notify(event: Event, kind: str, *, statuses: list[str]) -> None:
    """Queue the message to every registration in these statuses (one outbox row each)."""
    registrations = event.registrations.filter(status__in=statuses).select_related(
        "contact_person", "municipality", "event"
    )
    for registration in registrations:
        emails.registration_email_queue(registration, kind)


@transaction.atomic
def event_send_update(*, event: Event) -> int:
    """Send the confirmed participants the current invitation again (same UID and SEQUENCE)."""
    count = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
    _notify(event, "updated", statuses=[RegistrationStatus.CONFIRMED])
    return count


@transaction.atomic
def event_cancel(*, event: Event, actor: User) -> int:
    """Cancel an event and tell everybody registered (METHOD:CANCEL); returns how many."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("The event was already cancelled."), code="already_cancelled")
    if event.status == EventStatus.HELD:
        raise ValidationError(_("A held event cannot be cancelled."), code="held")
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    event.save(update_fields=["status", "sequence", "updated_at"])
    statuses = [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    _notify(event, "event_cancelled", statuses=statuses)
    return event.registrations.filter(status__in=statuses).count()


def reminders_send(*, now: datetime.datetime | None = None, days: int | None = None) -> int:
    """Remind confirmed participants of published events starting within `days`; returns how
    many reminders were queued.

    Each registration is claimed with a conditional update in the same transaction that queues
    its reminder in the outbox, so two runs at once, or a run repeated, never remind anybody
    twice, and a reminder is never lost: the outbox sends (and retries) it.
    """
    now = now or timezone.now()
    days = settings.EVENT_REMINDER_DAYS if days is None else days
    due = Registration.objects.filter(
        status=RegistrationStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        event__status=EventStatus.PUBLISHED,
        event__start__gt=now,
        event__start__lte=now + datetime.timedelta(days=days),
    ).select_related("event", "contact_person", "municipality")
    queued = 0
    for registration in due:
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=registration.pk, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if claimed and emails.registration_email_queue(registration, "reminder"):
                queued += 1
    return queued


@transaction.atomic
def announcement_publish(*, announcement: Announcement, email: bool) -> int:
    """Publish to the season's members; with `email`, tell their contact persons once."""
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.published_at is None:
        announcement.published_at = timezone.now()
    recipients: list[tuple[str, str]] = []
    if email and announcement.emailed_at is None:
        recipients = selectors.announcement_recipients(announcement=announcement)
        announcement.emailed_at = timezone.now()
    announcement.save(update_fields=["published_at", "emailed_at"])
    for address, language in recipients:
        emails.announcement_email_queue(announcement, to=address, language=language)
    return len(recipients)


@transaction.atomic
def calendar_feed_renew(*, municipality: Municipality, actor: User) -> CalendarFeed:
    """A new secret feed address for the municipality; the previous one stops working."""
    if actor.municipality_id not in (None, municipality.pk):
        raise PermissionDenied("Not your municipality's feed.")
    Municipality.objects.select_for_update().get(pk=municipality.pk)
    calendar_feed_revoke(municipality=municipality)
    return CalendarFeed.objects.create(municipality=municipality, created_by=actor)


def calendar_feed_revoke(*, municipality: Municipality) -> int:
    return CalendarFeed.objects.filter(municipality=municipality, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
