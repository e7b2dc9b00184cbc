"""What renewal needs from the billing app, registered by billing in its `AppConfig.ready()`.

`municipalities` imports no other app, yet an offer must state the very fee the billing run will
charge, and a new season carries its fee schedule over. Billing registers:

* `fee_quote(municipality, season, year) -> FeeQuote`: the annual fee of a year by billing's
  own rule (the tier of the season's fee schedule that holds the population), with the
  population figure it used; raises `FeeUnavailable` with the reason;
* `carry_over(source, target)`: copy what billing keeps per season (the fee schedule and its
  tiers) from one season to the next, as editable new rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class FeeQuote:
    year: int
    population: int
    population_date: datetime.date
    tier_label: str
    annual_fee: Decimal
    # the date of the population figure the billing run will use for this year (31.12. of the
    # year before); the quote is an estimate while that figure is not yet published
    billed_on_date: datetime.date

    @property
    def is_estimate(self) -> bool:
        return self.population_date != self.billed_on_date


class FeeUnavailable(Exception):
    """No fee can be quoted (no schedule, no population); the message says why."""


_registry: dict[str, Callable] = {}


def register(*, fee_quote: Callable, carry_over: Callable) -> None:
    _registry["fee_quote"] = fee_quote
    _registry["carry_over"] = carry_over


def fee_quote(municipality, season, year: int) -> FeeQuote:
    if "fee_quote" not in _registry:
        raise FeeUnavailable("no fee calculator is registered (is the billing app installed?)")
    return _registry["fee_quote"](municipality, season, year)


def carry_over(source, target) -> None:
    if "carry_over" in _registry:
        _registry["carry_over"](source, target)
