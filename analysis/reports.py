"""Presentation of the analysis: charts per comparison, number formats, the PDF report."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from .charts import Series, line_chart
from .selectors import Comparison, PeerGroup


def number(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return "–"
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def chart_for(comparison: Comparison, municipality_name: str) -> str:
    years = [row["year"] for row in comparison.rows]

    def points(key: str):
        return tuple((row["year"], row[key]) for row in comparison.rows)

    series = [
        Series(municipality_name, points("own"), "municipality"),
        Series(_("Network median"), points("network"), "network"),
        Series(_("Similar municipalities, median"), points("peers"), "peers"),
        Series(_("All municipalities, median"), points("national"), "national"),
    ]
    return line_chart(
        title=comparison.indicator.name,
        series=series,
        unit=comparison.indicator.unit_label,
        decimals=comparison.indicator.decimals,
        years=years,
        number_format=lambda value: number(value, comparison.indicator.decimals),
        no_data_text=_("No data"),
    )


def decorate(groups, municipality_name: str) -> list:
    """Add the chart and formatted figures to every comparison (in the active language)."""
    decorated = []
    for perspective, comparisons in groups:
        items = []
        for comparison in comparisons:
            d = comparison.indicator.decimals
            items.append(
                {
                    "c": comparison,
                    "chart": chart_for(comparison, municipality_name),
                    "value": number(comparison.value, d),
                    "network_mean": number(comparison.network.mean, d),
                    "network_median": number(comparison.network.median, d),
                    "peers_mean": number(comparison.peers.mean, d),
                    "peers_median": number(comparison.peers.median, d),
                    "national_median": number(comparison.national.median, d),
                    "change": number(comparison.change, d),
                    "rows": [
                        {
                            key: number(value, d) if key != "year" else value
                            for key, value in row.items()
                        }
                        for row in comparison.rows
                    ],
                }
            )
        decorated.append((perspective, items))
    return decorated


def render_report_pdf(*, context, groups, language: str) -> bytes:
    from weasyprint import HTML

    from billing.pdf import shared_url_fetcher

    with translation.override(language):
        html = render_to_string(
            "analysis/report_pdf.html",
            {
                "language": language,
                "municipality": context.municipality,
                "season": context.season,
                "peer_group": PeerGroup(context.peer_group).label,
                "peers": context.peers,
                "groups": decorate(groups, context.municipality.name),
            },
        )
    return HTML(string=html, base_url=None, url_fetcher=shared_url_fetcher()).write_pdf()


def report_pdf_for(municipality, season, language: str | None = None) -> bytes:
    """The report a municipality receives (default: in its own language), for the batch."""
    from .selectors import DEFAULT_PEER_GROUP, analysis_for

    context, groups = analysis_for(
        municipality=municipality, season=season, peer_group=DEFAULT_PEER_GROUP
    )
    return render_report_pdf(
        context=context, groups=groups, language=language or municipality.preferred_language
    )
