"""`manage.py billing_export --season 2021-2022 --year 2021 --out DIR`: the invoice register
(register.csv, register.xlsx) and every issued invoice's pdf/<number>.pdf and
finvoice/<number>.xml."""

from pathlib import Path

from django.core.management.base import BaseCommand

from billing.exports import export_files, register_invoices, write_directory

from ._season_year import add_season_year, season_of


class Command(BaseCommand):
    help = "Export the invoice register and the stored documents of a season and year."

    def add_arguments(self, parser) -> None:
        add_season_year(parser)
        parser.add_argument("--out", required=True, type=Path, help="target directory")

    def handle(self, *args, season: str, year: int, out: Path, **options) -> None:
        invoices = register_invoices(season_of(season), year)
        files = export_files(invoices)
        write_directory(files, out)
        self.stdout.write(f"Wrote {len(files)} file(s) for {invoices.count()} invoice(s) to {out}.")
