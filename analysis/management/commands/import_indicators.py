"""`manage.py import_indicators PATH`: indicator values in the long format
`municipality_code,indicator,year,value,unit,source` (CSV, gzipped CSV `.csv.gz` or XLSX).
Atomic and idempotent; exit status 1 when the file is refused (nothing imported)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.importers import import_indicator_file
from municipalities.importers import ImportRejected

from ._refused import refused


class Command(BaseCommand):
    help = (
        "Import indicator values (CSV, CSV.GZ or XLSX, long format); a bad line refuses the file."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if not path.is_file():
            raise CommandError(f"Cannot read {path}: no such file.")
        try:
            result = import_indicator_file(path)
        except ImportRejected as rejected:
            raise refused(path, rejected) from rejected
        self.stdout.write(
            f"Indicator values: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
