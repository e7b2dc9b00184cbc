"""`manage.py send_event_reminders [--days N]`: remind confirmed participants of events
starting within N days (default: the EVENT_REMINDER_DAYS setting). Idempotent: run it from cron
as often as you like; nobody gets the same reminder twice."""

from django.core.management.base import BaseCommand, CommandParser

from events.services import reminders_send


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="days ahead (default: setting)")

    def handle(self, *args, days: int | None, **options) -> None:
        sent = reminders_send(days=days)
        self.stdout.write(f"{sent} reminder(s) sent.")
