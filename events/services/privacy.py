"""GDPR clean-up: participants' personal data of ended seasons goes, statistics and invoices stay.

A participant of the ended seasons before a given season is a contact person who registered to
their events and to no event of any later season, has no portal login (a login makes them the
municipality's current contact) and is an elected trustee, an official or other (never the
municipality's contact person or billing contact). Their row stays, because registrations (and
so the attendance statistics) refer to it; name, e-mail, phone and title go, as does the reason
of any limit override on their registrations. If the models keep django-simple-history, the
historical rows of those persons and registrations are deleted too, and so are the outbox's
messages about their registrations (addressed to them, with their names). Invoices,
memberships, municipalities and events are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import batched

from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from simple_history.exceptions import NotHistoricalModelError
from simple_history.utils import get_history_manager_for_model

from municipalities.models import ContactPerson, ContactRole, Season
from outbox.services import messages_about_delete

from ..models import Registration

# Data, not UI text: not translated.
ANONYMISED_NAME_PREFIX = "Anonymised participant #"
PARTICIPANT_ROLES = [ContactRole.ELECTED_TRUSTEE, ContactRole.OFFICIAL, ContactRole.OTHER]
BATCH_SIZE = 500


@dataclass(frozen=True)
class AnonymizeResult:
    persons: int
    registrations: int
    history_rows: int
    seasons: list[Season] = field(default_factory=list)
    dry_run: bool = False


def _anonymised_name() -> Concat:
    return Concat(Value(ANONYMISED_NAME_PREFIX), Cast("pk", CharField()))


def _ended_seasons_before(season: Season) -> list[Season]:
    limit = min(season.start_date, timezone.localdate())
    return list(Season.objects.filter(end_date__lt=limit).order_by("start_date"))


def _participants(seasons: list[Season]) -> QuerySet[ContactPerson]:
    """Participants of these seasons only, not anonymised yet."""
    registrations = Registration.objects.filter(contact_person=OuterRef("pk"))
    return (
        ContactPerson.objects.filter(
            Exists(registrations.filter(event__season__in=seasons)),
            user__isnull=True,
            role__in=PARTICIPANT_ROLES,
        )
        .exclude(Exists(registrations.exclude(event__season__in=seasons)))
        .alias(anonymised_name=_anonymised_name())
        .exclude(name=F("anonymised_name"), email="", phone="", title="", is_active=False)
    )


def _history(model, condition: Q) -> QuerySet | None:
    """The model's historical rows that match, or None if the model keeps no history."""
    try:
        return get_history_manager_for_model(model).filter(condition)
    except NotHistoricalModelError:
        return None


def _anonymise(pks: tuple[int, ...], *, dry_run: bool) -> tuple[int, int]:
    """Anonymise these persons; the numbers of their registrations and deleted history rows."""
    registrations = Registration.objects.filter(contact_person_id__in=pks)
    histories = [
        _history(ContactPerson, Q(id__in=pks)),
        _history(Registration, Q(id__in=registrations.values("pk")) | Q(contact_person_id__in=pks)),
    ]
    histories = [history for history in histories if history is not None]
    if dry_run:
        return registrations.count(), sum(history.count() for history in histories)
    history_rows = sum(history.delete()[0] for history in histories)
    messages_about_delete(model=Registration, pks=list(registrations.values_list("pk", flat=True)))
    touched = registrations.update(override_reason="")
    ContactPerson.objects.filter(pk__in=pks).update(
        name=_anonymised_name(),
        email="",
        phone="",
        title="",
        is_active=False,
        updated_at=timezone.now(),
    )
    return touched, history_rows


@transaction.atomic
def participants_anonymize(*, before: Season, dry_run: bool = False) -> AnonymizeResult:
    """Remove the personal data of participants of the seasons that ended before `before`
    started. Idempotent: anonymised persons are not counted again."""
    seasons = _ended_seasons_before(before)
    pks = (
        list(_participants(seasons).order_by("pk").values_list("pk", flat=True)) if seasons else []
    )
    registrations = history_rows = 0
    for batch in batched(pks, BATCH_SIZE):
        touched, deleted = _anonymise(batch, dry_run=dry_run)
        registrations += touched
        history_rows += deleted
    return AnonymizeResult(
        persons=len(pks),
        registrations=registrations,
        history_rows=history_rows,
        seasons=seasons,
        dry_run=dry_run,
    )
