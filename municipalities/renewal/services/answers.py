"""An offer's answers: invited → interested → decision pending → joined or declined; every
move validates what the new state needs (no joining without the decision, its date and the
business ID). Joining creates the season's membership, once."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import (
    Membership,
    User,
)
from ...validators import normalize_business_id
from ..models import (
    Offer,
    OfferStatus,
)
from .details import invoicing_details_confirm

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
