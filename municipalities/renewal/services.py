"""Writes of renewal: the next season, offers and their answers, invoicing details.

An offer moves invited → interested → decision pending → joined or declined; every move is one
of the functions below, which validate what the new state needs before saving (no joining
without the decision, its date and the business ID). The offer's history (django-simple-history)
records who moved it and when. Joining creates the season's membership, once.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from uso_portal.db import transaction_lock

from ..models import (
    ContactPerson,
    ContactRole,
    Membership,
    Municipality,
    Season,
    SeasonTheme,
    User,
)
from ..validators import normalize_business_id
from . import hooks
from .models import (
    OPEN_STATUSES,
    InvoicingDetailsConfirmation,
    Offer,
    OfferFee,
    OfferStatus,
)

# An open offer gets a reminder this long after it was sent or last reminded.
REMINDER_AFTER = datetime.timedelta(days=14)

# What may follow what; a status may be repeated to correct its data (a new meeting date).
TRANSITIONS: dict[str, set[str]] = {
    OfferStatus.INVITED: {
        OfferStatus.INTERESTED,
        OfferStatus.DECISION_PENDING,
        OfferStatus.JOINED,
        OfferStatus.DECLINED,
    },
    OfferStatus.INTERESTED: {
        OfferStatus.DECISION_PENDING,
        OfferStatus.JOINED,
        OfferStatus.DECLINED,
    },
    OfferStatus.DECISION_PENDING: {
        OfferStatus.DECISION_PENDING,
        OfferStatus.JOINED,
        OfferStatus.DECLINED,
    },
    OfferStatus.JOINED: set(),
    OfferStatus.DECLINED: set(),
}

# The municipality's invoicing details a contact confirms, and the membership's one.
INVOICING_FIELDS = (
    "business_id",
    "einvoice_address",
    "einvoice_operator",
    "billing_street_address",
    "billing_postal_code",
    "billing_post_office",
)
MEMBERSHIP_INVOICING_FIELDS = ("buyer_reference",)


# --- The next season ------------------------------------------------------------------------


def _shift(day: datetime.date, years: int) -> datetime.date:
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


def _shift_years_in(text: str, years: int, source: Season) -> str:
    for year in sorted(source.years, reverse=True):
        text = text.replace(str(year), str(year + years))
    return text


@transaction.atomic
def season_create_next(*, source: Season) -> Season:
    """The season after `source`: as long, starting the day after it ends, with its names (years
    moved on), programme quotas, themes and fee schedule copied; all editable afterwards."""
    length = len(source.years)
    slug = _shift_years_in(source.slug, length, source)
    if slug == source.slug:
        slug = f"{source.end_date.year + 1}-{source.end_date.year + length}"
    if Season.objects.filter(slug=slug).exists():
        raise ValidationError(
            _("The season %(slug)s exists already.") % {"slug": slug}, code="season_exists"
        )
    season = Season(
        slug=slug,
        name_fi=_shift_years_in(source.name_fi, length, source),
        name_sv=_shift_years_in(source.name_sv, length, source),
        name_en=_shift_years_in(source.name_en, length, source),
        start_date=_shift(source.start_date, length),
        end_date=_shift(source.end_date, length),
        theme_seminar_quota=source.theme_seminar_quota,
        trustee_training_quota=source.trustee_training_quota,
        foresight_session_quota=source.foresight_session_quota,
        workshops_per_member=source.workshops_per_member,
    )
    season.full_clean()
    season.save()
    for theme in source.themes.all():
        copy = SeasonTheme(
            season=season,
            name_fi=theme.name_fi,
            name_sv=theme.name_sv,
            name_en=theme.name_en,
            is_lead_theme=theme.is_lead_theme,
            position=theme.position,
        )
        copy.full_clean()
        copy.save()
    hooks.carry_over(source, season)
    return season


def previous_season(season: Season) -> Season | None:
    return Season.objects.filter(end_date__lt=season.start_date).order_by("-end_date").first()


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
    """E-mail a reminder of an open offer; False (nothing sent) when none is due."""
    now = now or timezone.now()
    offer = (
        Offer.objects.select_for_update().select_related("season", "municipality").get(pk=offer.pk)
    )
    if not offer_reminder_due(offer, now):
        return False
    offer.reminded_at = now
    offer._history_user = by
    offer.save(update_fields=["reminded_at"])
    _queue_offer_mail(offer, reminder=True)
    return True


# --- Answers --------------------------------------------------------------------------------


def _check_transition(offer: Offer, status: str) -> None:
    if status not in TRANSITIONS[offer.status]:
        raise ValidationError(
            _("An offer that is “%(current)s” cannot become “%(new)s”.")
            % {"current": OfferStatus(offer.status).label, "new": OfferStatus(status).label},
            code="invalid_transition",
        )


def _required(values: dict[str, object], labels: dict[str, str]) -> None:
    missing = {
        name: ValidationError(_("%(field)s is required.") % {"field": labels[name]}, "required")
        for name, value in values.items()
        if value in (None, "")
    }
    if missing:
        raise ValidationError(missing)


def _save(offer: Offer, by: User | None, now) -> Offer:
    offer.answered_at = now or timezone.now()
    offer._history_user = by
    offer.full_clean()
    offer.save()
    return offer


def _locked(offer: Offer) -> Offer:
    return (
        Offer.objects.select_for_update(of=("self",))
        .select_related("season", "municipality", "membership")
        .get(pk=offer.pk)
    )


@transaction.atomic
def offer_mark_interested(*, offer: Offer, by: User | None, now=None) -> Offer:
    offer = _locked(offer)
    _check_transition(offer, OfferStatus.INTERESTED)
    offer.status = OfferStatus.INTERESTED
    return _save(offer, by, now)


@transaction.atomic
def offer_mark_decision_pending(
    *, offer: Offer, board_meeting_date: datetime.date | None, by: User | None, now=None
) -> Offer:
    offer = _locked(offer)
    _check_transition(offer, OfferStatus.DECISION_PENDING)
    _required(
        {"board_meeting_date": board_meeting_date},
        {"board_meeting_date": _("The board meeting date")},
    )
    offer.status = OfferStatus.DECISION_PENDING
    offer.board_meeting_date = board_meeting_date
    return _save(offer, by, now)


@transaction.atomic
def offer_decline(*, offer: Offer, reason: str, by: User | None, now=None) -> Offer:
    offer = _locked(offer)
    _check_transition(offer, OfferStatus.DECLINED)
    reason = (reason or "").strip()
    _required({"declined_reason": reason}, {"declined_reason": _("The reason")})
    offer.status = OfferStatus.DECLINED
    offer.declined_reason = reason
    return _save(offer, by, now)


@transaction.atomic
def offer_join(
    *,
    offer: Offer,
    decision_reference: str,
    decision_date: datetime.date | None,
    business_id: str,
    einvoice_address: str = "",
    einvoice_operator: str = "",
    cost_centre: str = "",
    buyer_reference: str = "",
    by: User | None,
    now=None,
) -> Offer:
    """The municipality decided to join: the decision, the confirmed invoicing details, and the
    season's membership (created once; a second call finds the offer joined and refuses)."""
    offer = _locked(offer)
    _check_transition(offer, OfferStatus.JOINED)
    decision_reference = (decision_reference or "").strip()
    _required(
        {
            "decision_reference": decision_reference,
            "decision_date": decision_date,
            "business_id": (business_id or "").strip(),
        },
        {
            "decision_reference": _("The decision"),
            "decision_date": _("The decision date"),
            "business_id": _("The business ID"),
        },
    )
    try:
        business_id = normalize_business_id(business_id.strip())
    except ValidationError as error:
        raise ValidationError({"business_id": error}) from error
    if einvoice_address and not einvoice_operator:
        raise ValidationError(
            {"einvoice_operator": _("An e-invoice address needs the operator ID.")}
        )
    offer.decision_reference = decision_reference
    offer.decision_date = decision_date
    offer.business_id = business_id
    offer.einvoice_address = (einvoice_address or "").strip()
    offer.einvoice_operator = (einvoice_operator or "").strip().upper()
    offer.cost_centre = (cost_centre or "").strip()
    offer.buyer_reference = (buyer_reference or "").strip()
    offer.full_clean(exclude=["membership", "status"])
    offer.membership = membership_for_offer(offer=offer)
    offer.status = OfferStatus.JOINED
    invoicing_details_confirm(
        municipality=offer.municipality,
        season=offer.season,
        by=by,
        details={
            "business_id": offer.business_id,
            "einvoice_address": offer.einvoice_address,
            "einvoice_operator": offer.einvoice_operator,
            "buyer_reference": offer.buyer_reference or offer.cost_centre,
        },
        now=now,
    )
    return _save(offer, by, now)


