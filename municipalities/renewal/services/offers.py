"""Offers: sent with their fees, to whom, and reminded when an answer is due."""

from __future__ import annotations

import datetime
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


def _queue_offer_mail(offer: Offer, *, reminder: bool) -> int:
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
    sent = 0
    for address in offer_recipients(offer.municipality):
        mail_enqueue(
            to=address,
            subject=subject,
            text_template="municipalities/renewal/offer_email.txt",
            context=context,
            language=language,
            kind="municipalities.offer_reminder" if reminder else "municipalities.offer",
            about=offer,
        )
        sent += 1
    return sent


@transaction.atomic
def offer_send(
    *, season: Season, municipality: Municipality, sent_by: User | None, now=None
) -> tuple[Offer, bool]:
    """Send the season's offer to a municipality: the fees of each year of the season computed
    now (by billing's rule, see `hooks.fee_quote`) and kept on the offer, an e-mail to its contact
    persons after commit. Idempotent: an existing offer is returned, not sent again."""
    transaction_lock(f"offer:{season.pk}:{municipality.pk}")
    existing = Offer.objects.filter(season=season, municipality=municipality).first()
    if existing is not None:
        return existing, False
    quotes = []
    for year in season.years:
        try:
            quotes.append(hooks.fee_quote(municipality, season, year))
        except hooks.FeeUnavailable as error:
            raise ValidationError(str(error), code="fee_unavailable") from error
    before = previous_season(season)
    offer = Offer(
        season=season,
        municipality=municipality,
        language=municipality.preferred_language,
        status=OfferStatus.INVITED,
        was_member=before is not None
        and Membership.objects.filter(season=before, municipality=municipality).exists(),
        sent_at=now or timezone.now(),
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
    _queue_offer_mail(offer, reminder=False)
    return offer, True


@dataclass
class SendResult:
    created: int = 0
    existing: int = 0
    problems: list[str] = field(default_factory=list)


def offers_send(*, season: Season, municipalities, sent_by: User | None, now=None) -> SendResult:
    """One offer per municipality, each in its own transaction: a municipality without a
    population figure is reported and the others are sent; a re-run sends only what is left."""
    result = SendResult()
    for municipality in municipalities:
        try:
            _offer, created = offer_send(
                season=season, municipality=municipality, sent_by=sent_by, now=now
            )
        except ValidationError as error:
            result.problems.append(f"{municipality}: {' '.join(error.messages)}")
            continue
        if created:
            result.created += 1
        else:
            result.existing += 1
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


@transaction.atomic
def offer_remind(*, offer: Offer, by: User | None, now=None) -> bool:
    """E-mail a reminder of an open offer; False (nothing sent) when none is due or the
    municipality has no contact with an e-mail address: such an offer is not marked reminded,
    so it stays among the pipeline's reminders due until someone adds an address."""
    now = now or timezone.now()
    offer = (
        Offer.objects.select_for_update().select_related("season", "municipality").get(pk=offer.pk)
    )
    if not offer_reminder_due(offer, now) or not offer_recipients(offer.municipality):
        return False
    offer.reminded_at = now
    offer._history_user = by
    offer.save(update_fields=["reminded_at"])
    _queue_offer_mail(offer, reminder=True)
    return True


@dataclass
class RemindResult:
    reminded: int = 0
    no_address: list[str] = field(default_factory=list)  # due, but nobody to e-mail


def offers_remind_due(*, now=None) -> RemindResult:
    """Remind every open offer that is due (the cron command `send_offer_reminders`): each in its
    own transaction, so one failure does not hold back the others; a re-run within the interval
    sends nothing again. A due offer whose municipality has no contact e-mail is reported."""
    now = now or timezone.now()
    result = RemindResult()
    due = [
        offer
        for offer in Offer.objects.filter(status__in=OPEN_STATUSES)
        .select_related("municipality")
        .order_by("pk")
        if offer_reminder_due(offer, now)
    ]
    for offer in due:
        if offer_remind(offer=offer, by=None, now=now):
            result.reminded += 1
        elif offer_reminder_due(offer, now):  # not sent by someone else meanwhile
            result.no_address.append(str(offer.municipality))
    return result
