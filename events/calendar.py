"""iCalendar (RFC 5545) files of events: invitations, updates, cancellations and feeds.

Every event keeps one UID for its whole life; SEQUENCE grows with every change that matters to a
calendar (see `services.programme`). Times are written in Europe/Helsinki with its VTIMEZONE.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone, translation
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from .models import Event, EventStatus, Registration

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
PRODID = "-//Kuntaliitto and FCG//USO portal//FI"


def event_uid(event: Event) -> str:
    return f"{event.uid}@uso-portal"


def _location(event: Event) -> str:
    if event.venue_address:
        return event.venue_address
    return str(event.get_format_display())


def _vevent(event: Event, *, include_link: bool, cancelled: bool = False) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", event_uid(event))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", timezone.now())
    vevent.add("dtstart", event.start.astimezone(HELSINKI))
    vevent.add("dtend", event.end.astimezone(HELSINKI))
    vevent.add("summary", event.title)
    description = event.description
    if include_link and event.online_link:
        description = f"{description}\n\n{event.online_link}".strip()
        vevent.add("url", event.online_link)
    if description:
        vevent.add("description", description)
    vevent.add("location", _location(event))
    status = "CANCELLED" if cancelled or event.status == EventStatus.CANCELLED else "CONFIRMED"
    if event.status == EventStatus.DRAFT:
        status = "TENTATIVE"
    vevent.add("status", status)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or settings.PORTAL_NAME)
    vevent.add("organizer", organizer)
    return vevent


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def invitation(registration: Registration, *, cancel: bool = False) -> bytes:
    """A personal invitation (METHOD:REQUEST) or its withdrawal (METHOD:CANCEL)."""
    event = registration.event
    calendar = _calendar("CANCEL" if cancel else "REQUEST")
    vevent = _vevent(event, include_link=not cancel, cancelled=cancel)
    contact = registration.contact_person
    attendee = vCalAddress(f"mailto:{contact.email}")
    attendee.params["cn"] = vText(contact.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("DECLINED" if cancel else "ACCEPTED")
    vevent.add("attendee", attendee)
    calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def publication(events: Iterable[Event], *, include_links: bool, name: str = "") -> bytes:
    """A downloadable file or subscription feed (METHOD:PUBLISH) of one or more events."""
    calendar = _calendar("PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Helsinki")
    for event in events:
        calendar.add_component(_vevent(event, include_link=include_links))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def in_language(language: str, build, *args, **kwargs) -> bytes:
    with translation.override(language):
        return build(*args, **kwargs)
