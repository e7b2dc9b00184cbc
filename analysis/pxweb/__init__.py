"""Statistics Finland PxWeb tables into indicator values (`manage.py import_statfin`).

`formats` reads both API generations' responses, `mapping` the shipped indicator mappings
(`analysis/data/statfin/`), `fetch` the HTTP side, `importing` validates and upserts.
"""

from __future__ import annotations

from pathlib import Path

from .errors import TableRefused
from .fetch import fetch_table
from .formats import detect, load_json, read_table
from .importing import Summary, import_table
from .mapping import default_mapping, load_mapping

__all__ = ["TableRefused", "import_statfin"]


def import_statfin(
    table_url: str,
    *,
    file: Path | None = None,
    indicator_map: Path | None = None,
    dry_run: bool = False,
) -> Summary:
    """Read the table (a saved response with `file`, else fetched), map and upsert it; one
    `TableRefused` for every reason it is not imported (then nothing was written)."""
    mapping = load_mapping(indicator_map) if indicator_map else None
    if file is not None:
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise TableRefused(f"cannot read {file}: {error.strerror}") from error
        document = load_json(raw)
        detect(document)
        names = [table_url, file.name]
    else:
        if mapping is None:
            mapping = default_mapping(table_url)
        document = fetch_table(table_url, mapping)
        names = [table_url]
    table = read_table(document)
    if mapping is None:
        mapping = default_mapping(*names, table.table_id)
    return import_table(table, mapping, dry_run=dry_run)
