"""`manage.py import_indicators PATH`: indicator values in the long format
`municipality_code,indicator,year,value,unit,source` (CSV or XLSX). Atomic and idempotent;
exit status 1 when the file is refused (nothing imported)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.importers import import_indicator_file
from municipalities.importers import ImportRejected


class Command(BaseCommand):
    help = "Import indicator values (CSV or XLSX, long format). Any bad line refuses the file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if not path.is_file():
            raise CommandError(f"Cannot read {path}: no such file.")
        try:
            result = import_indicator_file(path)
        except ImportRejected as rejected:
            lines = "\n".join(f"  {error}" for error in rejected.errors[:200])
            more = len(rejected.errors) - 200
            tail = f"\n  … and {more} more" if more > 0 else ""
            count = len(rejected.errors)
            raise CommandError(
                f"{path} was refused; nothing was imported. {count} problem(s):\n{lines}{tail}"
            ) from rejected
        self.stdout.write(
            f"Indicator values: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
