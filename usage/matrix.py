"""The staff's usage matrix of a season: every member's use of what the season gives, in five
queries whatever the number of members (memberships, the programme, the members' people
present per event, the workshop grants, the workshops by status).

The figures are those of `usage.selectors.entitlements_for` (the contact's panel), computed for
all members at once. Members who will not renew are flagged: those who have attended nothing
for `INACTIVE_MONTHS` and those who have `UNPLANNED_WORKSHOPS` or more workshops unplanned in
the season's last `LATE_MONTHS`."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Attendance, EventKind, Registration, RegistrationStatus
from municipalities.models import Membership, Season, User
from workshops.models import QuotaGrant, Workshop

from .selectors import QUOTA_FIELDS, WorkshopUsage, _is_held, programme_events, workshop_usage

INACTIVE_MONTHS = 3
LATE_MONTHS = 6
UNPLANNED_WORKSHOPS = 2
SHADES = 5  # use-0 … use-4


def flag_label(flag: str) -> str:
    if flag == "inactive":
        return _("Nothing attended for %(months)d months") % {"months": INACTIVE_MONTHS}
    return _("%(count)d or more workshops unplanned in the last %(months)d months") % {
        "count": UNPLANNED_WORKSHOPS,
        "months": LATE_MONTHS,
    }


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day `months` earlier (the month's last day where it has fewer days)."""
    month = moment.month - months
    year = moment.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def shade(used: int, possible: int) -> int:
    """0 (nothing used) … 4 (all used) of what could have been used so far."""
    if possible <= 0:
        return 0
    return min(SHADES - 1, round((SHADES - 1) * used / possible))


@dataclass(frozen=True)
class KindColumn:
    kind: str
    entitled: int
    held: int

    @property
    def label(self) -> str:
        return EventKind(self.kind).label


@dataclass(frozen=True)
class KindCell:
    attended: int  # held events of the kind at which the member had someone present
    entitled: int
    held: int
    participants: int

    @property
    def shade(self) -> int:
        return shade(self.attended, self.held)


@dataclass(frozen=True)
class MemberUsage:
    membership: Membership
    cells: list[KindCell]  # in the order of the matrix's columns
    workshops: WorkshopUsage
    last_attended: datetime.datetime | None
    flags: list[str]

    @property
    def workshop_shade(self) -> int:
        return shade(self.workshops.done + self.workshops.planned, self.workshops.total)

    @property
    def flag_labels(self) -> list[str]:
        return [flag_label(flag) for flag in self.flags]


@dataclass(frozen=True)
class UsageMatrix:
    season: Season
    now: datetime.datetime
    columns: list[KindColumn]
    rows: list[MemberUsage]  # flagged first, then by name

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.flags)


def member_list_for(*, user: User, season: Season) -> QuerySet[Membership]:
    return (
        Membership.objects.visible_to(user)
        .filter(season=season)
        .select_related("municipality", "responsible_consultant")
        .order_by("municipality__name_fi")
    )


def flags_for(
    season: Season, workshops: WorkshopUsage, last: datetime.datetime | None, now
) -> list[str]:
    flags = []
    start = datetime.datetime.combine(season.start_date, datetime.time(), tzinfo=now.tzinfo)
    quiet_since = months_before(now, INACTIVE_MONTHS)
    if start <= quiet_since and (last is None or last < quiet_since):
        flags.append("inactive")
    end = datetime.datetime.combine(season.end_date, datetime.time.max, tzinfo=now.tzinfo)
    late = months_before(end, LATE_MONTHS) <= now <= end
    if late and workshops.left >= UNPLANNED_WORKSHOPS:
        flags.append("unplanned")
    return flags


def usage_matrix(
    *, user: User, season: Season, now: datetime.datetime | None = None
) -> UsageMatrix:
    now = now or timezone.now()
    memberships = list(member_list_for(user=user, season=season))
    ids = [membership.pk for membership in memberships]
    events = list(programme_events(season).only("pk", "kind", "status", "start", "end"))
    held = {event.pk: event for event in events if _is_held(event, now)}
    present = (
        Registration.objects.filter(
            event__in=list(held),
            municipality__in=[membership.municipality_id for membership in memberships],
            status=RegistrationStatus.CONFIRMED,
            attendance=Attendance.PRESENT,
        )
        .values_list("municipality_id", "event_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    people = defaultdict(dict)  # municipality → event → people present
    for municipality_id, event_id, count in present:
        people[municipality_id][event_id] = count
    grants = dict(
        QuotaGrant.objects.filter(membership__in=ids)
        .values_list("membership_id")
        .annotate(extra=Sum("extra"))
        .order_by()
    )
    statuses = defaultdict(dict)
    for membership_id, status, count in (
        Workshop.objects.filter(membership__in=ids)
        .values_list("membership_id", "status")
        .annotate(count=Count("id"))
        .order_by()
    ):
        statuses[membership_id][status] = count

    columns = []
    for kind in EventKind.values:
        quota_field = QUOTA_FIELDS.get(kind)
        of_kind = sum(1 for event in events if event.kind == kind)
        entitled = getattr(season, quota_field) if quota_field else of_kind
        held_of_kind = sum(1 for event in held.values() if event.kind == kind)
        columns.append(KindColumn(kind, entitled, held_of_kind))

    rows = []
    for membership in memberships:
        mine = people.get(membership.municipality_id, {})
        cells = []
        for column in columns:
            attended = [pk for pk in mine if held[pk].kind == column.kind]
            cells.append(
                KindCell(
                    attended=len(attended),
                    entitled=column.entitled,
                    held=column.held,
                    participants=sum(mine[pk] for pk in attended),
                )
            )
        last = max((held[pk].start for pk in mine), default=None)
        workshops = workshop_usage(
            season, grants.get(membership.pk, 0), statuses.get(membership.pk, {})
        )
        flags = flags_for(season, workshops, last, now)
        rows.append(MemberUsage(membership, cells, workshops, last, flags))
    rows.sort(key=lambda row: not row.flags)  # stable: flagged first, each part by name
    return UsageMatrix(season=season, now=now, columns=columns, rows=rows)
