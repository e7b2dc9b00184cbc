"""`manage.py import_municipalities PATH`: upsert municipalities and population figures.

Stable interface (other tools call it): exit status 0 on success, 1 when the file is refused;
a refused file changes nothing.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from municipalities.importers import ImportRejected, parse_municipalities_csv
from municipalities.services import POPULATION_SOURCE, ImportResult, municipalities_import


class Command(BaseCommand):
    help = (
        "Import municipalities from a CSV with the columns of Statistics Finland's list "
        "(municipality_code, name_fi, ..., population_YYYY_12_31, y_tunnus, y_tunnus_status). "
        "Upserts by code; atomic: any bad row refuses the whole file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="CSV file (UTF-8, comma-separated)")
        parser.add_argument(
            "--population-source",
            default=POPULATION_SOURCE,
            help="Source recorded on the population figures (default: %(default)s)",
        )

    def handle(self, *args, path: Path, population_source: str, **options) -> None:
        result = import_file(path, population_source=population_source)
        self.stdout.write(summary(result))
        if result.unverified_business_ids:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.unverified_business_ids)} business IDs are unverified and "
                    "flagged in the admin (Business ID verified: no); check them before invoicing."
                )
            )


def import_file(path: Path, *, population_source: str = POPULATION_SOURCE) -> ImportResult:
    try:
        with path.open("rb") as stream:
            rows = parse_municipalities_csv(stream)
        return municipalities_import(rows=rows, population_source=population_source)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from error
    except ImportRejected as rejected:
        lines = "\n".join(f"  {error}" for error in rejected.errors)
        raise CommandError(
            f"{path} was refused; nothing was imported. {len(rejected.errors)} problem(s):\n{lines}"
        ) from rejected


def summary(result: ImportResult) -> str:
    if not result.changed_anything:
        return (
            f"Nothing changed: {result.unchanged} municipalities and "
            f"{result.populations_unchanged} population figures are already up to date."
        )
    return (
        f"Municipalities: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged.\n"
        f"Population figures: {result.populations_created} created, "
        f"{result.populations_updated} updated, {result.populations_unchanged} unchanged."
    )
