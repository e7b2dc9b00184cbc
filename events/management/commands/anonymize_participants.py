"""`manage.py anonymize_participants --before SEASON [--dry-run]`: remove the personal data of
the participants of every season that ended before SEASON started (GDPR). Registrations,
attendance statistics and invoices stay. The same rule removes the feedback comments (and the
invitations' addresses) of those seasons' surveys; the scores stay (feedback.services).
Idempotent: a second run anonymises nobody."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from events.services import participants_anonymize
from municipalities.models import Season


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--before", required=True, metavar="SEASON", help="season identifier, e.g. 2025-2026"
        )
        parser.add_argument("--dry-run", action="store_true", help="count only, change nothing")

    def handle(self, *args, before: str, dry_run: bool, **options) -> None:
        season = Season.objects.filter(slug=before).first()
        if season is None:
            known = ", ".join(Season.objects.order_by("start_date").values_list("slug", flat=True))
            raise CommandError(f"No season {before!r}. Seasons: {known or 'none'}.")
        result = participants_anonymize(before=season, dry_run=dry_run)
        seasons = ", ".join(s.slug for s in result.seasons) or "none"
        would = "would be " if dry_run else ""
        if dry_run:
            self.stdout.write("Dry run: nothing is changed.")
        self.stdout.write(f"Seasons ended before {season.slug}: {seasons}.")
        self.stdout.write(f"{result.persons} participant(s) {would}anonymised.")
        self.stdout.write(f"{result.registrations} registration(s) {would}cleaned.")
        self.stdout.write(f"{result.history_rows} historical row(s) {would}deleted.")
        # Feedback comments are personal data under the same rule (a lazy import: the feedback
        # app builds on events, not the other way round).
        from feedback.services import comments_anonymize

        comments, invitations = comments_anonymize(seasons=result.seasons, dry_run=dry_run)
        self.stdout.write(f"{comments} feedback answer(s) {would}stripped of comments.")
        self.stdout.write(f"{invitations} feedback invitation(s) {would}cleaned.")
