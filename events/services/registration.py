"""Registrations: seats, the waitlist and attendance, safe under concurrency.

Every write that counts seats locks the event row first (`select_for_update`), so on PostgreSQL
simultaneous registrations and cancellations of one event are serialised: capacity and the
per-municipality cap always hold, and each freed seat promotes exactly one waitlisted person.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from municipalities.models import ContactPerson, ContactRole, Membership, MembershipStatus, User
from municipalities.services import contact_person_create

from .. import emails
from ..models import Attendance, Audience, Event, EventStatus, Registration, RegistrationStatus


def _is_staff(user: User) -> bool:
    return user.is_active and user.is_staff and user.municipality_id is None


def _locked(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _seat_counts(event: Event) -> tuple[int, dict[int, int]]:
    """Confirmed registrations in all and per municipality id."""
    per_municipality = dict(
        event.registrations.filter(status=RegistrationStatus.CONFIRMED)
        .values_list("municipality_id")
        .annotate(count=Count("id"))
        .values_list("municipality_id", "count")
    )
    return sum(per_municipality.values()), per_municipality


def _has_seat(event: Event, municipality_id: int, total: int, per_municipality: dict) -> bool:
    if event.capacity is not None and total >= event.capacity:
        return False
    cap = event.max_per_municipality
    return cap is None or per_municipality.get(municipality_id, 0) < cap


def municipality_places_taken(registration: Registration) -> bool:
    """Whether a registration waits because its municipality's places are taken (the event's
    cap per municipality) while the event itself still has seats."""
    event = registration.event
    total, per_municipality = _seat_counts(event)
    event_full = event.capacity is not None and total >= event.capacity
    return not event_full and not _has_seat(
        event, registration.municipality_id, total, per_municipality
    )


def _check_can_register(event: Event, contact: ContactPerson, *, staff: bool, now) -> None:
    if event.status == EventStatus.CANCELLED:
        raise ValidationError(_("The event has been cancelled."), code="event_cancelled")
    if not staff:
        if event.status != EventStatus.PUBLISHED:
            raise ValidationError(
                _("The event is not open for registration."), code="not_published"
            )
        if event.registration_opens and now < event.registration_opens:
            raise ValidationError(
                _("Registration opens on %(date)s.")
                % {
                    "date": date_format(
                        timezone.localtime(event.registration_opens), "SHORT_DATETIME_FORMAT"
                    )
                },
                code="not_open_yet",
            )
        if now >= event.registration_closes_at:
            raise ValidationError(_("Registration for this event has closed."), code="closed")
    is_member = Membership.objects.filter(
        municipality_id=contact.municipality_id,
        season_id=event.season_id,
        status=MembershipStatus.ACTIVE,
    ).exists()
    if not is_member:
        raise ValidationError(
            _("Only member municipalities of the season can register to its events."),
            code="not_member",
        )
    if event.audience == Audience.ELECTED_TRUSTEES and contact.role != ContactRole.ELECTED_TRUSTEE:
        raise ValidationError(
            _("This event is for elected trustees only; %(name)s is not an elected trustee.")
            % {"name": contact.name},
            code="not_eligible",
        )
    if (
        event.registrations.filter(contact_person=contact)
        .exclude(status=RegistrationStatus.CANCELLED)
        .exists()
    ):
        raise ValidationError(
            _("%(name)s is already registered to this event.") % {"name": contact.name},
            code="already_registered",
        )


def registration_check(*, event: Event, contact_person: ContactPerson, staff: bool) -> None:
    """The refusals `registration_create` would give, for forms to show before saving."""
    _check_can_register(event, contact_person, staff=staff, now=timezone.now())


@transaction.atomic
def registration_create(
    *,
    event: Event,
    contact_person: ContactPerson,
    actor: User,
    staff_override: bool = False,
    override_reason: str = "",
) -> Registration:
    """Register a person: confirmed if there is a seat, else on the waitlist.

    With `staff_override` (staff only) the person gets a seat whatever the limits say; the
    override is recorded with its reason.
    """
    staff = _is_staff(actor)
    if staff_override and not staff:
        raise PermissionDenied("Only staff can override registration limits.")
    if not staff and actor.municipality_id != contact_person.municipality_id:
        raise PermissionDenied("A contact person registers people of their own municipality.")
    event = _locked(event)
    now = timezone.now()
    _check_can_register(event, contact_person, staff=staff, now=now)
    total, per_municipality = _seat_counts(event)
    has_seat = _has_seat(event, contact_person.municipality_id, total, per_municipality)
    status = (
        RegistrationStatus.CONFIRMED
        if staff_override or has_seat
        else RegistrationStatus.WAITLISTED
    )
    registration = Registration(
        event=event,
        municipality_id=contact_person.municipality_id,
        contact_person=contact_person,
        status=status,
        registered_at=now,
        registered_by=actor,
        override_by=actor if staff_override else None,
        override_reason=override_reason if staff_override else "",
    )
    registration.full_clean()
    registration.save()
    kind = "confirmed" if status == RegistrationStatus.CONFIRMED else "waitlisted"
    emails.registration_email_queue(registration, kind)
    return registration


@transaction.atomic
def registration_create_for_new_person(
    *,
    event: Event,
    actor: User,
    name: str,
    email: str,
    title: str = "",
    role: str = ContactRole.OFFICIAL,
) -> Registration:
    """Add a person to the actor's municipality and register them, all or nothing."""
    if actor.municipality_id is None:
        raise PermissionDenied("Only a municipality's contact persons add their people.")
    contact = contact_person_create(
        municipality=actor.municipality, name=name, email=email, title=title, role=role
    )
    return registration_create(event=event, contact_person=contact, actor=actor)


