"""One membership's season report as a PDF, in the municipality's language.

What the municipality received and used (the entitlements against use of `usage.selectors`),
the held events with its people's attendance, who took part (names: personal data of the
municipality's own people, read only by its contacts, its consultant and network staff), its
workshops with their reports, whether its situational analysis was delivered, and the feedback
highlights (anonymous: response rates and means; comments only on its own workshops, since
event comments may speak of other members). Plain tables, no images: it renders fast.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Attendance, EventKind, Registration, RegistrationStatus
from feedback.selectors import summary_for_municipality
from municipalities.models import Membership
from workshops.models import Deliverable, DeliverableKind, Workshop

from ..selectors import Entitlements, entitlements_for


@dataclass
class Participant:
    name: str
    title: str
    present: list[str] = field(default_factory=list)  # the held events they attended
    absent: int = 0  # registered, marked absent


def participants_of(entitlements: Entitlements) -> list[Participant]:
    """The municipality's people registered (confirmed) to the season's held events, by name,
    with the events they attended (one query)."""
    held = {event.pk: event for event in entitlements.held_events}
    membership = entitlements.membership
    registrations = (
        Registration.objects.filter(
            municipality_id=membership.municipality_id,
            event_id__in=list(held),
            status=RegistrationStatus.CONFIRMED,
        )
        .select_related("contact_person")
        .only("event_id", "attendance", "contact_person__name", "contact_person__title")
        .order_by("contact_person__name", "contact_person_id")
    )
    people: dict[int, Participant] = {}
    for registration in registrations:
        person = registration.contact_person
        row = people.setdefault(person.pk, Participant(person.name, person.title))
        if registration.attendance == Attendance.PRESENT:
            row.present.append(held[registration.event_id].title)
        elif registration.attendance == Attendance.ABSENT:
            row.absent += 1
    return list(people.values())


def workshops_of(membership: Membership) -> list[Workshop]:
    """The membership's workshops with their report files (two queries)."""
    reports = Deliverable.objects.filter(kind=DeliverableKind.REPORT).only(
        "workshop_id", "title", "file", "uploaded_at"
    )
    return list(
        Workshop.objects.filter(membership=membership)
        .select_related("topic")
        .prefetch_related(Prefetch("deliverables", queryset=reports, to_attr="reports"))
        .order_by("starts_at", "created_at")
    )


def analysis_delivered(membership: Membership):
    """The membership's stored situational-analysis report, when one is ready (else None)."""
    from analysis.models import Report, ReportStatus

    return (
        Report.objects.filter(
            municipality_id=membership.municipality_id,
            season_id=membership.season_id,
            status=ReportStatus.READY,
        )
        .only("rendered_at")
        .first()
    )


def report_context(membership: Membership, now: datetime.datetime | None = None) -> dict:
    """The template's context, in the active language."""
    now = now or timezone.now()
    entitlements = entitlements_for(membership, now=now)
    municipality = membership.municipality
    feedback = summary_for_municipality(municipality, membership.season)
    analysis_url = reverse("analysis:analysis_detail", args=[municipality.code])
    return {
        "membership": membership,
        "municipality": municipality,
        "season": membership.season,
        "entitlements": entitlements,
        "held_events": [(event, EventKind(event.kind).label) for event in entitlements.held_events],
        "attended_total": sum(event.present for event in entitlements.held_events),
        "participants": participants_of(entitlements),
        "workshops": workshops_of(membership),
        "analysis": analysis_delivered(membership),
        "analysis_url": urljoin(settings.PORTAL_BASE_URL, analysis_url),
        "feedback_events": feedback.events,
        "feedback_workshops": feedback.workshops,
    }


def season_report_pdf(
    membership: Membership, language: str | None = None, *, now: datetime.datetime | None = None
) -> bytes:
    """The PDF of one membership's season report (its municipality's language by default)."""
    from billing.pdf import shared_url_fetcher
    from uso_portal.pdf import write_pdf

    language = language or membership.municipality.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = report_context(membership, now=now)
        html = render_to_string(
            "usage/season_report_pdf.html",
            {**context, "language": language, "today": timezone.localdate()},
        )
    return write_pdf(html, shared_url_fetcher())
