"""Who may open which analysis, and the season it is read for."""

from __future__ import annotations

from django.http import Http404

from municipalities import scoping
from municipalities.models import Membership, Municipality, Season, User

from ..models import IndicatorValue


def analyses_visible_to(user: User):
    """Ids of the municipalities whose analysis the user may open: `IndicatorValue`'s rule (a
    contact their own, a consultant those they are responsible for, network staff any)."""
    return scoping.municipalities_visible_to(user, IndicatorValue)


def is_analyst(user: User) -> bool:
    """Staff who read analyses (network staff, consultants); each sees those of their rule."""
    return scoping.may_view(user, IndicatorValue)


def municipality_for(*, user: User, code: str) -> Municipality:
    municipality = Municipality.objects.filter(code=code, pk__in=analyses_visible_to(user)).first()
    if municipality is None:
        raise Http404("No analysis for that municipality.")
    return municipality


def member_list_for(*, user: User, season: Season | None):
    """The season's members whose analyses the user may open."""
    return (
        Membership.objects.filter(season=season, municipality_id__in=analyses_visible_to(user))
        .select_related("municipality")
        .order_by("municipality__name_fi")
    )


def season_for(*, municipality: Municipality, slug: str | None) -> Season | None:
    seasons = Season.objects.filter(memberships__municipality=municipality)
    if slug:
        return seasons.filter(slug=slug[:100]).first() or seasons.current()
    return seasons.current()


def season_report(membership: Membership):
    """The membership's season report once staff have produced it (pk and date only), asked
    once per dashboard request: the analysis panel and the entitlement panel both show it."""
    from municipalities import dashboard

    from ..batch_models import Report, ReportStatus

    def compute():
        return (
            Report.objects.filter(
                municipality_id=membership.municipality_id,
                season_id=membership.season_id,
                status=ReportStatus.READY,
            )
            .only("pk", "rendered_at")
            .order_by("pk")  # one per season and municipality: no join for the default order
            .first()
        )

    return dashboard.shared(membership, "season_report", compute)


def dashboard_panel(user: User, membership) -> dict | None:
    """The contact's panel: the live analysis and, once staff have produced the season's
    reports, the stored report the municipality received (one query, shared with the
    entitlement panel)."""
    if user.municipality_id is None or membership is None:
        return None
    return {"municipality": membership.municipality, "report": season_report(membership)}
