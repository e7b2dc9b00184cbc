"""`manage.py billing_issue --season 2021-2022 --year 2021 [--background] [--workers N]`.

Issues every draft of the season and year (numbers, then PDFs and Finvoice messages) and returns
when every document is stored, rendering on several cores; `--background` hands the work to the
task worker instead and prints the batch to follow in the admin.
"""

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from billing.services.batches import batch_start, issue_drafts, render_in_processes
from municipalities.models import User

from ._season_year import add_season_year, season_of


class Command(BaseCommand):
    help = "Issue the season's draft invoices of a year and store their PDF and Finvoice files."

    def add_arguments(self, parser) -> None:
        add_season_year(parser)
        parser.add_argument("--background", action="store_true", help="hand over to db_worker")
        parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4))
        parser.add_argument(
            "--as", dest="actor", default="", help="issuer's e-mail (default: first superuser)"
        )

    def handle(
        self, *args, season: str, year: int, background: bool, workers: int, actor: str, **options
    ):
        season_row = season_of(season)
        users = User.objects.filter(is_active=True, municipality__isnull=True)
        user = (
            users.filter(email__iexact=actor).first()
            if actor
            else users.filter(is_superuser=True).order_by("pk").first()
        )
        if user is None:
            who = f"no active staff user {actor!r}" if actor else "no superuser to issue as"
            raise CommandError(f"{who}; name the issuer with --as EMAIL.")
        if background:
            batch = batch_start(season=season_row, year=year, actor=user)
            self.stdout.write(f"Batch {batch.pk} queued with {batch.total} draft(s).")
            return
        started = time.perf_counter()
        result = issue_drafts(season=season_row, year=year, actor=user)
        rendered, problems = render_in_processes(result.issued, workers=workers)
        for problem in [*result.problems, *problems]:
            self.stdout.write(f"PROBLEM {problem}")
        self.stdout.write(
            f"Issued {len(result.issued)} invoice(s); stored documents of {rendered}; "
            f"{len(result.problems) + len(problems)} problem(s); "
            f"{time.perf_counter() - started:.1f} s."
        )
        if result.problems or problems:
            sys.exit(1)
