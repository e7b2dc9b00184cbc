"""`manage.py send_offer_reminders`: e-mail a reminder of every open offer that is due one (two
weeks after the last word either way; a week after a board meeting that passed without news).
A due offer of a municipality without a contact e-mail address is named on stderr and stays
due. Idempotent: run it from cron (e.g. daily), next to send_feedback_reminders."""

from django.core.management.base import BaseCommand

from municipalities.renewal.services import offers_remind_due


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        result = offers_remind_due()
        self.stdout.write(f"{result.reminded} offer reminder(s) sent.")
        if result.no_address:
            names = ", ".join(result.no_address)
            self.stderr.write(f"Due, but no contact with an e-mail address: {names}.")