def membership_for_offer(*, offer: Offer) -> Membership:
    """The season's membership of the offer's municipality, created from the decision if it does
    not exist yet (idempotent); the responsible consultant carries over from the last season."""
    membership = Membership.objects.filter(
        season=offer.season, municipality=offer.municipality
    ).first()
    if membership is not None:
        return membership
    before = (
        Membership.objects.filter(
            municipality=offer.municipality, season__start_date__lt=offer.season.start_date
        )
        .select_related("responsible_consultant")
        .order_by("-season__start_date")
        .first()
    )
    consultant = before.responsible_consultant if before else None
    if consultant is not None and not consultant.is_active:
        consultant = None
    membership = Membership(
        municipality=offer.municipality,
        season=offer.season,
        joined_on=max(offer.decision_date, offer.season.start_date)
        if offer.decision_date
        else offer.season.start_date,
        decision_reference=offer.decision_reference,
        responsible_consultant=consultant,
        buyer_reference=offer.buyer_reference or offer.cost_centre,
    )
    membership.full_clean()
    membership.save()
    return membership


# --- Invoicing details ----------------------------------------------------------------------


def _clean_details(details: dict[str, str]) -> dict[str, str]:
    cleaned = {name: str(value or "").strip() for name, value in details.items()}
    if cleaned.get("business_id"):
        try:
            cleaned["business_id"] = normalize_business_id(cleaned["business_id"])
        except ValidationError as error:
            raise ValidationError({"business_id": error}) from error
    if cleaned.get("einvoice_operator"):
        cleaned["einvoice_operator"] = cleaned["einvoice_operator"].upper()
    return cleaned


