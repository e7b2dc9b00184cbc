"""iCalendar building blocks shared by the apps (events, workshops).

Times are written in Europe/Helsinki with its VTIMEZONE; the organiser is the portal's sender.
"""

from __future__ import annotations

import datetime
import zoneinfo
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
PRODID = "-//Kuntaliitto and FCG//USO portal//FI"


def new_calendar(method: str, *, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Helsinki")
    return calendar


def new_event(
    *,
    uid: str,
    sequence: int,
    start: datetime.datetime,
    end: datetime.datetime,
    summary: str,
    description: str = "",
    location: str = "",
    url: str = "",
    status: str = "CONFIRMED",
) -> Event:
    vevent = Event()
    vevent.add("uid", uid)
    vevent.add("sequence", sequence)
    vevent.add("dtstamp", timezone.now())
    vevent.add("dtstart", start.astimezone(HELSINKI))
    vevent.add("dtend", end.astimezone(HELSINKI))
    vevent.add("summary", summary)
    if url:
        description = f"{description}\n\n{url}".strip()
        vevent.add("url", url)
    if description:
        vevent.add("description", description)
    if location:
        vevent.add("location", location)
    vevent.add("status", status)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or settings.PORTAL_NAME)
    vevent.add("organizer", organizer)
    return vevent


def attendee(email: str, name: str, *, declined: bool = False) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText("DECLINED" if declined else "ACCEPTED")
    return address


def to_bytes(calendar: Calendar) -> bytes:
    calendar.add_missing_timezones()
    return calendar.to_ical()
