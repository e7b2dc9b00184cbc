"""Offers: sent with their fees, to whom, and reminded when an answer is due."""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from uso_portal.db import transaction_lock

from ...models import (
    ContactPerson,
    ContactRole,
    Membership,
    Municipality,
    Season,
    User,
)
from .. import hooks
from ..models import (
    OPEN_STATUSES,
    Offer,
    OfferFee,
    OfferStatus,
)
from .seasons import previous_season

# An open offer gets a reminder this long after it was sent or last reminded.
REMINDER_AFTER = datetime.timedelta(days=14)


# --- Offers ---------------------------------------------------------------------------------


def _portal_url(name: str, **kwargs) -> str:
    return f"{settings.PORTAL_BASE_URL}{reverse(name, kwargs=kwargs)}"


def offer_recipients(municipality: Municipality) -> list[str]:
    """The municipality's active contact persons with an e-mail address (the contact person role
    first; everyone active when there is none)."""
    people = list(
        ContactPerson.objects.filter(municipality=municipality, is_active=True)
        .exclude(email="")
        .order_by("name")
    )
    main = [person for person in people if person.role == ContactRole.CONTACT_PERSON]
    return sorted({person.email.lower() for person in (main or people)})


def _queue_offer_mail(offer: Offer, recipients: list[str], *, reminder: bool) -> int:
    from outbox.services import mail_enqueue

    language = offer.language
    context = {
        "offer": offer,
        "fees": list(offer.fees.all()),
        "reminder": reminder,
        "offer_url": _portal_url("municipalities:offer_detail", pk=offer.pk),
        "letter_url": _portal_url("municipalities:offer_letter", pk=offer.pk),
    }
    with translation.override(language):
        if reminder:
            subject = _("Reminder: %(season)s, an offer to %(municipality)s") % {
                "season": offer.season.name,
                "municipality": offer.municipality.name,
            }
        else:
            subject = _("%(season)s: an offer to %(municipality)s") % {
                "season": offer.season.name,
                "municipality": offer.municipality.name,
            }
    for address in recipients:
        mail_enqueue(
            to=address,
            subject=subject,
            text_template="municipalities/renewal/offer_email.txt",
            context=context,
            language=language,
            kind="municipalities.offer_reminder" if reminder else "municipalities.offer",
            about=offer,
        )
    return len(recipients)


def _mail_offer(offer: Offer, now: datetime.datetime) -> bool:
    """E-mail a made offer that was not e-mailed yet (its municipality had nobody to e-mail):
    False when there is still nobody."""
    recipients = offer_recipients(offer.municipality)
    if not recipients:
        return False
    offer.emailed_at = now
    offer.save(update_fields=["emailed_at"])
    _queue_offer_mail(offer, recipients, reminder=False)
    return True


@transaction.atomic
def offer_send(
    *, season: Season, municipality: Municipality, sent_by: User | None, now=None
) -> tuple[Offer, bool]:
    """Send the season's offer to a municipality: the fees of each year of the season computed
    now (by billing's rule, see `hooks.fee_quote`) and kept on the offer, an e-mail to its contact
    persons after commit. Idempotent: an existing offer is returned, not sent again.

    A municipality without an active contact person with an e-mail address still gets its
    offer (the page and the letter exist), but no e-mail: the offer's `emailed_at` stays empty
    and the caller reports it (`offers_send`). Sending again once someone has an address
    e-mails the existing offer then, as a reminder of it would (`offer_remind`)."""
    now = now or timezone.now()
    transaction_lock(f"offer:{season.pk}:{municipality.pk}")
    existing = (
        Offer.objects.filter(season=season, municipality=municipality)
        .select_related("season", "municipality")
        .first()
    )
    if existing is not None:
        if existing.emailed_at is None and existing.status in OPEN_STATUSES:
            existing._history_user = sent_by
            _mail_offer(existing, now)
        return existing, False
    quotes = []
    for year in season.years:
        try:
            quotes.append(hooks.fee_quote(municipality, season, year))
        except hooks.FeeUnavailable as error:
            raise ValidationError(str(error), code="fee_unavailable") from error
    before = previous_season(season)
    recipients = offer_recipients(municipality)
    offer = Offer(
        season=season,
        municipality=municipality,
        language=municipality.preferred_language,
        status=OfferStatus.INVITED,
        was_member=before is not None
        and Membership.objects.filter(season=before, municipality=municipality).exists(),
        sent_at=now,
        emailed_at=now if recipients else None,
        created_by=sent_by,
    )
    offer._history_user = sent_by
    offer.full_clean()
    offer.save()
    for quote in quotes:
        fee = OfferFee(
            offer=offer,
            year=quote.year,
            population=quote.population,
            population_date=quote.population_date,
            billed_on_date=quote.billed_on_date,
            tier_label=quote.tier_label,
            annual_fee=quote.annual_fee,
        )
        fee.full_clean()
        fee.save()
    _queue_offer_mail(offer, recipients, reminder=False)
    return offer, True