@transaction.atomic
def invoicing_details_confirm(
    *,
    municipality: Municipality,
    season: Season,
    by: User | None,
    details: dict[str, str],
    now=None,
) -> InvoicingDetailsConfirmation:
    """The contact confirms the municipality's invoicing details for a season, correcting what
    is wrong: the municipality (and the season's membership, for the buyer reference) is saved
    with history, and the confirmation keeps what changed, old → new, for finance."""
    if by is None:
        raise ValueError("invoicing details are confirmed by a person")
    unknown = set(details) - set(INVOICING_FIELDS) - set(MEMBERSHIP_INVOICING_FIELDS)
    if unknown:
        raise ValueError(f"not invoicing details: {sorted(unknown)}")
    details = _clean_details(details)
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    changes: dict[str, list[str]] = {}
    for name in INVOICING_FIELDS:
        if name in details and getattr(municipality, name) != details[name]:
            changes[name] = [getattr(municipality, name), details[name]]
            setattr(municipality, name, details[name])
    if changes:
        if "business_id" in changes:
            municipality.business_id_verified = False
            municipality.business_id_source = _("confirmed by the municipality in the portal")
        municipality._history_user = by
        municipality.full_clean()
        municipality.save()
    membership = Membership.objects.filter(municipality=municipality, season=season).first()
    if membership is not None:
        for name in MEMBERSHIP_INVOICING_FIELDS:
            if name in details and getattr(membership, name) != details[name]:
                changes[name] = [getattr(membership, name), details[name]]
                setattr(membership, name, details[name])
        if any(name in changes for name in MEMBERSHIP_INVOICING_FIELDS):
            membership._history_user = by
            membership.full_clean()
            membership.save()
    confirmation = InvoicingDetailsConfirmation(
        municipality=municipality,
        season=season,
        confirmed_by=by,
        confirmed_at=now or timezone.now(),
        changes=changes,
    )
    confirmation.full_clean()
    confirmation.save()
    return confirmation


def upcoming_season(today: datetime.date | None = None) -> Season | None:
    """The season in preparation: the next one to start."""
    today = today or timezone.localdate()
    return Season.objects.filter(start_date__gt=today).order_by("start_date").first()


def previous_members(season: Season):
    """The municipalities that were members of the season before `season`."""
    before = previous_season(season)
    if before is None:
        return Municipality.objects.none()
    return Municipality.objects.filter(memberships__season=before).order_by("code")
