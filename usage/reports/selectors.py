"""Reads of the season reports: a member's latest ready report and its address."""

from __future__ import annotations

from django.urls import reverse

from municipalities.models import Membership
from uso_portal.batches import DocumentStatus

from ..models import SeasonReport


def latest_season_report_for(membership: Membership | None) -> SeasonReport | None:
    """The municipality's latest ready season report up to the membership's season (during a
    season, the previous season's report; at its end, its own), or None. One query."""
    if membership is None:
        return None
    return (
        SeasonReport.objects.filter(
            membership__municipality_id=membership.municipality_id,
            membership__season__start_date__lte=membership.season.start_date,
            status=DocumentStatus.READY,
        )
        .select_related("membership__season")
        .order_by("-membership__season__start_date")
        .first()
    )


def season_report_url(report: SeasonReport) -> str:
    """Where the municipality's contacts (and staff) download the report."""
    return reverse("season_reports:download", args=[report.pk])
