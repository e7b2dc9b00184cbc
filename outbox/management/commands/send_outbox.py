"""`manage.py send_outbox`: send every due message of the outbox (retries included), take back
messages whose sender died mid-send, and delete sent and given-up messages older than
OUTBOX_KEEP_DAYS. Run it from cron or a systemd timer, e.g. every minute; it is idempotent and
safe to run next to the task worker (each message is claimed before it is sent)."""

from django.core.management.base import BaseCommand, CommandParser

from outbox.services import messages_purge, messages_send_due


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit", type=int, default=1000, help="at most this many messages per run"
        )
        parser.add_argument("--no-purge", action="store_true", help="keep old messages")

    def handle(self, *args, limit: int, no_purge: bool, **options) -> None:
        report = messages_send_due(limit=limit)
        purged = 0 if no_purge else messages_purge()
        self.stdout.write(
            f"{report.sent} sent, {report.retry} failed (retried later), "
            f"{report.given_up} given up, {report.released} interrupted taken back; "
            f"{report.waiting} waiting, {purged} old deleted."
        )
