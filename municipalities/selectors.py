"""Reads of the municipalities app. Every selector takes the acting user."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from .models import ContactPerson, Membership, Municipality, User, current_of


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
    """The membership of the user's current season by the network's rule (`current_of`): the
    season running today, else the latest that has started, else the first to come; a season
    the municipality joined in preparation does not replace the one it is taking part in."""
    by_season: dict = {}
    for membership in membership_list_for(user=user):
        by_season.setdefault(membership.season, membership)
    season = current_of(by_season, today or timezone.localdate())
    return by_season.get(season)


def active_contacts_for(*, user: User) -> list[ContactPerson]:
    """The municipality's active contact persons as the dashboard lists them (name, title and
    role: no joins, no other columns)."""
    return list(
        ContactPerson.objects.visible_to(user)
        .filter(is_active=True)
        .only("pk", "name", "title", "role")
        .order_by("name")
    )


def contact_person_list_for(*, user: User) -> QuerySet[ContactPerson]:
    return (
        ContactPerson.objects.visible_to(user)
        .select_related("municipality", "user")
        .order_by("-is_active", "name")
    )
