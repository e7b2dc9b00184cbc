"""Writes of renewal: the next season (`seasons`), offers and reminders (`offers`), their answers
(`answers`), invoicing details (`details`). Callers import from here.

An offer moves invited → interested → decision pending → joined or declined; every move is one
of the functions below, which validate what the new state needs before saving (no joining
without the decision, its date and the business ID). The offer's history (django-simple-history)
records who moved it and when. Joining creates the season's membership, once.
"""

from .answers import (
    TRANSITIONS,
    membership_for_offer,
    offer_decline,
    offer_join,
    offer_mark_decision_pending,
    offer_mark_interested,
)
from .details import INVOICING_FIELDS, MEMBERSHIP_INVOICING_FIELDS, invoicing_details_confirm
from .offers import (
    REMINDER_AFTER,
    RemindOutcome,
    RemindResult,
    SendResult,
    offer_recipients,
    offer_remind,
    offer_reminder_due,
    offer_send,
    offers_remind,
    offers_remind_due,
    offers_send,
)
from .seasons import previous_members, previous_season, season_create_next, upcoming_season

__all__ = [
    "INVOICING_FIELDS",
    "MEMBERSHIP_INVOICING_FIELDS",
    "REMINDER_AFTER",
    "TRANSITIONS",
    "RemindOutcome",
    "RemindResult",
    "SendResult",
    "invoicing_details_confirm",
    "membership_for_offer",
    "offer_decline",
    "offer_join",
    "offer_mark_decision_pending",
    "offer_mark_interested",
    "offer_recipients",
    "offer_remind",
    "offer_reminder_due",
    "offer_send",
    "offers_remind",
    "offers_remind_due",
    "offers_send",
    "previous_members",
    "previous_season",
    "season_create_next",
    "upcoming_season",
]
