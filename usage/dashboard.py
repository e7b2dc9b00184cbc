"""The contact's entitlement panel on the dashboard: what the season gives and what the
municipality has used of it (two queries of its own: the season's events with the
municipality's counts and the analysis report; the workshops come from the workshops panel)."""

from __future__ import annotations

from analysis.batch_models import Report, ReportStatus
from municipalities.models import Membership, User
from workshops.selectors import dashboard_workshops

from .selectors import entitlements_for


def entitlement_panel(user: User, membership: Membership | None) -> dict | None:
    if membership is None or user.municipality_id != membership.municipality_id:
        return None
    _workshops, quota = dashboard_workshops(user, membership)
    entitlements = entitlements_for(membership, quota=quota)
    report = (
        Report.objects.filter(
            municipality_id=membership.municipality_id,
            season_id=membership.season_id,
            status=ReportStatus.READY,
        )
        .only("pk", "rendered_at")
        .first()
    )
    return {
        "entitlements": entitlements,
        "held_events": entitlements.held_events[::-1],  # the latest first
        "municipality": membership.municipality,
        "report": report,
    }
