"""Shared arguments of the billing commands: --season SLUG --year YYYY."""

from django.core.management.base import CommandError, CommandParser

from municipalities.models import Season


def add_season_year(parser: CommandParser) -> None:
    parser.add_argument("--season", required=True, help="season identifier, e.g. 2021-2022")
    parser.add_argument("--year", required=True, type=int, help="calendar year, e.g. 2021")


def season_of(slug: str) -> Season:
    try:
        return Season.objects.get(slug=slug)
    except Season.DoesNotExist as error:
        raise CommandError(f"No season {slug!r}.") from error
