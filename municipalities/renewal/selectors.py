"""Reads of renewal. Every selector takes the acting user (rows by `scoping.RULES`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .. import scoping
from ..models import Membership, Season, User
from .models import OPEN_STATUSES, InvoicingDetailsConfirmation, Offer, OfferFee, OfferStatus
from .services import offer_reminder_due


def offer_list_for(*, user: User) -> QuerySet[Offer]:
    fees = Prefetch("fees", queryset=OfferFee.objects.order_by("year"))
    return (
        Offer.objects.visible_to(user)
        .select_related("season", "municipality", "membership")
        .prefetch_related(fees)
        .order_by("-season__start_date", "municipality__name_fi")
    )


def offer_for(*, user: User, pk: int) -> Offer:
    try:
        return offer_list_for(user=user).get(pk=pk)
    except Offer.DoesNotExist as error:
        raise Http404("No such offer.") from error


def open_offers_for(*, user: User) -> list[Offer]:
    """A contact's offers still waiting for an answer (the dashboard's panel)."""
    return list(
        Offer.objects.visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("season")
        # the panel links each offer and names its season and status: nothing else
        .only("pk", "status", "season__name_fi", "season__name_sv", "season__name_en")
        .order_by("-season__start_date")
    )


@dataclass
class Pipeline:
    season: Season
    offers: list[Offer]
    counts: list[tuple[str, str, int]]
    # year -> (fees of the municipalities that joined, of those still open)
    fees: list[tuple[int, Decimal, Decimal]]
    not_answered: list[Offer] = field(default_factory=list)
    reminders_due: list[Offer] = field(default_factory=list)
    not_emailed: list[Offer] = field(default_factory=list)  # nobody to e-mail when it was sent

    @property
    def total(self) -> int:
        return len(self.offers)


def pipeline_for(*, user: User, season: Season, now=None) -> Pipeline:
    """The season's offers the user sees, counted by status, their fees by year, those not yet
    answered and those due a reminder: a constant number of queries."""
    if user.municipality_id is not None or not scoping.may_view(user, Offer):
        raise PermissionDenied
    now = now or timezone.now()
    offers = list(offer_list_for(user=user).filter(season=season))
    by_status: dict[str, int] = defaultdict(int)
    joined: dict[int, Decimal] = defaultdict(Decimal)
    open_: dict[int, Decimal] = defaultdict(Decimal)
    for offer in offers:
        by_status[offer.status] += 1
        for fee in offer.fees.all():
            if offer.status == OfferStatus.JOINED:
                joined[fee.year] += fee.annual_fee
            elif offer.status in OPEN_STATUSES:
                open_[fee.year] += fee.annual_fee
    return Pipeline(
        season=season,
        offers=offers,
        counts=[(status.value, status.label, by_status[status]) for status in OfferStatus],
        fees=[(year, joined[year], open_[year]) for year in season.years],
        not_answered=[offer for offer in offers if offer.status == OfferStatus.INVITED],
        reminders_due=[offer for offer in offers if offer_reminder_due(offer, now)],
        not_emailed=[offer for offer in offers if offer.emailed_at is None],
    )


def season_by_slug(slug: str) -> Season:
    return get_object_or_404(Season, slug=slug)


def invoicing_season_for(*, user: User) -> Season | None:
    """The season whose invoicing details a contact confirms: that of their latest membership,
    else of their latest offer."""
    membership = (
        Membership.objects.visible_to(user)
        .select_related("season")
        .order_by("-season__start_date")
        .first()
    )
    if membership is not None:
        return membership.season
    offer = (
        Offer.objects.visible_to(user)
        .select_related("season")
        .order_by("-season__start_date")
        .first()
    )
    return offer.season if offer else None


def confirmation_list_for(*, user: User) -> QuerySet[InvoicingDetailsConfirmation]:
    return (
        InvoicingDetailsConfirmation.objects.visible_to(user)
        .select_related("season", "confirmed_by", "municipality")
        .order_by("-confirmed_at")
    )


def offers_panel(user: User, membership: Membership | None) -> dict | None:
    """The dashboard's panel: the offers waiting for the contact's answer (hidden when none)."""
    if user.municipality_id is None:
        return None
    offers = open_offers_for(user=user)
    return {"offers": offers} if offers else None
