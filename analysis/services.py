"""Writes of the analysis outside the file imports: staff's edits in the admin.

A value saved or deleted by hand, or a source whose priority changes, can change which value of a
(municipality, indicator, year) is used: each of these re-runs `mark_preferred` over the keys it
touched and ends with `values_changed`, as the imports do.
"""

from __future__ import annotations

from django.db import transaction

from .importers import lock_indicators, mark_preferred, values_changed
from .models import IndicatorValue, Source

Key = tuple[int, int, int]


def _key(value: IndicatorValue) -> Key:
    return (value.municipality_id, value.indicator_id, value.year)


@transaction.atomic
def indicator_value_save(*, value: IndicatorValue) -> IndicatorValue:
    """Save a value typed in the admin; the priorities of the sources decide whether it is used
    (and whether the value it replaces in its key, or left behind in its old key, is)."""
    previous = (
        IndicatorValue.objects.filter(pk=value.pk)
        .values_list("municipality_id", "indicator_id", "year")
        .first()
        if value.pk
        else None
    )
    keys = {_key(value)} | ({previous} if previous else set())
    lock_indicators({indicator_id for _m, indicator_id, _y in keys})
    value.full_clean(exclude=["is_preferred"])  # one value per source and key
    value.is_preferred = False  # decided below, over every source of the key
    value.save()
    mark_preferred(keys)
    values_changed({indicator_id for _m, indicator_id, _y in keys})
    value.refresh_from_db(fields=["is_preferred"])
    return value


@transaction.atomic
def indicator_values_delete(*, values) -> int:
    """Delete values (a queryset); where a used one goes, the next source's value is used."""
    rows = list(values.values_list("pk", "municipality_id", "indicator_id", "year"))
    keys = {(m, i, y) for _pk, m, i, y in rows}
    lock_indicators({indicator_id for _m, indicator_id, _y in keys})
    deleted, _per_model = IndicatorValue.objects.filter(pk__in=[row[0] for row in rows]).delete()
    mark_preferred(keys)
    values_changed({indicator_id for _m, indicator_id, _y in keys})
    return deleted


@transaction.atomic
def source_save(*, source: Source) -> Source:
    """Save a source; a changed priority decides anew which value of each key it gives is used."""
    old = Source.objects.filter(pk=source.pk).values_list("priority", flat=True).first()
    source.full_clean()
    source.save()
    if old is not None and old != source.priority:
        rows = IndicatorValue.objects.filter(data_source=source).values_list(
            "municipality_id", "indicator_id", "year"
        )
        keys = set(rows)
        lock_indicators({indicator_id for _m, indicator_id, _y in keys})
        mark_preferred(keys)
        values_changed({indicator_id for _m, indicator_id, _y in keys})
    return source
