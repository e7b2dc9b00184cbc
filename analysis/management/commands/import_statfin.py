"""`manage.py import_statfin TABLE-URL [--indicator-map FILE] [--dry-run] [--file PATH]`:
a Statistics Finland PxWeb table (API v1 JSON-stat2 or the 2026 API's json) into indicator
values. Atomic: a refused table changes nothing and exits 1 with a one-line reason."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from analysis.pxweb import TableRefused, import_statfin


class Command(BaseCommand):
    help = (
        "Import a Statistics Finland PxWeb table (its URL, or --file with a saved response) "
        "through the indicator mapping of analysis/data/statfin/ or --indicator-map."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("table_url", help="the table's PxWeb API address (v1 or v2)")
        parser.add_argument("--indicator-map", type=Path, help="a mapping file (JSON)")
        parser.add_argument("--dry-run", action="store_true", help="print, write nothing")
        parser.add_argument("--file", type=Path, help="read a saved response instead")

    def handle(self, *args, table_url: str, **options) -> None:
        try:
            summary = import_statfin(
                table_url,
                file=options["file"],
                indicator_map=options["indicator_map"],
                dry_run=options["dry_run"],
            )
        except TableRefused as refused:
            line = TableRefused(f"{table_url[:120]} was refused, nothing changed: {refused}")
            raise CommandError(str(line)) from None
        for line in summary.lines():
            self.stdout.write(line)
