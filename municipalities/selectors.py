"""Reads of the municipalities app. Every selector takes the acting user."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .models import ContactPerson, Membership, Municipality, User


def municipality_for(*, user: User) -> Municipality | None:
    """The municipality of a municipal contact (None for staff users)."""
    if user.municipality_id is None:
        return None
    return Municipality.objects.visible_to(user).get(pk=user.municipality_id)


def membership_list_for(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.visible_to(user)
        .select_related("season", "municipality", "responsible_consultant")
        .order_by("-season__start_date")
    )


def membership_current_for(*, user: User, today: datetime.date | None = None) -> Membership | None:
    """The membership of the season running today, else the most recent one."""
    today = today or timezone.localdate()
    memberships = list(membership_list_for(user=user))
    for membership in memberships:
        if membership.season.contains(today):
            return membership
    return memberships[0] if memberships else None


def contact_person_list_for(*, user: User) -> QuerySet[ContactPerson]:
    return (
        ContactPerson.objects.visible_to(user)
        .select_related("municipality", "user")
        .order_by("-is_active", "name")
    )