@dataclass
class SendResult:
    created: int = 0
    existing: int = 0
    problems: list[str] = field(default_factory=list)
    # made (now or before), but not e-mailed: the municipality has nobody with an address
    no_address: list[str] = field(default_factory=list)
    emailed_late: int = 0  # offers made before without an e-mail, e-mailed now


def offers_send(*, season: Season, municipalities, sent_by: User | None, now=None) -> SendResult:
    """One offer per municipality, each in its own transaction: a municipality without a
    population figure is reported and the others are sent; a re-run sends only what is left
    (the offers not made yet, and the e-mails of those made when nobody had an address)."""
    now = now or timezone.now()
    result = SendResult()
    for municipality in municipalities:
        try:
            offer, created = offer_send(
                season=season, municipality=municipality, sent_by=sent_by, now=now
            )
        except ValidationError as error:
            result.problems.append(f"{municipality}: {' '.join(error.messages)}")
            continue
        if created:
            result.created += 1
        else:
            result.existing += 1
            if offer.emailed_at == now:
                result.emailed_late += 1
        if offer.emailed_at is None and offer.status in OPEN_STATUSES:
            result.no_address.append(str(municipality))
    return result


def offer_reminder_due(offer: Offer, now=None) -> bool:
    """An open offer is due a reminder two weeks after the last word either way (sent, answered,
    reminded); a pending decision a week after its board meeting passed without news."""
    now = now or timezone.now()
    if offer.status not in OPEN_STATUSES:
        return False
    last = max(moment for moment in (offer.sent_at, offer.answered_at, offer.reminded_at) if moment)
    if offer.status == OfferStatus.DECISION_PENDING:
        meeting_passed = offer.board_meeting_date < timezone.localdate(now)
        return meeting_passed and last <= now - REMINDER_AFTER / 2
    return last <= now - REMINDER_AFTER


class RemindOutcome(enum.Enum):
    """What `offer_remind` did; true only when it e-mailed."""

    SENT = "sent"
    NOT_DUE = "not_due"  # answered, closed, or reminded (or sent) recently
    NO_ADDRESS = "no_address"  # due, but the municipality has nobody to e-mail

    def __bool__(self) -> bool:
        return self is RemindOutcome.SENT


@transaction.atomic
def offer_remind(*, offer: Offer, by: User | None, now=None) -> RemindOutcome:
    """E-mail a reminder of an open offer when one is due. Nothing is sent when none is due
    (NOT_DUE) or the municipality has no contact with an e-mail address (NO_ADDRESS): such an
    offer is not marked reminded, so it stays among the pipeline's reminders due until someone
    adds an address. An offer that was never e-mailed (nobody had an address when it was made)
    is e-mailed itself, not as a reminder."""
    now = now or timezone.now()
    offer = (
        Offer.objects.select_for_update().select_related("season", "municipality").get(pk=offer.pk)
    )
    if not offer_reminder_due(offer, now):
        return RemindOutcome.NOT_DUE
    recipients = offer_recipients(offer.municipality)
    if not recipients:
        return RemindOutcome.NO_ADDRESS
    first_mail = offer.emailed_at is None
    offer.reminded_at = now
    offer.emailed_at = offer.emailed_at or now
    offer._history_user = by
    offer.save(update_fields=["reminded_at", "emailed_at"])
    _queue_offer_mail(offer, recipients, reminder=not first_mail)
    return RemindOutcome.SENT


@dataclass
class RemindResult:
    reminded: int = 0
    not_due: int = 0
    no_address: list[str] = field(default_factory=list)  # due, but nobody to e-mail


def offers_remind(*, offers, by: User | None, now=None) -> RemindResult:
    """Remind each of the given offers that is due, each in its own transaction (the admin
    action and the cron command): how many were reminded, how many were not due, and the
    municipalities of those due with nobody to e-mail (by name)."""
    result = RemindResult()
    for offer in offers:
        outcome = offer_remind(offer=offer, by=by, now=now)
        if outcome is RemindOutcome.SENT:
            result.reminded += 1
        elif outcome is RemindOutcome.NO_ADDRESS:
            result.no_address.append(str(offer.municipality))
        else:
            result.not_due += 1
    return result


def offers_remind_due(*, now=None) -> RemindResult:
    """Remind every open offer that is due (the cron command `send_offer_reminders`): each in its
    own transaction, so one failure does not hold back the others; a re-run within the interval
    sends nothing again. A due offer whose municipality has no contact e-mail is reported."""
    now = now or timezone.now()
    due = [
        offer
        for offer in Offer.objects.filter(status__in=OPEN_STATUSES)
        .select_related("municipality")
        .order_by("pk")
        if offer_reminder_due(offer, now)
    ]
    return offers_remind(offers=due, by=None, now=now)
