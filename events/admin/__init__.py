"""The events admin, by sub-domain: events (with series and materials), registrations,
announcements (with attachments and calendar feeds). Importing the modules registers them."""

from . import announcements, events, registrations

__all__ = ["announcements", "events", "registrations"]
