"""Exports for the network's reporting: participant lists and attendance per municipality."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities.models import Membership, Season, User
from uso_portal import spreadsheets, xlsx

from .models import Event, EventStatus, Registration, RegistrationStatus


def participant_rows(event: Event, *, user: User) -> tuple[list[str], list[list[str]]]:
    """The participants of an event the user may see (a consultant: of their municipalities)."""
    header = [_("Name"), _("Municipality"), _("Role"), _("Title"), _("Status"), _("Attendance")]
    registrations = (
        Registration.objects.visible_to(user)
        .filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("contact_person", "municipality")
        .order_by("municipality__name_fi", "contact_person__name")
    )
    rows = [
        [
            registration.contact_person.name,
            registration.municipality.name,
            str(registration.contact_person.get_role_display()),
            registration.contact_person.title,
            str(registration.get_status_display()),
            str(registration.get_attendance_display()) if registration.attendance else "",
        ]
        for registration in registrations
    ]
    return header, rows


def participants_csv(event: Event, *, user: User) -> bytes:
    header, rows = participant_rows(event, user=user)
    return spreadsheets.csv_bytes(header, rows)  # typed names and titles: never a formula


def participants_xlsx(events: QuerySet[Event] | list[Event], *, user: User) -> bytes:
    workbook = xlsx.new_workbook()
    for event in events:
        header, rows = participant_rows(event, user=user)
        title = f"{timezone.localtime(event.start):%Y-%m-%d} {event.title}"
        xlsx.add_sheet(workbook, title, header, rows)
    return xlsx.to_bytes(workbook)


def attendance_xlsx(season: Season, *, user: User) -> bytes:
    """One row per member municipality the user may see, one column per event held or published
    in the past: the number of participants present, then totals."""
    events = list(
        Event.objects.filter(season=season, start__lte=timezone.now())
        .exclude(status__in=[EventStatus.CANCELLED, EventStatus.DRAFT])
        .order_by("start")
    )
    present: dict[tuple[int, int], int] = defaultdict(int)
    registered: dict[tuple[int, int], int] = defaultdict(int)
    for municipality_id, event_id, attendance in (
        Registration.objects.visible_to(user)
        .filter(event__in=events, status=RegistrationStatus.CONFIRMED)
        .values_list("municipality_id", "event_id", "attendance")
    ):
        registered[municipality_id, event_id] += 1
        present[municipality_id, event_id] += attendance == "present"
    memberships = (
        Membership.objects.visible_to(user)
        .filter(season=season)
        .select_related("municipality")
        .order_by("municipality__name_fi")
    )
    header = [_("Code"), _("Municipality")]
    for event in events:
        header.append(f"{timezone.localtime(event.start):%d.%m.%Y} {event.title}")
    header += [_("Present in all"), _("Registered in all"), _("Events attended")]
    rows = []
    for membership in memberships:
        municipality = membership.municipality
        counts = [present[municipality.pk, event.pk] for event in events]
        rows.append(
            [
                municipality.code,
                municipality.name,
                *counts,
                sum(counts),
                sum(registered[municipality.pk, event.pk] for event in events),
                sum(1 for count in counts if count),
            ]
        )
    workbook = xlsx.new_workbook()
    xlsx.add_sheet(workbook, _("Attendance"), header, rows)
    return xlsx.to_bytes(workbook)
