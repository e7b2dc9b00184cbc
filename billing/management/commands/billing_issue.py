"""`manage.py billing_issue --season 2021-2022 --year 2021 [--background] [--workers N]`.

Issues every draft of the season and year (numbers, then PDFs and Finvoice messages) and returns
when every document is stored, rendering on several cores; `--background` hands the work to the
task worker instead and prints the batch to follow in the admin.

Safe to run again at any time, above all after a crash: it also renders every issued invoice of
the season and year whose documents are missing (not ready, or a stored file gone, unreadable or
altered), naming each, and finishes the season's batches whose worker died. Credit-note drafts
are never issued in bulk (they are issued one by one in the admin).

Stable interface: "RENDER AGAIN <number>: <why>" per invoice left without documents,
"PROBLEM ..." per problem, then a summary; exit status 1 if there was a problem.
"""

import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from billing.services.batches import (
    batch_close,
    batch_start,
    batches_renew,
    batches_take_over,
    credit_note_drafts_of,
    issue_drafts,
    issued_of,
    render_in_processes,
    sweep,
)
from billing.services.documents import mark_documents_missing
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
            sweep()
            batch = batch_start(season=season_row, year=year, actor=user)
            self.stdout.write(f"Batch {batch.pk} queued with {batch.total} draft(s).")
            return
        started = time.perf_counter()
        taken = batches_take_over(season=season_row, year=year)
        for batch in taken:
            self.stdout.write(f"TAKING OVER batch {batch.pk}: its worker stopped")
        sweep()  # other abandoned work goes back to the worker

        def heartbeat() -> None:
            batches_renew(taken)

        result = issue_drafts(season=season_row, year=year, actor=user, on_progress=heartbeat)
        just_issued = {invoice.pk for invoice in result.issued}
        missing = mark_documents_missing(issued_of(season_row, year))
        again = [(invoice, why) for invoice, why in missing if invoice.pk not in just_issued]
        for invoice, problem in again:
            self.stdout.write(f"RENDER AGAIN {invoice.number}: {problem}")
        rendered, problems = render_in_processes(
            [invoice for invoice, _problem in missing], workers=workers, on_progress=heartbeat
        )
        all_problems = [*result.problems, *problems]
        for batch in taken:
            batch_close(batch, problems=all_problems)
        for problem in all_problems:
            self.stdout.write(f"PROBLEM {problem}")
        if credit_notes := credit_note_drafts_of(season_row, year):
            self.stdout.write(
                f"NOTE {credit_notes} credit-note draft(s) not issued: credit notes are issued "
                "one by one in the admin."
            )
        self.stdout.write(
            f"Issued {len(result.issued)} invoice(s); stored documents of {rendered}"
            + (f" ({len(again)} left without documents before)" if again else "")
            + f"; {len(all_problems)} problem(s); {time.perf_counter() - started:.1f} s."
        )
        if all_problems:
            sys.exit(1)
