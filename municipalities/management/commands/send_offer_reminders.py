"""`manage.py send_offer_reminders`: e-mail a reminder of every open offer that is due one (two
weeks after the last word either way; a week after a board meeting that passed without news).
Idempotent: run it from cron (e.g. daily), next to send_feedback_reminders."""

from django.core.management.base import BaseCommand

from municipalities.renewal.services import offers_remind_due


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        reminded = offers_remind_due()
        self.stdout.write(f"{reminded} offer reminder(s) sent.")
