"""Server-side SVG line charts for the situational analysis.

The SVG is self-contained (no scripts, no external references, no CSS classes: presentation
attributes only), so the same string works inline in HTML pages and in WeasyPrint PDFs. Series
differ by dash pattern and marker shape as well as grey level, so charts survive greyscale
printing; `<title>` and `<desc>` (via `aria-labelledby`) give screen readers the chart in words.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import partial
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "FONT_FAMILY",
    "STYLES",
    "SVG_NS",
    "Series",
    "legend_sample",
    "line_chart",
    "nice_ticks",
]

SVG_NS = "http://www.w3.org/2000/svg"
FONT_FAMILY = "DejaVu Sans, Arial, sans-serif"
_TEXT = "#222222"


@dataclass(frozen=True)
class Look:
    """How one kind of series is drawn: stroke colour/width, dash pattern, marker shape."""

    stroke: str
    width: float
    dash: str  # stroke-dasharray; "none" = solid
    marker: str  # circle, square, triangle or diamond
    size: float  # marker "radius" in px


STYLES: dict[str, Look] = {
    "municipality": Look("#000000", 2.5, "none", "circle", 3.5),
    "network": Look("#3d3d3d", 2.0, "7 3", "square", 3.2),
    "peers": Look("#666666", 2.0, "2 3", "triangle", 4.2),
    "national": Look("#8a8a8a", 1.5, "9 3 2 3", "diamond", 3.0),
    "trend": Look("#000000", 1.5, "2 2", "none", 0),  # the fitted line: no markers
}
_DRAW_ORDER = {"national": 0, "peers": 1, "network": 2, "municipality": 3, "trend": 4}


@dataclass(frozen=True)
class Series:
    """One line: `points` are (year, value) pairs; a `None` value is a gap, never a zero."""

    label: str
    points: tuple[tuple[int, Decimal | None], ...]
    style: str

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"unknown series style {self.style!r}; use one of {list(STYLES)}")


def nice_ticks(
    low: Decimal, high: Decimal, count: int = 5, min_step: Decimal | None = None
) -> list[Decimal]:
    """Evenly spaced ticks covering [low, high], the step being 1, 2 or 5 × 10^n.

    Picks the step whose tick count is closest to `count` (ties: the tightest cover). `min_step`
    keeps ticks representable at a given precision (e.g. 1 for whole numbers).
    """
    low, high = min(low, high), max(low, high)
    if low == high:
        pad = abs(low) / 10 if low else Decimal(1)
        low, high = (low, high + pad) if low == 0 else (low - pad, high + pad)
    raw = (high - low) / max(count - 1, 1)
    e0 = raw.adjusted()
    steps = [Decimal(m).scaleb(e) for e in range(e0 - 1, e0 + 2) for m in (1, 2, 5)]
    if min_step is not None:
        steps = [s for s in steps if s >= min_step] or [min_step]

    def cover(step: Decimal) -> tuple[int, int]:
        first = (low / step).to_integral_value(ROUND_FLOOR)
        last = (high / step).to_integral_value(ROUND_CEILING)
        return int(first), int(last)

    def badness(step: Decimal) -> tuple[int, Decimal]:
        first, last = cover(step)
        return abs(last - first + 1 - count), (last - first) * step - (high - low)

    step = min(steps, key=badness)
    quantum = Decimal(1).scaleb(min(step.as_tuple().exponent, 0))  # type: ignore[arg-type]
    first, last = cover(step)
    return [(k * step).quantize(quantum) for k in range(first, last + 1)]


def _fmt(value: Decimal, decimals: int, number_format: Callable[[Decimal], str] | None) -> str:
    if number_format is not None:
        return number_format(value)
    q = value.quantize(Decimal(1).scaleb(-decimals))
    return f"{abs(q) if q == 0 else q:f}"  # no "-0.0"


def _text_width(text: str, size: float) -> float:
    """Rough width of `text` in DejaVu Sans (wide glyphs: ~0.6 em per character)."""
    return len(text) * size * 0.6


def _text(x: float, y: float, text: str, size: float, anchor: str = "start", **attrs: str) -> str:
    """An escaped `<text>`; `attrs` keys use underscores for dashes (font_weight)."""
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family={quoteattr(FONT_FAMILY)} font-size="{size}"'
        f' fill="{_TEXT}" text-anchor="{anchor}"{extra}>{escape(text)}</text>'
    )


def _marker(look: Look, x: float, y: float) -> str:
    if look.marker == "none":
        return ""
    r, paint = look.size, f'fill="{look.stroke}" stroke="#ffffff" stroke-width="1"'
    if look.marker == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" {paint}/>'
    if look.marker == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" {paint}/>'
    if look.marker == "triangle":
        pts = [(x, y - r * 1.15), (x + r, y + r * 0.75), (x - r, y + r * 0.75)]
    else:  # diamond
        pts = [(x, y - r * 1.2), (x + r, y), (x, y + r * 1.2), (x - r, y)]
    return f'<polygon points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in pts)}" {paint}/>'


def _line(
    x1: float, y1: float, x2: float, y2: float, stroke: str, w: float = 1, dash: str = ""
) -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}"'
        f' stroke-width="{w}"{dash_attr}/>'
    )


def _series(look: Look, runs: list[list[tuple[float, float]]], markers: bool = True) -> str:
    """One path with a subpath per run of 2+ consecutive points, then a marker on every point."""
    path = " ".join("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in r) for r in runs if len(r) > 1)
    line = (
        f'<path d="{path}" fill="none" stroke="{look.stroke}" stroke-width="{look.width}"'
        f' stroke-dasharray="{look.dash}" stroke-linejoin="round"/>'
    )
    if not markers:  # a lone point still needs its marker to be seen
        return (line if path else "") + "".join(_marker(look, *r[0]) for r in runs if len(r) == 1)
    return (line if path else "") + "".join(_marker(look, x, y) for r in runs for x, y in r)


def _wrap(text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and _text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def line_chart(
    *,
    title: str,
    series: list[Series],
    unit: str,
    decimals: int,
    years: list[int] | None = None,
    width: int = 480,
    height: int = 240,
    number_format: Callable[[Decimal], str] | None = None,
    no_data_text: str = "No data",
    show_title: bool = True,
    markers: bool = True,
    show_legend: bool = True,
    tick_count: int = 5,
    year_labels: int | None = None,
    describe: bool = True,
) -> str:
    """Render `series` over the years as an accessible, self-contained SVG line chart.

    `years` defaults to every year in the series. `height` grows if the legend needs it.
    `no_data_text` (translatable) is shown when nothing has a value and is used for gaps in the
    `<desc>`. `show_title=False` keeps the title in `<title>` only (the page has a heading).
    `markers=False` draws the lines only (a lighter SVG for the PDF; the legend keeps them);
    `show_legend=False` leaves the legend to the document (one for many charts); `tick_count`
    and `year_labels` (at most that many) keep a small chart's text light; `describe=False`
    leaves out the `<desc>` (an `<img>` of the chart has its own `alt`).
    """
    fmt = partial(_fmt, decimals=decimals, number_format=number_format)
    if years is None:
        years = sorted({year for s in series for year, _ in s.points})
    wanted = set(years)
    data = [{y: v for y, v in s.points if y in wanted} for s in series]
    values = [v for d in data for v in d.values() if v is not None]
    digest = hashlib.sha256(repr((title, unit, series)).encode()).hexdigest()[:10]
    uid = f"chart-{digest}"

    title_lines = _wrap(title, 13, width - 16) if show_title else []
    top = 8 + 17 * len(title_lines)
    body = [
        _text(8, 8 + 13 + 17 * i, line, 13, font_weight="bold")
        for i, line in enumerate(title_lines)
    ]
    desc_parts = []
    for s, d in zip(series, data, strict=True) if describe else ():
        pairs = "; ".join(f"{y} {no_data_text if d.get(y) is None else fmt(d[y])}" for y in years)
        desc_parts.append(f"{s.label}: {pairs or no_data_text}")
    desc = ". ".join(desc_parts) + (f" ({unit})" if unit and values and describe else "")

    if not values:
        height = max(height, top + 60)
        body.append(_text(width / 2, (top + height) / 2, no_data_text, 13, "middle"))
        desc = no_data_text
    else:
        # y scale: include zero when it is near the data (or the data crosses it).
        lo, hi = min(values), max(values)
        if 0 < lo <= (hi - lo) / 2:
            lo = Decimal(0)
        elif 0 > hi >= (hi - lo) / -2:
            hi = Decimal(0)
        ticks = nice_ticks(lo, hi, tick_count, min_step=Decimal(1).scaleb(-decimals))
        labels = [fmt(t) for t in ticks]
        left = 10 + max(_text_width(tick_label, 10) for tick_label in labels)
        right = width - 14

        # legend rows, below the plot
        legend, lx, row = [], left, 0
        for i, s in enumerate(series if show_legend else []):
            w = 34 + _text_width(s.label, 11) + 16
            if lx + w > width - 4 and lx > left:
                lx, row = left, row + 1
            legend.append((i, lx, row))
            lx += w
        below = 46 + 18 * row if show_legend else 24  # year labels (and the legend rows)
        plot_top = top + (20 if unit else 8)
        height = max(height, plot_top + 80 + below)  # keep >= 80 px of plot
        plot_bottom = height - below

        def ypos(v: Decimal) -> float:
            frac = float((v - ticks[0]) / (ticks[-1] - ticks[0]))
            return plot_bottom - frac * (plot_bottom - plot_top)

        y0, y1, inset = years[0], years[-1], 12

        def xpos(year: int) -> float:
            if y0 == y1:
                return (left + right) / 2
            return left + inset + (year - y0) / (y1 - y0) * (right - left - 2 * inset)

        if unit:
            body.append(_text(8, plot_top - 8, unit, 11))
        grid = []
        for t, tick_label in zip(ticks, labels, strict=True):
            grid.append(_line(left, ypos(t), right, ypos(t), "#8c8c8c" if t == 0 else "#dddddd"))
            grid.append(_text(left - 5, ypos(t) + 3.5, tick_label, 10, "end"))
        every = -(-len(years) * 36 // int(right - left))  # year labels at least ~36 px apart
        if year_labels:
            every = max(every, -(-len(years) // year_labels))
        for year in years[::-1][::every]:
            grid.append(_line(xpos(year), plot_bottom, xpos(year), plot_bottom + 4, "#333333"))
            grid.append(_text(xpos(year), plot_bottom + 16, str(year), 10, "middle"))
        grid.append(_line(left, plot_bottom, right, plot_bottom, "#333333"))
        body.append(f'<g id="{uid}-grid">{"".join(grid)}</g>')

        groups = []
        for i in sorted(range(len(series)), key=lambda i: _DRAW_ORDER[series[i].style]):
            runs: list[list[tuple[float, float]]] = [[]]
            for year in years:  # a missing value ends the current run: gaps are never zeros
                if (v := data[i].get(year)) is None:
                    runs.append([])
                else:
                    runs[-1].append((xpos(year), ypos(v)))
            groups.append(
                f'<g id="{uid}-series-{i}">{_series(STYLES[series[i].style], runs, markers)}</g>'
            )
        body.append(f'<g id="{uid}-series">{"".join(groups)}</g>')

        entries = []
        for i, x, row in legend:
            look, y = STYLES[series[i].style], plot_bottom + 36 + 18 * row
            sample = _line(x, y, x + 28, y, look.stroke, look.width, look.dash)
            label = _text(x + 34, y + 4, series[i].label, 11)
            entries.append(f"<g>{sample}{_marker(look, x + 14, y)}{label}</g>")
        body.append(f'<g id="{uid}-legend">{"".join(entries)}</g>')

    return (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{uid}-title{f" {uid}-desc" if desc else ""}">'
        f'<title id="{uid}-title">{escape(title)}</title>'
        + (f'<desc id="{uid}-desc">{escape(desc)}</desc>' if desc else "")
        + f'<rect width="{width}" height="{height}" fill="#ffffff"/>{"".join(body)}</svg>'
    )


def legend_sample(style: str) -> str:
    """The line and marker of one kind of series, without text: a document's legend puts its
    label beside it (WeasyPrint sets SVG text letter by letter, HTML text by the line)."""
    look = STYLES[style]
    return (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 30 12" width="30" height="12" aria-hidden="true">'
        f"{_line(1, 6, 29, 6, look.stroke, look.width, look.dash)}{_marker(look, 15, 6)}</svg>"
    )
