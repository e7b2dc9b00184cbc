"""`manage.py load_demo [--all-municipalities]`: the demo data of every app. Idempotent.

Two seasons: the historic 2021-2022 of the seeds, and the current one, dated from the day the
command runs (`municipalities/demo_dates.py`), plus the next season as a row.

Each app contributes an idempotent step from its `demo` module (see
`municipalities.demo.register_demo_step`); the steps run in their declared order in one
transaction.
"""

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import autodiscover_modules

from municipalities.demo import DemoContext, demo_steps


class Command(BaseCommand):
    help = (
        "Load the demo: the season 2021-2022 and the season running today, with their members, "
        "users and the data of every app."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all-municipalities",
            action="store_true",
            help="Make every imported municipality a member (for load tests and benchmarks).",
        )

    def handle(self, *args, all_municipalities: bool, **options) -> None:
        autodiscover_modules("demo")
        context = DemoContext(all_municipalities=all_municipalities)
        with transaction.atomic(), translation.override("en"):
            for _order, _name, step in demo_steps():
                step(context)
        for line in [*context.lines, "", *context.logins]:
            self.stdout.write(line)
