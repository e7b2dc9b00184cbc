"""The summary that opens the report: each perspective's headline indicators against the
network and the comparison group, and a few sentences generated from exactly those numbers.

A statement is data first (which indicators, what was found) and text second, so that what
the text says follows from the numbers: an indicator is named "better than the median" only
when its position is above (higher is better) or below (lower is better) the median by more than
the tolerance of `selectors.stats.NEAR_SHARE`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Direction, Perspective
from .selectors import Assessment, Comparison, Position, assess
from .selectors.network import FALLBACK_HEADLINES


@dataclass
class SummaryRow:
    comparison: Comparison
    network: Position | None
    network_assessment: Assessment | None
    peers: Position | None
    peers_assessment: Assessment | None
    trend_assessment: Assessment | None


@dataclass(frozen=True)
class Statement:
    group: str  # "network", "peers" or "trend"
    kind: str  # better, weaker, near, above, below (neutral direction), improving, weakening
    rows: tuple[SummaryRow, ...]
    text: str


@dataclass
class Summary:
    perspectives: list[tuple[Perspective, list[SummaryRow]]]
    statements: list[Statement]
    municipality: str = ""

    @property
    def rows(self) -> list[SummaryRow]:
        return [row for _perspective, rows in self.perspectives for row in rows]

    @property
    def key_statements(self) -> list[Statement]:
        """The PDF's few sentences: the overview, better and weaker, the trends (the table
        beside them shows what is near the median or has no better direction). Where the
        network and the comparison group give the same indicators, one sentence says both."""
        key = [s for s in self.statements if s.kind in KEY_KINDS]
        by = {(s.group, s.kind): s for s in key}
        merged = []
        for statement in key:
            other = by.get(("peers", statement.kind))
            if statement.group == "network" and other and other.rows == statement.rows:
                merged.append(both_statement(statement, self.municipality))
            elif not (statement.group == "peers" and _same_as_network(statement, by)):
                merged.append(statement)
        return merged


KEY_KINDS = frozenset({"overview", "better", "weaker", "improving", "weakening"})


def _same_as_network(statement: Statement, by: dict) -> bool:
    network = by.get(("network", statement.kind))
    return network is not None and network.rows == statement.rows


def both_statement(statement: Statement, municipality: str) -> Statement:
    texts = {
        "better": _(
            "%(municipality)s is better than both the network median and the comparison "
            "group's median in: %(names)s."
        ),
        "weaker": _(
            "%(municipality)s is weaker than both the network median and the comparison "
            "group's median in: %(names)s."
        ),
    }
    text = texts[statement.kind] % {
        "municipality": municipality,
        "names": _names(statement.rows),
    }
    return Statement("both", statement.kind, statement.rows, text)


def headlines(comparisons: list[Comparison]) -> list[Comparison]:
    """The perspective's headline indicators in order; while none is marked, the first two."""
    marked = [c for c in comparisons if c.indicator.headline > 0]
    if marked:
        return sorted(marked, key=lambda c: (c.indicator.headline, c.indicator.code))
    return comparisons[:FALLBACK_HEADLINES]


def summary_row(comparison: Comparison) -> SummaryRow:
    direction = comparison.indicator.direction
    trend = comparison.trend
    return SummaryRow(
        comparison=comparison,
        network=comparison.network_position,
        network_assessment=assess(comparison.network_position, direction),
        peers=comparison.peers_position,
        peers_assessment=assess(comparison.peers_position, direction),
        trend_assessment=trend.assessment(direction, comparison.indicator.decimals)
        if trend
        else None,
    )


def _names(rows) -> str:
    return ", ".join(row.comparison.indicator.name for row in rows)


def _position_statements(group: str, rows: list[SummaryRow], municipality: str) -> list[Statement]:
    label = _("the network median") if group == "network" else _("the comparison group's median")

    def position(row: SummaryRow) -> Position | None:
        return row.network if group == "network" else row.peers

    directed = [r for r in rows if r.comparison.indicator.direction != Direction.NEUTRAL]
    neutral = [r for r in rows if r.comparison.indicator.direction == Direction.NEUTRAL]

    def judged(row: SummaryRow) -> Assessment | None:
        return assess(position(row), row.comparison.indicator.direction)

    kinds = {
        "better": [r for r in directed if judged(r) == Assessment.GOOD],
        "weaker": [r for r in directed if judged(r) == Assessment.BAD],
        "near": [r for r in rows if position(r) == Position.NEAR],
        "above": [r for r in neutral if position(r) == Position.ABOVE],
        "below": [r for r in neutral if position(r) == Position.BELOW],
    }  # fmt: skip
    texts = {
        "better": _("%(municipality)s is better than %(median)s in: %(names)s."),
        "weaker": _("%(municipality)s is weaker than %(median)s in: %(names)s."),
        "near": _("%(municipality)s is near %(median)s in: %(names)s."),
        "above": _("Above %(median)s (no better direction): %(names)s."),
        "below": _("Below %(median)s (no better direction): %(names)s."),
    }
    statements = []
    for kind, chosen in kinds.items():
        if chosen:
            text = texts[kind] % {
                "municipality": municipality,
                "median": label,
                "names": _names(chosen),
            }
            statements.append(Statement(group, kind, tuple(chosen), text))
    return statements


def summarize(groups: list, municipality_name: str) -> Summary:
    perspectives = [
        (perspective, [summary_row(c) for c in headlines(comparisons)])
        for perspective, comparisons in groups
    ]
    rows = [row for _p, rows_ in perspectives for row in rows_]
    with_value = [row for row in rows if row.comparison.value is not None]
    statements: list[Statement] = []
    if with_value:
        better = sum(1 for r in with_value if r.network_assessment == Assessment.GOOD)
        weaker = sum(1 for r in with_value if r.network_assessment == Assessment.BAD)
        directed = sum(
            1 for r in with_value if r.comparison.indicator.direction != Direction.NEUTRAL
        )
        overview = _(
            "Of the %(total)s headline indicators with a better direction, %(municipality)s is "
            "better than the network median in %(better)s and weaker in %(weaker)s."
        ) % {
            "total": directed,
            "municipality": municipality_name,
            "better": better,
            "weaker": weaker,
        }
        statements.append(Statement("network", "overview", tuple(with_value), overview))
    statements += _position_statements("network", with_value, municipality_name)
    statements += _position_statements("peers", with_value, municipality_name)
    for kind, assessment, text in (
        ("improving", Assessment.GOOD, _("Five-year trend improving: %(names)s.")),
        ("weakening", Assessment.BAD, _("Five-year trend weakening: %(names)s.")),
    ):
        chosen = [r for r in with_value if r.trend_assessment == assessment]
        if chosen:
            statements.append(
                Statement("trend", kind, tuple(chosen), text % {"names": _names(chosen)})
            )
    return Summary(perspectives, statements, municipality_name)


__all__ = ["Statement", "Summary", "SummaryRow", "headlines", "summarize"]