def waitlist_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = registration.event.registrations.filter(status=RegistrationStatus.WAITLISTED).filter(
        Q(registered_at__lt=registration.registered_at)
        | Q(registered_at=registration.registered_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def _promote_waitlisted(event: Event) -> list[Registration]:
    """Give free seats to waitlisted people in registration order; call with the event locked.
    Each promoted person's message is queued in the outbox in the same transaction."""
    total, per_municipality = _seat_counts(event)
    promoted = []
    now = timezone.now()
    queue = event.registrations.filter(status=RegistrationStatus.WAITLISTED).order_by(
        "registered_at", "pk"
    )
    for candidate in queue.select_related("contact_person", "municipality"):
        if event.capacity is not None and total >= event.capacity:
            break
        if not _has_seat(event, candidate.municipality_id, total, per_municipality):
            continue
        candidate.status = RegistrationStatus.CONFIRMED
        candidate.promoted_at = now
        candidate.save(update_fields=["status", "promoted_at"])
        total += 1
        per_municipality[candidate.municipality_id] = (
            per_municipality.get(candidate.municipality_id, 0) + 1
        )
        promoted.append(candidate)
        emails.registration_email_queue(candidate, "promoted")
    return promoted


@transaction.atomic
def registration_cancel(*, registration: Registration, actor: User) -> list[Registration]:
    """Cancel a registration and promote from the waitlist; returns the promoted ones.

    A contact person can cancel until the event's cancellation deadline, staff always.
    """
    staff = _is_staff(actor)
    if not staff and actor.municipality_id != registration.municipality_id:
        raise PermissionDenied("A contact person cancels registrations of their own municipality.")
    event = _locked(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == RegistrationStatus.CANCELLED:
        raise ValidationError(
            _("The registration was already cancelled."), code="already_cancelled"
        )
    now = timezone.now()
    if not staff and now >= event.cancellation_deadline_at:
        raise ValidationError(
            _("The cancellation deadline has passed; contact the network's staff."),
            code="deadline_passed",
        )
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.cancelled_by = actor
    registration.attendance = ""
    registration.save(update_fields=["status", "cancelled_at", "cancelled_by", "attendance"])
    emails.registration_email_queue(registration, "cancelled")
    return _promote_waitlisted(event)


@transaction.atomic
def registrations_promote(*, event: Event) -> list[Registration]:
    """Fill seats freed by a larger capacity or cap (after staff edit the event)."""
    return _promote_waitlisted(_locked(event))


@transaction.atomic
def attendance_mark(*, registrations, attendance: str, actor: User) -> int:
    """Mark confirmed participants of started events present or absent; returns the count."""
    if not _is_staff(actor):
        raise PermissionDenied("Only staff mark attendance.")
    if attendance not in Attendance.values:
        raise ValidationError(_("Unknown attendance value."), code="invalid")
    registrations = Registration.objects.filter(pk__in=[r.pk for r in registrations])
    refused = registrations.exclude(status=RegistrationStatus.CONFIRMED).count()
    if refused:
        raise ValidationError(
            _("Attendance is marked for confirmed participants only (%(count)d selected are not).")
            % {"count": refused},
            code="not_confirmed",
        )
    not_started = registrations.filter(event__start__gt=timezone.now()).count()
    if not_started:
        raise ValidationError(
            _("Attendance is marked after the event has started."), code="not_started"
        )
    marked = 0
    for registration in registrations:  # one by one, so the audit history records each
        registration.attendance = attendance
        registration.save(update_fields=["attendance"])
        marked += 1
    return marked
