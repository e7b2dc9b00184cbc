"""The precomputed all-municipalities statistics (`NationalStatistic`): written here, read by the
selectors. `importers.values_changed` calls `refresh` after every import, so that a page reads
one small row per indicator and year instead of every municipality's value."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps as global_apps
from django.db import transaction


def refresh(indicator_ids: Iterable[int] | None = None, *, apps=global_apps) -> int:
    """Recompute the statistics of the given indicators (all when None); the number of rows.

    `apps` is the migration state's registry when called from a migration."""
    value_model = apps.get_model("analysis", "IndicatorValue")
    statistic_model = apps.get_model("analysis", "NationalStatistic")
    values = value_model.objects.filter(is_preferred=True)
    statistics_ = statistic_model.objects.all()
    if indicator_ids is not None:
        ids = sorted(set(indicator_ids))
        values, statistics_ = (
            values.filter(indicator_id__in=ids),
            statistics_.filter(indicator_id__in=ids),
        )
    by_key: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for indicator_id, year, value in values.values_list("indicator_id", "year", "value"):
        by_key[(indicator_id, year)].append(value)
    rows = [
        statistic_model(
            indicator_id=indicator_id,
            year=year,
            count=len(numbers),
            median=Decimal(statistics.median(numbers)),
        )
        for (indicator_id, year), numbers in sorted(by_key.items())
    ]
    with transaction.atomic():
        statistics_.delete()
        statistic_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
