"""`manage.py send_feedback_reminders`: remind, once, those who have not answered
FEEDBACK_REMINDER_DAYS after their invitation while the survey is open, and erase the ballots
of closed surveys (after which no answer can be linked to an invitation). Idempotent: run it
from cron (e.g. hourly), next to send_event_reminders."""

from django.core.management.base import BaseCommand

from feedback.services import reminders_send, surveys_close


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        sent = reminders_send()
        closed = surveys_close()
        self.stdout.write(f"{sent} reminder(s) sent, {closed} ballot(s) of closed surveys erased.")
