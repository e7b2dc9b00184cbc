"""Presentation of the analysis: number formats, charts, the summary's cells, the PDF report."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .charts import Series, line_chart
from .selectors import (
    DEFAULT_PEER_GROUP,
    Assessment,
    Comparison,
    PeerGroup,
    Position,
    analysis_for,
    season_for,
)
from .summary import Summary, summarize

DASH = "–"
SYMBOLS = {Position.ABOVE: "▲", Position.NEAR: "≈", Position.BELOW: "▼"}


def number(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return DASH
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def signed(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return DASH
    text = number(abs(value), decimals)
    if value.quantize(Decimal(1).scaleb(-decimals)) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def chart_for(comparison: Comparison, municipality_name: str, *, markers: bool = True) -> str:
    years = [row["year"] for row in comparison.rows]

    def points(key: str):
        return tuple((row["year"], row[key]) for row in comparison.rows)

    series = [
        Series(municipality_name, points("own"), "municipality"),
        Series(_("Network median"), points("network"), "network"),
        Series(_("Comparison group, median"), points("peers"), "peers"),
        Series(_("All municipalities, median"), points("national"), "national"),
    ]
    trend = comparison.trend
    if trend is not None:
        span = trend.last_year - trend.first_year
        line = tuple(
            (year, trend.start + (trend.end - trend.start) * (year - trend.first_year) / span)
            for year in range(trend.first_year, trend.last_year + 1)
        )
        series.append(Series(_("Trend of the last five years (not a forecast)"), line, "trend"))
    return line_chart(
        title=comparison.indicator.name,
        series=series,
        unit=comparison.indicator.unit_label,
        decimals=comparison.indicator.decimals,
        years=years,
        number_format=lambda value: number(value, comparison.indicator.decimals),
        no_data_text=_("No data"),
        markers=markers,
    )


def position_cell(position: Position | None, assessment: Assessment | None, rank, size) -> dict:
    """A summary cell: symbol and words (readable without colour), the rank, the CSS class."""
    if position is None:
        return {"text": DASH, "symbol": "", "rank": "", "css": "missing"}
    words = str(position.label)
    if assessment in (Assessment.GOOD, Assessment.BAD):
        words = f"{words} ({assessment.label})"
    return {
        "text": words,
        "symbol": SYMBOLS[position],
        "rank": f"{rank}/{size}" if rank else "",
        "css": assessment.value if assessment else "neutral",
    }


def years_covered(comparison: Comparison) -> str:
    own = [row["year"] for row in comparison.rows if row["own"] is not None]
    if not own:
        return DASH
    return f"{own[0]}–{own[-1]}" if own[0] != own[-1] else str(own[0])


def trend_text(comparison: Comparison) -> str:
    trend = comparison.trend
    if trend is None:
        return ""
    return _("Trend %(first)s–%(last)s: %(slope)s %(unit)s a year (a trend, not a forecast)") % {
        "first": trend.first_year,
        "last": trend.last_year,
        "slope": signed(trend.slope, comparison.indicator.decimals + 1),
        "unit": comparison.indicator.unit_label,
    }


def decorate_item(comparison: Comparison, municipality_name: str, *, chart: bool = True,
                  markers: bool = True) -> dict:  # fmt: skip
    d = comparison.indicator.decimals
    return {
        "c": comparison,
        "chart": chart_for(comparison, municipality_name, markers=markers) if chart else "",
        "value": number(comparison.value, d),
        "network_mean": number(comparison.network.mean, d),
        "network_median": number(comparison.network.median, d),
        "peers_mean": number(comparison.peers.mean, d),
        "peers_median": number(comparison.peers.median, d),
        "national_median": number(comparison.national.median, d),
        "change": signed(comparison.change, d),
        "change_5": signed(comparison.change_5, d),
        "change_10": signed(comparison.change_10, d),
        "covered": years_covered(comparison),
        "trend": trend_text(comparison),
        "rows": [
            {key: number(value, d) if key != "year" else value for key, value in row.items()}
            for row in comparison.rows
        ],
    }


def decorate(groups, municipality_name: str, *, charts: bool = True) -> list:
    """Add the chart and formatted figures to every comparison (in the active language)."""
    return [
        (perspective, [decorate_item(c, municipality_name, chart=charts) for c in comparisons])
        for perspective, comparisons in groups
    ]


def decorate_summary(summary: Summary) -> list:
    """The summary table's rows per perspective, formatted."""
    table = []
    for perspective, rows in summary.perspectives:
        cells = []
        for row in rows:
            c = row.comparison
            d = c.indicator.decimals
            cells.append(
                {
                    "row": row,
                    "c": c,
                    "value": number(c.value, d),
                    "change_5": signed(c.change_5, d),
                    "change_10": signed(c.change_10, d),
                    "network": position_cell(
                        row.network, row.network_assessment, c.rank, c.network.count
                    ),
                    "peers": position_cell(
                        row.peers, row.peers_assessment, c.peer_rank, c.peer_rank_size
                    ),
                }
            )
        table.append((perspective, cells))
    return table


def sources_of(groups) -> list[tuple[str, str]]:
    """Each distinct (source, licence) of the indicators shown, in order of appearance."""
    seen: dict[tuple[str, str], None] = {}
    for _perspective, comparisons in groups:
        for comparison in comparisons:
            seen.setdefault((comparison.indicator.source, comparison.indicator.licence))
    return list(seen)


def report_context(context, groups, *, for_pdf: bool = False) -> dict:
    """The template context of the page and of the PDF (in the active language)."""
    name = context.municipality.name
    summary = summarize(groups, name)
    if for_pdf:
        headline_ids = {row.comparison.indicator.pk for row in summary.rows}
        perspectives = [
            (
                perspective,
                [
                    decorate_item(
                        c, name, chart=c.indicator.pk in headline_ids and c.value is not None,
                        markers=False,
                    )
                    for c in comparisons
                ],
            )
            for perspective, comparisons in groups
        ]  # fmt: skip
    else:
        perspectives = decorate(groups, name)
    return {
        "municipality": context.municipality,
        "season": context.season,
        "peer_group": context.peer_group,
        "peer_group_label": PeerGroup(context.peer_group).label,
        "peer_list": context.peer_list,
        "peers": context.peers,
        "member_count": len(context.members),
        "summary": summary,
        "summary_table": decorate_summary(summary),
        "groups": perspectives,
        "sources": sources_of(groups),
    }


def render_report_pdf(
    *, context, groups, language: str, today: datetime.date | None = None
) -> bytes:
    from weasyprint import HTML

    from billing.pdf import shared_url_fetcher

    with translation.override(language):
        html = render_to_string(
            "analysis/report_pdf.html",
            {
                **report_context(context, groups, for_pdf=True),
                "language": language,
                "today": today or timezone.localdate(),
            },
        )
    return HTML(string=html, base_url=None, url_fetcher=shared_url_fetcher()).write_pdf()


def report_pdf_for(municipality, season, language: str | None = None) -> bytes:
    """The report a municipality receives: its analysis for the season against the default
    comparison group, in its own language unless another is given (the batch calls this)."""
    language = language or municipality.preferred_language or "fi"
    if season is None:
        season = season_for(municipality=municipality, slug=None)
    with translation.override(language):
        context, groups = analysis_for(
            municipality=municipality, season=season, peer_group=DEFAULT_PEER_GROUP
        )
        return render_report_pdf(context=context, groups=groups, language=language)
