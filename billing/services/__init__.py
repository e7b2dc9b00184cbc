"""Writes of the billing app (split by sub-domain; import from here)."""

from .deletion import (
    fee_schedule_delete,
    invoice_draft_delete,
    invoice_line_delete,
    series_delete,
    vat_rate_delete,
)
from .documents import (
    DocumentsMissing,
    documents_problem,
    mark_documents_missing,
    render_documents,
    store_documents,
    stored_documents,
)
from .fees import (
    MissingData,
    check_tiers,
    fee_schedule_carry_over,
    offer_fee_quote,
    population_for_fee,
    schedule_is_locked,
    tier_for,
    vat_rate_on,
)
from .issuing import (
    AlreadyIssued,
    credit_note_create,
    invoice_issue,
    invoice_mark_paid,
    invoice_mark_sent,
    totals,
)
from .runs import RunResult, billing_run, members_in_year, travel_cost_approve, travel_cost_drafts

__all__ = [
    "AlreadyIssued",
    "DocumentsMissing",
    "MissingData",
    "RunResult",
    "billing_run",
    "check_tiers",
    "credit_note_create",
    "documents_problem",
    "fee_schedule_carry_over",
    "fee_schedule_delete",
    "invoice_draft_delete",
    "invoice_issue",
    "invoice_line_delete",
    "invoice_mark_paid",
    "invoice_mark_sent",
    "mark_documents_missing",
    "members_in_year",
    "offer_fee_quote",
    "population_for_fee",
    "render_documents",
    "schedule_is_locked",
    "series_delete",
    "store_documents",
    "stored_documents",
    "tier_for",
    "totals",
    "travel_cost_approve",
    "travel_cost_drafts",
    "vat_rate_delete",
    "vat_rate_on",
]
