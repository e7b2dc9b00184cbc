"""The contact's entitlement panel on the dashboard: what the season gives and what the
municipality has used of it. It asks nothing of its own: the season's events with the
municipality's counts, the workshops and the season's report are asked once per request and
shared with the programme, workshops and analysis panels (`municipalities.dashboard.shared`)."""

from __future__ import annotations

from analysis.selectors import season_report
from events.selectors import dashboard_events
from municipalities.models import Membership, User
from workshops.selectors import dashboard_workshops

from .selectors import entitlements_for


def entitlement_panel(user: User, membership: Membership | None) -> dict | None:
    if membership is None or user.municipality_id != membership.municipality_id:
        return None
    _workshops, quota = dashboard_workshops(user, membership)
    events = dashboard_events(user, membership)
    entitlements = entitlements_for(membership, quota=quota, events=events)
    report = season_report(membership)
    return {
        "entitlements": entitlements,
        "held_events": entitlements.held_events[::-1],  # the latest first
        "municipality": membership.municipality,
        "report": report,
    }
