"""`manage.py send_feedback_surveys`: send the feedback survey of every event and workshop held
in the last FEEDBACK_LOOKBACK_DAYS days (events: the participants marked present; workshops:
the municipality's contact persons). Idempotent and resumable: run it from cron (e.g. hourly);
nobody is ever asked twice, and people marked present later are asked while the survey is open.
"""

from django.core.management.base import BaseCommand

from feedback.services import surveys_send_due


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        result = surveys_send_due()
        self.stdout.write(
            f"{result.surveys} survey(s) created, {result.invited} person(s) invited."
        )
