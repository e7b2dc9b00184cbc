"""Reads of the workshops app. Every selector takes the acting user.

Who sees a workshop, its steps, files and comments is the models' rule in
`municipalities/scoping.py`: the municipality's own contact persons, its responsible consultant
(of the workshop or of the membership) and network staff (`workshops.view_all_workshops`).
Nobody else, not even another consultant or finance.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from municipalities import dashboard, scoping
from municipalities.models import Membership, Season, User

from .models import (
    COUNTED_STATUSES,
    Comment,
    Deliverable,
    Workshop,
    WorkshopKind,
    WorkshopStatus,
    WorkshopTransition,
)


def sees_all(user: User) -> bool:
    """Every municipality's workshops: network staff (`workshops.view_all_workshops`)."""
    return scoping.sees_all(user, Workshop)


def can_manage(user: User, workshop: Workshop) -> bool:
    """The responsible consultant and network staff move workshops and upload deliverables:
    the staff who see the workshop by its rule (a contact sees it, but does not manage it)."""
    if not scoping.may_view(user, Workshop) or not user.is_staff:
        return False
    return sees_all(user) or scoping.is_responsible_for(user, workshop)


def workshop_list_for(*, user: User) -> QuerySet[Workshop]:
    return Workshop.objects.visible_to(user).select_related(
        "membership__municipality", "membership__season", "topic", "responsible_consultant"
    )


def workshop_for(*, user: User, pk: int) -> Workshop:
    try:
        return workshop_list_for(user=user).get(pk=pk)
    except Workshop.DoesNotExist as error:
        raise Http404("No such workshop.") from error


def deliverable_for(*, user: User, pk: int) -> Deliverable:
    return Deliverable.objects.select_related("workshop").get_visible_or_404(user, pk=pk)


def workshop_detail(*, user: User, workshop: Workshop) -> dict:
    return {
        "transitions": list(
            WorkshopTransition.objects.visible_to(user)
            .filter(workshop=workshop)
            .select_related("by")
        ),
        "deliverables": list(
            Deliverable.objects.visible_to(user)
            .filter(workshop=workshop)
            .select_related("uploaded_by")
        ),
        "comments": list(
            Comment.objects.visible_to(user).filter(workshop=workshop).select_related("author")
        ),
    }


@dataclass
class Quota:
    total: int
    used: int
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def remaining(self) -> int:
        return max(self.total - self.used, 0)


def quota_for(membership: Membership, *, workshops: list[Workshop] | None = None) -> Quota:
    """Workshops of a membership: the season's allowance plus staff grants, and their use.
    Given all the membership's `workshops` (with their status), it counts them instead of
    asking the database (one query instead of two)."""
    granted = membership.quota_grants.aggregate(extra=Sum("extra"))["extra"] or 0
    if workshops is not None:
        by_status = dict(Counter(workshop.status for workshop in workshops))
    else:
        by_status = dict(
            membership.workshops.values_list("status")
            .annotate(count=Count("id"))
            .values_list("status", "count")
        )
    used = sum(count for status, count in by_status.items() if status in COUNTED_STATUSES)
    return Quota(
        total=membership.season.workshops_per_member + granted, used=used, by_status=by_status
    )


# --- Overviews --------------------------------------------------------------------------------

NEEDS_ACTION = {
    WorkshopStatus.PROPOSED: "plan",
    WorkshopStatus.PLANNED: "schedule",
    WorkshopStatus.HELD: "report",
}


def needs_action(workshop: Workshop, now=None) -> str:
    if (
        workshop.status == WorkshopStatus.SCHEDULED
        and workshop.starts_at
        and workshop.starts_at <= (now or timezone.now())
    ):
        return "mark_held"
    return NEEDS_ACTION.get(workshop.status, "")


@dataclass
class MembershipRow:
    membership: Membership
    quota: Quota
    workshops: list[Workshop]
    by_kind: dict[str, int]

    @property
    def actions(self) -> list[tuple[Workshop, str]]:
        now = timezone.now()
        return [(w, action) for w in self.workshops if (action := needs_action(w, now))]


def _membership_rows(memberships: QuerySet[Membership], user: User) -> list[MembershipRow]:
    """Rows with quotas and workshops, in a constant number of queries. A membership the user
    sees has all its workshops visible to them too (the rules agree), so the quotas count all."""
    memberships = (
        memberships.select_related("municipality", "season", "responsible_consultant")
        .annotate(_granted=Sum("quota_grants__extra"))
        .prefetch_related(
            Prefetch(
                "workshops",
                queryset=Workshop.objects.visible_to(user)
                .select_related("topic")
                .order_by("starts_at", "created_at"),
            )
        )
    )
    rows = []
    for membership in memberships:
        workshops = list(membership.workshops.all())
        by_status = Counter(w.status for w in workshops)
        used = sum(count for status, count in by_status.items() if status in COUNTED_STATUSES)
        total = membership.season.workshops_per_member + (membership._granted or 0)
        by_kind = Counter(w.kind for w in workshops if w.status in COUNTED_STATUSES)
        rows.append(
            MembershipRow(membership, Quota(total, used, dict(by_status)), workshops, dict(by_kind))
        )
    return rows


def consultant_overview(*, user: User) -> list[MembershipRow]:
    """'My municipalities': of the memberships the user sees, those they are the responsible
    consultant of (a choice of the page, not an access rule: network staff see theirs)."""
    memberships = (
        Membership.objects.visible_to(user)
        .filter(responsible_consultant=user)
        .order_by("-season__start_date", "municipality__name_fi")
    )
    return _membership_rows(memberships, user)


def season_overview(*, user: User, season: Season) -> list[MembershipRow]:
    memberships = Membership.objects.visible_to(user).filter(season=season)
    return _membership_rows(memberships.order_by("municipality__name_fi"), user)


def season_totals(rows: list[MembershipRow]) -> dict:
    by_status: dict[str, int] = defaultdict(int)
    by_kind: dict[str, int] = defaultdict(int)
    for row in rows:
        for status, count in row.quota.by_status.items():
            by_status[status] += count
        for kind, count in row.by_kind.items():
            by_kind[kind] += count
    return {
        "total": sum(row.quota.total for row in rows),
        "used": sum(row.quota.used for row in rows),
        "remaining": sum(row.quota.remaining for row in rows),
        "by_status": [(status, by_status.get(status.value, 0)) for status in WorkshopStatus],
        "by_kind": [(kind, by_kind.get(kind.value, 0)) for kind in WorkshopKind],
    }


def dashboard_workshops(user: User, membership: Membership) -> tuple[list[Workshop], Quota]:
    """The contact's workshops of the membership and its quota counted from them (two
    queries), computed once per dashboard request: the workshops panel and the entitlement
    panel share them."""

    def compute() -> tuple[list[Workshop], Quota]:
        # the panel lists titles, statuses and dates: the rest stays in the database
        workshops = list(
            workshop_list_for(user=user)
            .filter(membership=membership)
            .select_related(None)
            .only("pk", "title", "status", "starts_at")
            .order_by("starts_at", "created_at")
        )
        # a contact sees all their municipality's workshops: the quota counts them
        own = user.municipality_id == membership.municipality_id
        return workshops, quota_for(membership, workshops=workshops if own else None)

    return dashboard.shared(membership, "workshops", compute)


def dashboard_panel(user: User, membership: Membership | None) -> dict | None:
    if membership is None:
        return None
    workshops, quota = dashboard_workshops(user, membership)
    return {"quota": quota, "workshops": workshops}
