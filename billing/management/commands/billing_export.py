"""`manage.py billing_export --season 2021-2022 --year 2021 --out DIR`: the invoice register
(register.csv, register.xlsx) and every issued invoice's pdf/<number>.pdf and
finvoice/<number>.xml.

All or nothing: when the documents of an issued invoice are missing (not rendered, or a stored
file gone, unreadable or altered), nothing is written; each such invoice is named
("MISSING <number>: <why>") and the exit status is 1. `billing_issue` renders them.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.exports import MissingDocuments, export_files, register_invoices, write_directory

from ._season_year import add_season_year, season_of


class Command(BaseCommand):
    help = "Export the invoice register and the stored documents of a season and year."

    def add_arguments(self, parser) -> None:
        add_season_year(parser)
        parser.add_argument("--out", required=True, type=Path, help="target directory")

    def handle(self, *args, season: str, year: int, out: Path, **options) -> None:
        invoices = register_invoices(season_of(season), year)
        try:
            files = export_files(invoices)
        except MissingDocuments as missing:
            for item in missing.missing:
                self.stdout.write(f"MISSING {item}")
            self.stdout.write(
                f"Nothing written: the documents of {len(missing.missing)} invoice(s) are "
                f"missing; run billing_issue --season {season} --year {year} to render them."
            )
            sys.exit(1)
        try:
            write_directory(files, out)
        except OSError as error:
            raise CommandError(f"Nothing written to {out}: {error}") from error
        self.stdout.write(f"Wrote {len(files)} file(s) for {invoices.count()} invoice(s) to {out}.")
