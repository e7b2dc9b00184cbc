"""Writes of the billing app (split by sub-domain; import from here)."""

from .fees import (
    MissingData,
    check_tiers,
    population_for_fee,
    schedule_is_locked,
    tier_for,
    vat_rate_on,
)
from .issuing import (
    credit_note_create,
    invoice_issue,
    invoice_mark_paid,
    invoice_mark_sent,
    render_documents,
    store_documents,
    totals,
)
from .runs import RunResult, billing_run, members_in_year, travel_cost_approve, travel_cost_drafts

__all__ = [
    "MissingData",
    "RunResult",
    "billing_run",
    "check_tiers",
    "credit_note_create",
    "invoice_issue",
    "invoice_mark_paid",
    "invoice_mark_sent",
    "members_in_year",
    "population_for_fee",
    "render_documents",
    "schedule_is_locked",
    "store_documents",
    "tier_for",
    "totals",
    "travel_cost_approve",
    "travel_cost_drafts",
    "vat_rate_on",
]
