"""Presentation of the network overview: members × headline indicators, sortable, its XLSX."""

from __future__ import annotations

from django.utils.translation import gettext as _

from uso_portal import xlsx

from .reports import number
from .selectors import Overview


def column_title(column) -> str:
    year = (
        f" {column.year}" if column.year and str(column.year) not in column.indicator.name else ""
    )
    return f"{column.indicator.name}{year} ({column.indicator.unit_label})"


def overview_columns(overview: Overview) -> list[dict]:
    columns = []
    for column in overview.columns:
        code, d = column.indicator.code, column.indicator.decimals
        state = "none"
        if overview.sort == code:
            state = "ascending"
        elif overview.sort == f"-{code}":
            state = "descending"
        columns.append(
            {
                "column": column,
                "title": column_title(column),
                "aria_sort": state,
                "next_sort": f"-{code}" if overview.sort == code else code,
                "members_median": number(column.members.median, d),
                "others_median": number(column.others.median, d),
            }
        )
    return columns


def overview_rows(overview: Overview) -> list[dict]:
    return [
        {
            "municipality": row["municipality"],
            "cells": [
                {
                    "value": number(cell["value"], column.indicator.decimals),
                    "rank": cell["rank"],
                }
                for cell, column in zip(row["cells"], overview.columns, strict=True)
            ],
        }
        for row in overview.rows
    ]


def overview_workbook(overview: Overview):
    workbook = xlsx.new_workbook()
    header = [_("Code"), _("Municipality")] + [column_title(c) for c in overview.columns]
    data = [
        [row["municipality"].code, row["municipality"].name]
        + [cell["value"] for cell in row["cells"]]
        for row in overview.rows
    ]
    xlsx.add_sheet(workbook, overview.season.slug, header, data)
    comparison = [
        [
            column_title(c),
            c.members.median,
            c.members.count,
            c.members.size,
            c.others.median,
            c.others.count,
            c.others.size,
            f"{c.indicator.source} ({c.indicator.licence})",
        ]
        for c in overview.columns
    ]
    xlsx.add_sheet(
        workbook,
        _("Members vs rest of Finland"),
        [
            _("Indicator"),
            _("Members, median"),
            _("Members with a value"),
            _("Members"),
            _("Rest of Finland, median"),
            _("Others with a value"),
            _("Other municipalities"),
            _("Source"),
        ],
        comparison,
    )
    return workbook
