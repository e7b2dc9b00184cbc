"""Presentation of the analysis: number formats, charts, the summary's cells, the PDF report."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from .charts import Series, legend_sample, line_chart
from .definitions import DERIVED
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


def chart_series(comparison: Comparison, municipality_name: str) -> list[Series]:
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
        series.append(Series(TREND_LABEL(), line, "trend"))
    return series


def TREND_LABEL() -> str:
    return _("Trend of the last five years (not a forecast)")


def as_image(svg: str, alt: str = "") -> str:
    """An `<img>` of the SVG as a data URI: WeasyPrint then draws it as an image instead of
    styling every SVG element as part of the document (a third faster for the report)."""
    data = base64.b64encode(svg.encode()).decode()
    return f'<img alt="{escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def legend_for(municipality_name: str) -> list[dict]:
    """The PDF's one legend for all its charts: each series' sample (an image) and its label."""
    entries = [
        (municipality_name, "municipality"),
        (_("Network median"), "network"),
        (_("Comparison group, median"), "peers"),
        (_("All municipalities, median"), "national"),
        (TREND_LABEL(), "trend"),
    ]
    return [{"sample": as_image(legend_sample(style)), "label": label} for label, style in entries]


def chart_for(comparison: Comparison, municipality_name: str, *, pdf: bool = False) -> str:
    """The page's chart (title, legend, markers), or the PDF's lighter one (lines only; the
    heading and one legend per perspective are the document's)."""
    series = chart_series(comparison, municipality_name)
    years = [row["year"] for row in comparison.rows]
    svg = line_chart(
        title=comparison.indicator.name,
        series=series,
        unit="" if pdf else comparison.indicator.unit_label,  # the PDF's heading has it
        decimals=comparison.indicator.decimals,
        years=years,
        number_format=lambda value: number(value, comparison.indicator.decimals),
        no_data_text=_("No data"),
        markers=not pdf,
        show_legend=not pdf,
        show_title=not pdf,
        width=420 if pdf else 480,
        height=170 if pdf else 240,
        tick_count=3 if pdf else 5,
        year_labels=2 if pdf else None,
        describe=not pdf,
    )
    return as_image(svg, comparison.indicator.name) if pdf else svg


def position_cell(position: Position | None, assessment: Assessment | None, rank, size) -> dict:
    """A summary cell: symbol and words (readable without colour), the rank, the CSS class."""
    if position is None:
        return {"text": DASH, "short": DASH, "symbol": "", "rank": "", "css": "missing"}
    words = short = str(position.label)
    if assessment in (Assessment.GOOD, Assessment.BAD):
        words, short = f"{words} ({assessment.label})", str(assessment.label)
    return {
        "text": words,
        "short": short,
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


# The PDF charts the first headline indicators of each perspective (the summary table and the
# captions give the figures of all): WeasyPrint draws each chart at the cost of a page of text, and
# the report must render in at most ten times a trivial document (bench/analysis.py).
PDF_CHARTS_PER_PERSPECTIVE = 2


def decorate_item(
    comparison: Comparison, municipality_name: str, *, pdf: bool = False, charted: bool = True
) -> dict:
    d = comparison.indicator.decimals
    return {
        "c": comparison,
        # the PDF draws a series, not a single point (its figures are in the caption)
        "chart": chart_for(comparison, municipality_name, pdf=pdf)
        if not pdf or (charted and comparison.years_covered >= 2)
        else "",
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
        # the page's table of every year (the PDF has the figures of the latest year only)
        "rows": []
        if pdf
        else [
            {key: number(value, d) if key != "year" else value for key, value in row.items()}
            for row in comparison.rows
        ],
    }


def decorate(groups, municipality_name: str, *, pdf: bool = False) -> list:
    """Add the chart and formatted figures to every comparison (in the active language)."""
    return [
        (
            perspective,
            [
                decorate_item(
                    c, municipality_name, pdf=pdf, charted=index < PDF_CHARTS_PER_PERSPECTIVE
                )
                for index, c in enumerate(comparisons)
            ],
        )
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


def _atoms(text: str) -> list[str]:
    """The single sources of a provenance text: "A; computed (B); C" gives A, B and C."""
    atoms = []
    depth, start = 0, 0
    for index, char in enumerate(text + ";"):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == ";" and depth == 0:
            atom = text[start:index].strip()
            start = index + 1
            if atom.endswith(")") and "(" in atom:
                head, inner = atom.split("(", 1)
                if head.strip() in DERIVED:  # "computed (B)": list B
                    atoms += _atoms(inner[:-1])
                    continue
            if atom:
                atoms.append(atom)
    return atoms


def sources_of(groups) -> tuple[list[str], list[str]]:
    """The distinct sources and the distinct licence terms of the indicators shown, in order of
    appearance (the definitions combine several of each in one text)."""
    sources: dict[str, None] = {}
    licences: dict[str, None] = {}
    for _perspective, comparisons in groups:
        for comparison in comparisons:
            for atom in _atoms(comparison.indicator.source):
                sources.setdefault(atom)
            for atom in _atoms(comparison.indicator.licence):
                licences.setdefault(atom)
    return list(sources), list(licences)


def report_context(context, groups, *, for_pdf: bool = False) -> dict:
    """The template context of the page and of the PDF (in the active language)."""
    name = context.municipality.name
    summary = summarize(groups, name)
    perspectives = decorate(groups, name, pdf=for_pdf)
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
        **dict(zip(("sources", "licences"), sources_of(groups), strict=True)),
        "legend": legend_for(name) if for_pdf else [],
    }


def render_report_pdf(
    *, context, groups, language: str, today: datetime.date | None = None
) -> bytes:
    from billing.pdf import shared_url_fetcher
    from uso_portal.pdf import write_pdf

    with translation.override(language):
        html = render_to_string(
            "analysis/report_pdf.html",
            {
                **report_context(context, groups, for_pdf=True),
                "language": language,
                "today": today or timezone.localdate(),
            },
        )
    return write_pdf(html, shared_url_fetcher())


def report_pdf_for(municipality, season, language: str | None = None) -> bytes:
    """The report a municipality receives: its analysis for the season against the default
    comparison group, in its own language unless another is given (the batch calls this)."""
    language = language or municipality.preferred_language or "fi"
    if season is None:
        season = season_for(municipality=municipality, slug=None)
    with translation.override(language):
        context, groups = analysis_for(
            municipality=municipality,
            season=season,
            peer_group=DEFAULT_PEER_GROUP,
            headlines_only=True,
        )
        return render_report_pdf(context=context, groups=groups, language=language)
