"""`manage.py billing_run --season 2021-2022 --year 2021`: draft invoices of the year.

Stable interface: one line per problem (naming the municipality), then a summary; exit status 1
if any membership could not be invoiced, 0 otherwise. Idempotent.
"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing.services import billing_run

from ._season_year import add_season_year, season_of


class Command(BaseCommand):
    help = "Create the draft annual-fee and travel-cost invoices of a season for a year."

    def add_arguments(self, parser) -> None:
        add_season_year(parser)

    def handle(self, *args, season: str, year: int, **options) -> None:
        try:
            result = billing_run(season=season_of(season), year=year)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for problem in result.problems:
            self.stdout.write(f"PROBLEM {problem}")
        self.stdout.write(
            f"Annual-fee invoices: {result.fee_invoices_created} drafted, "
            f"{result.fee_invoices_existing} already there; travel costs: "
            f"{result.travel_lines_added} on {result.travel_invoices_touched} draft invoice(s); "
            f"{len(result.problems)} problem(s)."
        )
        if result.problems:
            sys.exit(1)
