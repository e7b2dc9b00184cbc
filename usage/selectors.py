"""What the season gives a member and what the member has used: one membership's
entitlements, in a constant number of queries.

An event counts as held when staff have marked it held, or when it was published and has
ended (attendance may then be unmarked). Cancelled and draft events do not count. The
entitlement of a kind is the season's quota where the season has one (six theme seminars, two
trainings for elected trustees, four foresight sessions), else the number of events of that
kind in the season's published programme (current-affairs reviews, peer events)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from events.models import Attendance, Event, EventKind, EventStatus, RegistrationStatus
from municipalities.models import Membership, Season
from workshops.models import COUNTED_STATUSES, WorkshopStatus
from workshops.selectors import Quota

QUOTA_FIELDS = {
    EventKind.THEME_SEMINAR: "theme_seminar_quota",
    EventKind.TRUSTEE_TRAINING: "trustee_training_quota",
    EventKind.FORESIGHT_SESSION: "foresight_session_quota",
}
# Workshops that have taken place; the other counted statuses are still to come.
WORKSHOP_DONE = {WorkshopStatus.HELD, WorkshopStatus.REPORTED}


@dataclass(frozen=True)
class HeldEvent:
    pk: int
    title: str
    kind: str
    start: datetime.datetime
    registered: int  # the municipality's confirmed registrations
    present: int  # of which marked present
    attendance_marked: bool  # staff have marked attendance of at least one participant

    @property
    def attended(self) -> bool:
        return self.present > 0


@dataclass(frozen=True)
class KindUsage:
    kind: str
    entitled: int
    held: int  # events of the kind held so far
    upcoming: int  # published, not yet held
    attended: int  # held events at which the municipality had someone present
    participants: int  # the municipality's people present, summed over the held events

    @property
    def label(self) -> str:
        return EventKind(self.kind).label

    @property
    def left(self) -> int:
        """Events of the entitlement still to come (not yet held)."""
        return max(self.entitled - self.held, 0)


@dataclass(frozen=True)
class WorkshopUsage:
    allowance: int  # the season's workshops per member
    extra: int  # staff grants on top
    done: int  # held or reported
    planned: int  # proposed, planned or scheduled
    cancelled: int

    @property
    def total(self) -> int:
        return self.allowance + self.extra

    @property
    def left(self) -> int:
        return max(self.total - self.done - self.planned, 0)


@dataclass(frozen=True)
class Entitlements:
    membership: Membership
    kinds: list[KindUsage]
    workshops: WorkshopUsage
    held_events: list[HeldEvent] = field(default_factory=list)

    @property
    def last_attended(self) -> datetime.datetime | None:
        """When someone of the municipality last attended a held event."""
        starts = [event.start for event in self.held_events if event.attended]
        return max(starts) if starts else None


def programme_events(season: Season, now: datetime.datetime | None = None) -> QuerySet[Event]:
    """The season's events that count: published or held, not cancelled or draft."""
    return Event.objects.filter(
        season=season, status__in=[EventStatus.PUBLISHED, EventStatus.HELD]
    ).order_by("start", "pk")


def _is_held(event: Event, now: datetime.datetime) -> bool:
    return event.status == EventStatus.HELD or event.end <= now


def kind_usages(
    events: list[Event], held_events: list[HeldEvent], season: Season, now: datetime.datetime
) -> list[KindUsage]:
    """One row per event kind, in the order of EventKind."""
    rows = []
    by_pk = {held.pk: held for held in held_events}
    for kind in EventKind.values:
        of_kind = [event for event in events if event.kind == kind]
        held = [event for event in of_kind if _is_held(event, now)]
        quota_field = QUOTA_FIELDS.get(kind)
        entitled = getattr(season, quota_field) if quota_field else len(of_kind)
        attended = [by_pk[event.pk] for event in held if by_pk[event.pk].attended]
        rows.append(
            KindUsage(
                kind=kind,
                entitled=entitled,
                held=len(held),
                upcoming=len(of_kind) - len(held),
                attended=len(attended),
                participants=sum(event.present for event in attended),
            )
        )
    return rows


def _events_with_counts(season: Season, municipality_id: int) -> list[Event]:
    mine = Q(registrations__municipality_id=municipality_id)
    confirmed = mine & Q(registrations__status=RegistrationStatus.CONFIRMED)
    return list(
        programme_events(season)
        .only("pk", "kind", "status", "start", "end", "title_fi", "title_sv", "title_en")
        .annotate(
            own_confirmed=Count("registrations", filter=confirmed),
            own_present=Count(
                "registrations",
                filter=confirmed & Q(registrations__attendance=Attendance.PRESENT),
            ),
            own_marked=Count("registrations", filter=confirmed & ~Q(registrations__attendance="")),
        )
    )


def held_event_rows(events: list[Event], now: datetime.datetime) -> list[HeldEvent]:
    return [
        HeldEvent(
            pk=event.pk,
            title=event.title,
            kind=event.kind,
            start=event.start,
            registered=event.own_confirmed,
            present=event.own_present,
            attendance_marked=event.own_marked > 0,
        )
        for event in events
        if _is_held(event, now)
    ]


def workshop_usage(season: Season, extra: int, by_status: dict[str, int]) -> WorkshopUsage:
    counted = {status: count for status, count in by_status.items() if status in COUNTED_STATUSES}
    done = sum(count for status, count in counted.items() if status in WORKSHOP_DONE)
    return WorkshopUsage(
        allowance=season.workshops_per_member,
        extra=extra,
        done=done,
        planned=sum(counted.values()) - done,
        cancelled=by_status.get(WorkshopStatus.CANCELLED, 0),
    )


def entitlements_for(
    membership: Membership,
    now: datetime.datetime | None = None,
    *,
    quota: Quota | None = None,
    events: list[Event] | None = None,
) -> Entitlements:
    """The membership's entitlements against use (three queries: the season's events with the
    municipality's counts, the workshop grants, the workshops by status). The dashboard has
    the membership's workshop `quota` already, and `events` of the season and beyond with the
    same counts (`events.selectors.dashboard_events`): given them, it asks nothing."""
    now = now or timezone.now()
    season = membership.season
    if events is None:
        events = _events_with_counts(season, membership.municipality_id)
    else:
        counted = {EventStatus.PUBLISHED, EventStatus.HELD}  # as `programme_events`
        events = [e for e in events if e.season_id == season.pk and e.status in counted]
    held = held_event_rows(events, now)
    if quota is not None:
        extra = quota.total - season.workshops_per_member
        by_status = quota.by_status
    else:
        extra = membership.quota_grants.aggregate(extra=Sum("extra"))["extra"] or 0
        by_status = dict(
            membership.workshops.values_list("status").annotate(count=Count("id")).order_by()
        )
    return Entitlements(
        membership=membership,
        kinds=kind_usages(events, held, season, now),
        workshops=workshop_usage(season, extra, by_status),
        held_events=held,
    )
