"""The charts of report.html as inline SVG, drawn here: no script, no library, no network.

Jump hosts are offline and the page must print, so a chart is plain SVG markup with a ``viewBox`` (it
scales to a phone's width), ``<title>`` tooltips and an ``aria-label``; every number it shows is also in a
table beside it. Every text that comes from a workbook (a customer's external id) is escaped here, since
the template includes the SVG as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

#: Status colours, shared with the page's legend (readable on white and in a greyscale print).
COLOURS: Mapping[str, str] = {
    "created": "#2e7d32",
    "updated": "#1565c0",
    "removed": "#6a1b9a",
    "exists": "#90a4ae",
    "planned": "#4db6ac",
    "pending": "#f9a825",
    "undone": "#6d4c41",
    "skipped": "#ef6c00",
    "failed": "#c62828",
    "invalid": "#ad1457",
}
OTHER = "#bdbdbd"
ORDER = tuple(COLOURS)
FONT = 'font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif"'


@dataclass(frozen=True, slots=True)
class Bar:
    """One labelled stacked bar: rows per status."""

    label: str
    counts: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def colour(status: str) -> str:
    return COLOURS.get(status, OTHER)


def status_bars(bars: Sequence[Bar], *, title: str, width: int = 720, label_width: int = 170) -> Markup:
    """Horizontal bars, one per sheet or customer, each split by status and as long as its share of the
    longest; the row count at its end."""
    row_height, gap, top = 22, 8, 4
    height = top + len(bars) * (row_height + gap)
    longest = max((b.total for b in bars), default=0) or 1
    room = width - label_width - 60
    parts = []
    for i, bar in enumerate(bars):
        y = top + i * (row_height + gap)
        parts.append(_text(label_width - 8, y + 15, _clip(bar.label, 24), anchor="end"))
        x = float(label_width)
        for status in _statuses(bar.counts):
            n = bar.counts[status]
            w = room * n / longest
            tip = f"{bar.label}: {n} {status}"
            parts.append(_rect(x, y, w, row_height, colour(status), tip))
            x += w
        parts.append(_text(x + 6, y + 15, f"{bar.total:,}"))
    return _svg(width, height, title, parts)


def rate_chart(points: Sequence[Sequence[float]], *, title: str, width: int = 720, height: int = 220) -> Markup:
    """Requests per second over the run (solid), the rate the limiter allowed (dashed) and the 429 answers
    (red columns along the bottom). ``points`` are summary.json's ``[seconds, requests/s, 429s, rate]``."""
    left, right, top, bottom = 48, 12, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    end = max((p[0] for p in points), default=0.0) or 1.0
    peak = max((max(p[1], p[3]) for p in points), default=0.0) or 1.0
    peak = _nice(peak)
    most_429 = max((p[2] for p in points), default=0) or 1

    def x(seconds: float) -> float:
        return left + plot_w * seconds / end

    def y(value: float) -> float:
        return top + plot_h * (1 - value / peak)

    parts = [_axes(left, top, plot_w, plot_h)]
    for tick in (0.0, peak / 2, peak):
        parts.append(_text(left - 6, y(tick) + 4, _number(tick), anchor="end"))
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#eee"/>')
    for tick in (0.0, end / 2, end):
        parts.append(_text(x(tick), height - 8, _seconds(tick), anchor="middle"))
    previous = 0.0
    for seconds, _, throttled, _ in points:
        if throttled:
            h = 0.25 * plot_h * throttled / most_429
            parts.append(
                _rect(
                    x(previous),
                    top + plot_h - h,
                    max(1.5, x(seconds) - x(previous)),
                    h,
                    "#c62828",
                    f"{int(throttled)} answered 429 by {_seconds(seconds)}",
                )
            )
        previous = seconds
    parts.append(_line([(x(p[0]), y(p[3])) for p in points], "#607d8b", dashed=True, tip="rate allowed"))
    parts.append(_line([(x(p[0]), y(p[1])) for p in points], "#1565c0", tip="requests per second"))
    return _svg(width, height, title, parts)


def trend_chart(runs: Sequence[tuple[str, Mapping[str, int], int]], *, title: str, width: int = 720) -> Markup:
    """The last runs, oldest left: a column per run split by status, its exit code below (red when not 0).
    ``runs`` are ``(label, rows per status, exit code)``."""
    height, top, bottom = 180, 10, 36
    plot_h = height - top - bottom
    slot = width / max(len(runs), 1)
    tallest = max((sum(c.values()) for _, c, _ in runs), default=0) or 1
    parts = [f'<line x1="0" x2="{width}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#999"/>']
    for i, (label, counts, exit_code) in enumerate(runs):
        x, w = i * slot + slot * 0.2, slot * 0.6
        y = float(top + plot_h)
        for status in _statuses(counts):
            h = plot_h * counts[status] / tallest
            y -= h
            parts.append(_rect(x, y, w, h, colour(status), f"{label}: {counts[status]} {status}"))
        if not counts:  # a run that could not start: a thin red mark, not an empty slot
            parts.append(_rect(x, top + plot_h - 3, w, 3, "#c62828", f"{label}: exit {exit_code}"))
        fill = "#2e7d32" if exit_code == 0 else "#c62828"
        parts.append(_text(x + w / 2, height - 20, f"exit {exit_code}", anchor="middle", fill=fill))
        parts.append(_text(x + w / 2, height - 6, label, anchor="middle", size=10))
    return _svg(width, height, title, parts)


def _statuses(counts: Mapping[str, int]) -> list[str]:
    known = [s for s in ORDER if counts.get(s)]
    return known + sorted(s for s, n in counts.items() if n and s not in COLOURS)


def _svg(width: int, height: int, title: str, parts: Sequence[str]) -> Markup:
    label = escape(title)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" role="img" aria-label="{label}" class="chart" {FONT}>'
        f"<title>{label}</title>{''.join(parts)}</svg>"
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.0):.1f}" height="{max(h, 0.0):.1f}" fill="{fill}">'
        f"<title>{escape(tip)}</title></rect>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", fill: str = "#333", size: int = 12) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">{escape(text)}</text>'
    )


def _line(points: Sequence[tuple[float, float]], stroke: str, *, tip: str, dashed: bool = False) -> str:
    if not points:
        return ""
    coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    dash = ' stroke-dasharray="5 4"' if dashed else ""
    return (
        f'<polyline points="{coords}" fill="none" stroke="{stroke}" stroke-width="2"{dash}>'
        f"<title>{escape(tip)}</title></polyline>"
    )


def _axes(left: float, top: float, w: float, h: float) -> str:
    return f'<path d="M{left},{top} V{top + h} H{left + w}" fill="none" stroke="#999"/>'


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _nice(value: float) -> float:
    """The next round number at or above ``value`` (1, 2, 5 × a power of ten), for the axis' top."""
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return value


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def _seconds(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
