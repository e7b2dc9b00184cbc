"""`manage.py import_neighbours [PATH]`: bordering municipalities, `municipality_code,
neighbour_code,source` (default: the bundled data/neighbours.csv). Atomic and idempotent; exit
status 1 when the file is refused (nothing imported)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.neighbours import NEIGHBOURS_CSV, import_neighbours
from municipalities.importers import ImportRejected

from ._refused import refused


class Command(BaseCommand):
    help = "Import neighbouring municipalities (CSV). Any bad line refuses the file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, nargs="?", default=NEIGHBOURS_CSV)

    def handle(self, *args, path: Path, **options) -> None:
        if not path.is_file():
            raise CommandError(f"Cannot read {path}: no such file.")
        try:
            result = import_neighbours(path)
        except ImportRejected as rejected:
            raise refused(path, rejected) from rejected
        self.stdout.write(
            f"Neighbouring municipalities: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged; {result.unconfirmed} listed one way only."
        )
