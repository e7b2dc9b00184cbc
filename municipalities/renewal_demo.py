"""Demo of renewal: the next season's offers out, some answered. Deterministic and idempotent.

`load(current_season, next_season)` sends the offers of `next_season` to every member of
`current_season` and to a few prospects (the first non-members by municipality code that have a
population figure), then records answers by the members' index (sorted by code): joined,
decision pending, interested, declined, and the rest not answered yet. Ylöjärvi (980), the
README's example contact, is left with an open offer to answer. `next_season=None` creates it
from the current one (`season_create_next`). A re-run sends and answers nothing again.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import Membership, Municipality, Offer, PopulationFigure, Season, User
from .renewal import hooks, services

PROSPECTS = 5
EXAMPLE_CONTACT_CODE = "980"


def _contact_user(municipality: Municipality) -> User | None:
    return User.objects.filter(municipality=municipality, is_active=True).order_by("pk").first()


def _answer(offer: Offer, kind: int, next_season: Season, sent: datetime.datetime) -> None:
    by = _contact_user(offer.municipality)
    answered = sent + datetime.timedelta(days=3 + kind)
    if kind == 0 and by is not None and offer.municipality.business_id:
        decided = timezone.localdate(answered)
        section = 200 + int(offer.municipality.code)
        services.offer_join(
            offer=offer,
            decision_reference=f"KH {decided.day}.{decided.month}.{decided.year} § {section}",
            decision_date=decided,
            business_id=offer.municipality.business_id,
            einvoice_address=offer.municipality.einvoice_address,
            einvoice_operator=offer.municipality.einvoice_operator,
            cost_centre=f"{1100 + int(offer.municipality.code)}",
            by=by,
            now=answered,
        )
    elif kind == 1:
        services.offer_mark_decision_pending(
            offer=offer,
            board_meeting_date=next_season.start_date - datetime.timedelta(days=20),
            by=by,
            now=answered,
        )
    elif kind == 2:
        services.offer_mark_interested(offer=offer, by=by, now=answered)
    elif kind == 3:
        services.offer_decline(
            offer=offer,
            reason="Talousarviotilanne ei salli osallistumista tällä kaudella.",
            by=by,
            now=answered,
        )


def load(current_season: Season, next_season: Season | None = None, *, say=print) -> Season:
    if next_season is None:
        next_season = (
            Season.objects.filter(start_date__gt=current_season.end_date)
            .order_by("start_date")
            .first()
        ) or services.season_create_next(source=current_season)
    hooks.carry_over(current_season, next_season)  # nothing when it has a fee schedule
    members = list(Municipality.objects.filter(memberships__season=current_season).order_by("code"))
    with_figure = PopulationFigure.objects.values("municipality_id")
    prospects = list(
        Municipality.objects.filter(is_active=True, pk__in=with_figure)
        .exclude(memberships__season=current_season)
        .exclude(pk__in=Membership.objects.filter(season=next_season).values("municipality_id"))
        .order_by("code")[:PROSPECTS]
    )
    # sent three weeks ago, so that the unanswered ones are due a reminder
    sent = timezone.now() - datetime.timedelta(days=21)
    result = services.offers_send(
        season=next_season, municipalities=[*members, *prospects], sent_by=None, now=sent
    )
    offers = {
        offer.municipality_id: offer
        for offer in Offer.objects.filter(season=next_season).select_related(
            "municipality", "season"
        )
    }
    answered = 0
    for index, municipality in enumerate(members):
        offer = offers.get(municipality.pk)
        if offer is None or offer.answered_at or municipality.code == EXAMPLE_CONTACT_CODE:
            continue
        kind = index % 6
        if kind < 4:
            _answer(offer, kind, next_season, sent)
            answered += 1
    if prospects and prospects[0].pk in offers and not offers[prospects[0].pk].answered_at:
        _answer(offers[prospects[0].pk], 2, next_season, sent)
        answered += 1
    say(
        f"Offers of {next_season.slug}: {result.created} sent ({len(prospects)} to prospects), "
        f"{answered} answered."
    )
    for problem in result.problems:
        say(f"  {problem}")
    return next_season
