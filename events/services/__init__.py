"""Writes of the events app (split by sub-domain; import from here)."""

from .deletion import (
    announcement_attachment_delete,
    announcement_delete,
    event_delete,
    event_delete_problems,
    event_material_delete,
    replaced_file_delete,
)
from .privacy import participants_anonymize
from .programme import (
    announcement_publish,
    calendar_feed_renew,
    calendar_feed_revoke,
    event_cancel,
    event_save,
    event_send_update,
    quota_problem,
    quota_usage,
    reminders_send,
)
from .registration import (
    attendance_mark,
    municipality_places_taken,
    registration_cancel,
    registration_check,
    registration_create,
    registration_create_for_new_person,
    registrations_promote,
    waitlist_position,
)

__all__ = [
    "announcement_attachment_delete",
    "announcement_delete",
    "announcement_publish",
    "attendance_mark",
    "calendar_feed_renew",
    "calendar_feed_revoke",
    "event_cancel",
    "event_delete",
    "event_delete_problems",
    "event_material_delete",
    "event_save",
    "event_send_update",
    "municipality_places_taken",
    "participants_anonymize",
    "quota_problem",
    "quota_usage",
    "registration_cancel",
    "registration_check",
    "registration_create",
    "registration_create_for_new_person",
    "registrations_promote",
    "reminders_send",
    "replaced_file_delete",
    "waitlist_position",
]
