"""iCalendar (RFC 5545) files of events: invitations, updates, cancellations and feeds.

Every event keeps one UID for its whole life; SEQUENCE grows with every change that matters to a
calendar (see `services.programme`).
"""

from __future__ import annotations

from collections.abc import Iterable

from uso_portal import ical

from .models import Event, EventStatus, Registration


def event_uid(event: Event) -> str:
    return f"{event.uid}@uso-portal"


def _vevent(event: Event, *, include_link: bool, cancelled: bool = False):
    status = "CANCELLED" if cancelled or event.status == EventStatus.CANCELLED else "CONFIRMED"
    if event.status == EventStatus.DRAFT:
        status = "TENTATIVE"
    return ical.new_event(
        uid=event_uid(event),
        sequence=event.sequence,
        start=event.start,
        end=event.end,
        summary=event.title,
        description=event.description,
        location=event.venue_address or str(event.get_format_display()),
        url=event.online_link if include_link else "",
        status=status,
    )


def invitation(registration: Registration, *, cancel: bool = False) -> bytes:
    """A personal invitation (METHOD:REQUEST) or its withdrawal (METHOD:CANCEL)."""
    calendar = ical.new_calendar("CANCEL" if cancel else "REQUEST")
    vevent = _vevent(registration.event, include_link=not cancel, cancelled=cancel)
    contact = registration.contact_person
    vevent.add("attendee", ical.attendee(contact.email, contact.name, declined=cancel))
    calendar.add_component(vevent)
    return ical.to_bytes(calendar)


def publication(events: Iterable[Event], *, include_links: bool, name: str = "") -> bytes:
    """A downloadable file or subscription feed (METHOD:PUBLISH) of one or more events."""
    calendar = ical.new_calendar("PUBLISH", name=name)
    for event in events:
        calendar.add_component(_vevent(event, include_link=include_links))
    return ical.to_bytes(calendar)
