"""`manage.py import_indicator_definitions [PATH] [--overwrite]`: indicator definitions
(default: the bundled data/indicator_definitions.csv). Creates the missing indicators and updates
names, units, sources and licences; keeps what staff chose for perspective, direction, headline
and position unless --overwrite. Atomic; exit status 1 when the file is refused."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from analysis.definitions import DEFINITIONS_CSV, read_definitions, store_definitions
from analysis.models import Indicator
from municipalities.importers import ImportRejected

from ._refused import refused


class Command(BaseCommand):
    help = "Import indicator definitions (CSV). Any bad line refuses the file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, nargs="?", default=DEFINITIONS_CSV)
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Also set perspective, direction, headline and position from the file.",
        )

    def handle(self, *args, path: Path, overwrite: bool, **options) -> None:
        if not path.is_file():
            raise CommandError(f"Cannot read {path}: no such file.")
        try:
            definitions = read_definitions(path)
        except ImportRejected as rejected:
            raise refused(path, rejected) from rejected
        with transaction.atomic():
            result = store_definitions(Indicator, definitions, overwrite=overwrite)
        self.stdout.write(
            f"Indicator definitions: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
