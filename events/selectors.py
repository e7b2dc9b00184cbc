"""Reads of the events app. Every selector takes the acting user.

The programme (events, materials, announcements) is the network's: contacts see the seasons
their municipality is a member of, staff by the view permission. Registrations are scoped rows
(`Registration.objects.visible_to`); seat counts are the event's, over every municipality.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from municipalities import dashboard
from municipalities.models import ContactPerson, ContactRole, Membership, User
from municipalities.scoping import may_view

from .models import (
    Announcement,
    AnnouncementAttachment,
    Attendance,
    Event,
    EventMaterial,
    EventStatus,
    Registration,
    RegistrationStatus,
)

TITLES = ("title_fi", "title_sv", "title_en")


def _member_season_ids(user: User) -> QuerySet:
    return Membership.objects.visible_to(user).values("season_id")


def event_list_for(*, user: User) -> QuerySet[Event]:
    """Events a user may see in the portal, with the user's municipality's registration counts."""
    if user.municipality_id is not None:
        events = Event.objects.visible_in_portal().filter(season_id__in=_member_season_ids(user))
        # Registration's rule for a contact (`scoping.RULES`: their municipality's rows, all of
        # them) as a plain condition on the join: no subquery to build and run per request
        mine = Q(registrations__municipality_id=user.municipality_id)
        return events.select_related("season", "series").annotate(
            own_confirmed=Count(
                "registrations", filter=mine & Q(registrations__status=RegistrationStatus.CONFIRMED)
            ),
            own_waitlisted=Count(
                "registrations",
                filter=mine & Q(registrations__status=RegistrationStatus.WAITLISTED),
            ),
        )
    if may_view(user, Event):
        confirmed = Q(registrations__status=RegistrationStatus.CONFIRMED)
        return Event.objects.select_related("season", "series").annotate(
            own_confirmed=Count("registrations", filter=confirmed),
            own_waitlisted=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
            ),
        )
    return Event.objects.none()


def event_for(*, user: User, pk: int) -> Event:
    try:
        return event_list_for(user=user).get(pk=pk)
    except Event.DoesNotExist as error:
        raise Http404("No such event.") from error


def upcoming_and_past(events: QuerySet[Event]) -> tuple[list[Event], list[Event]]:
    now = timezone.now()
    upcoming = list(events.filter(end__gte=now).order_by("start"))
    past = list(events.filter(end__lt=now).order_by("-start"))
    return upcoming, past


def registration_list_for(*, user: User, event: Event) -> QuerySet[Registration]:
    return (
        Registration.objects.visible_to(user)
        .filter(event=event)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("contact_person", "municipality")
        .order_by("status", "registered_at", "pk")
    )


def registration_for(*, user: User, pk: int) -> Registration:
    return Registration.objects.select_related(
        "event", "contact_person", "municipality"
    ).get_visible_or_404(user, pk=pk)


def sees_online_link(*, user: User, event: Event) -> bool:
    """Registered participants (the user's own contact person confirmed) and staff."""
    if user.municipality_id is None:
        return may_view(user, Event)
    return event.registrations.filter(
        contact_person__user=user, status=RegistrationStatus.CONFIRMED
    ).exists()


def material_for(*, user: User, pk: int) -> EventMaterial:
    materials = EventMaterial.objects.select_related("event")
    if user.municipality_id is not None:
        materials = materials.filter(
            event__season_id__in=_member_season_ids(user),
            event__status__in=[EventStatus.PUBLISHED, EventStatus.HELD],
            event__end__lte=timezone.now(),
        )
    elif not may_view(user, Event):
        materials = materials.none()
    try:
        return materials.get(pk=pk)
    except EventMaterial.DoesNotExist as error:
        raise Http404("No such material.") from error


def announcement_list_for(*, user: User) -> QuerySet[Announcement]:
    announcements = Announcement.objects.filter(published_at__isnull=False)
    if user.municipality_id is not None:
        announcements = announcements.filter(season_id__in=_member_season_ids(user))
    elif not may_view(user, Announcement):
        return Announcement.objects.none()
    return (
        announcements.select_related("season")
        .prefetch_related(
            Prefetch("attachments", queryset=AnnouncementAttachment.objects.order_by("title"))
        )
        .order_by("-published_at")
    )


def announcement_recipients(*, announcement: Announcement) -> list[tuple[str, str]]:
    """Who "Publish and e-mail" tells: (address, language) of the active contact persons of
    the season's active members, each address once. The rule of both the confirmation page
    (`announcement_recipients_for`) and the sending service."""
    contacts = ContactPerson.objects.filter(
        municipality__memberships__season=announcement.season,
        municipality__memberships__status="active",
        role=ContactRole.CONTACT_PERSON,
        is_active=True,
    ).exclude(email="")
    return list(
        contacts.values_list("email", "municipality__preferred_language")
        .distinct()
        .order_by("email")
    )


def announcement_recipients_for(*, user: User, announcement: Announcement) -> list[tuple[str, str]]:
    """The recipients for the staff member who is about to send: nobody when the announcement
    was e-mailed already (it is not sent twice) or the user may not change announcements."""
    if announcement.emailed_at is not None or not user.has_perm("events.change_announcement"):
        return []
    return announcement_recipients(announcement=announcement)


def announcement_for(*, user: User, pk: int) -> Announcement:
    try:
        return announcement_list_for(user=user).get(pk=pk)
    except Announcement.DoesNotExist as error:
        raise Http404("No such announcement.") from error


def attachment_for(*, user: User, pk: int) -> AnnouncementAttachment:
    try:
        return AnnouncementAttachment.objects.select_related("announcement").get(
            pk=pk, announcement__in=announcement_list_for(user=user)
        )
    except AnnouncementAttachment.DoesNotExist as error:
        raise Http404("No such attachment.") from error


def feed_events(*, municipality) -> QuerySet[Event]:
    """The published programme of every season the municipality is a member of."""
    seasons = Membership.objects.filter(municipality=municipality).values("season_id")
    return Event.objects.visible_in_portal().filter(season_id__in=seasons).order_by("start")


def dashboard_events(user: User, membership) -> list[Event]:
    """The events the dashboard's panels read, asked once per request (one query, see
    `municipalities.dashboard.shared`): of the contact's seasons and visible in the portal,
    those of the membership's season and those still to come, oldest first, with the
    municipality's registration counts (`own_confirmed`, `own_waitlisted`, and of the
    confirmed ones `own_present` and `own_marked`, attendance marked either way). The
    programme panel shows the next ones; the entitlement panel counts the season's."""

    def compute() -> list[Event]:
        # Registration's rule for a contact (`scoping.RULES`: their municipality's rows, all
        # of them) as a condition on the join: no subquery
        mine = Q(registrations__municipality_id=user.municipality_id)
        confirmed = mine & Q(registrations__status=RegistrationStatus.CONFIRMED)
        waitlisted = mine & Q(registrations__status=RegistrationStatus.WAITLISTED)
        return list(
            Event.objects.visible_in_portal()
            .filter(season_id__in=_member_season_ids(user))
            .filter(Q(season_id=membership.season_id) | Q(end__gte=timezone.now()))
            .only("pk", "season_id", "kind", "status", "start", "end", *TITLES)
            .annotate(
                own_confirmed=Count("registrations", filter=confirmed),
                own_waitlisted=Count("registrations", filter=waitlisted),
                own_present=Count(
                    "registrations",
                    filter=confirmed & Q(registrations__attendance=Attendance.PRESENT),
                ),
                own_marked=Count(
                    "registrations", filter=confirmed & ~Q(registrations__attendance="")
                ),
            )
            .order_by("start", "pk")
        )

    return dashboard.shared(membership, "events", compute)


def dashboard_events_panel(user: User, membership) -> dict | None:
    """The next four events of the contact's seasons (`event_list_for`'s rows, with the same
    counts), from the events the dashboard asks once."""
    if membership is None or user.municipality_id is None:
        return None
    now = timezone.now()
    upcoming = [event for event in dashboard_events(user, membership) if event.end >= now]
    return {"events": upcoming[:4]}


def dashboard_news_panel(user: User, membership) -> dict | None:
    if membership is None:
        return None
    announcements = (
        announcement_list_for(user=user)
        .select_related(None)
        .prefetch_related(None)
        .only("pk", *TITLES, "published_at")  # titles and dates; no bodies or attachments
    )
    return {"announcements": list(announcements[:4])}
