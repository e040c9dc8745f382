"""The service report's SVG charts, written by hand as scorecards/charts.py's are (and for
its reasons: no plotting library, the same bytes on every machine, every label real text):
SLA attainment by tier, the 12-month trend, and the complaints Pareto."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 52, 52, 36, 64
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
FONT = 'font-family="sans-serif" font-size="11"'
# One colour per series, the same in every chart: first response, resolution, CSAT, NPS.
COLOURS = {"first response": "#7fa7d6", "resolution": "#2f5f98", "CSAT": "#4c9a5b",
           "NPS": "#c33", "complaints": "#7fa7d6", "cumulative": "#c33"}


def _svg(title: str, parts: Sequence[str]) -> str:
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-family="sans-serif" font-size="14" '
        f'font-weight="bold">{escape(title)}</text>',
        *parts, "</svg>", "",
    ])


def _y(value: float, low: float, high: float) -> float:
    return TOP + PLOT_H - (value - low) / (high - low) * PLOT_H


def _frame(left: str, right: str | None = None,
           right_range: tuple[float, float] = (0, 100)) -> list[str]:
    bottom, end = TOP + PLOT_H, LEFT + PLOT_W
    parts = [f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="black"/>',
             f'<line x1="{LEFT}" y1="{bottom}" x2="{end}" y2="{bottom}" stroke="black"/>',
             f'<text x="14" y="{TOP + PLOT_H / 2:.1f}" {FONT} text-anchor="middle" '
             f'transform="rotate(-90 14 {TOP + PLOT_H / 2:.1f})">{escape(left)}</text>']
    for share in (0, 50, 100):
        parts.append(f'<text x="{LEFT - 6}" y="{_y(share, 0, 100) + 4:.1f}" {FONT} '
                     f'text-anchor="end">{share}%</text>')
    if right is not None:
        low, high = right_range
        parts.append(f'<line x1="{end}" y1="{TOP}" x2="{end}" y2="{bottom}" stroke="black"/>')
        for value in (low, (low + high) / 2, high):
            parts.append(f'<text x="{end + 6}" y="{_y(value, low, high) + 4:.1f}" {FONT}>'
                         f"{value:g}</text>")
        parts.append(f'<text x="{WIDTH - 10}" y="{TOP + PLOT_H / 2:.1f}" {FONT} '
                     f'text-anchor="middle" transform="rotate(90 {WIDTH - 10} '
                     f'{TOP + PLOT_H / 2:.1f})">{escape(right)}</text>')
    return parts


def _x_label(x: float, text: str) -> str:
    y = TOP + PLOT_H + 14
    return (f'<text x="{x:.1f}" y="{y}" {FONT} text-anchor="end" '
            f'transform="rotate(-40 {x:.1f} {y})">{escape(text)}</text>')


def _legend(names: Sequence[str]) -> list[str]:
    parts, x = [], LEFT + 260
    for name in names:
        parts += [f'<rect x="{x}" y="12" width="10" height="10" fill="{COLOURS[name]}"/>',
                  f'<text x="{x + 14}" y="21" {FONT}>{escape(name)}</text>']
        x += 24 + 7 * len(name)
    return parts


def _empty(parts: list[str], text: str) -> list[str]:
    return [*parts, f'<text x="{LEFT + PLOT_W / 2}" y="{TOP + PLOT_H / 2}" {FONT} '
                    f'text-anchor="middle">{escape(text)}</text>']


def attainment_chart(title: str,
                     groups: Sequence[tuple[str, float | None, float | None]]) -> str:
    """Bars of first-response and resolution attainment (0-1) per group (a tier); a group
    with nothing counted for a clock has no bar for it."""
    parts = [*_frame("met on time"), *_legend(("first response", "resolution"))]
    if not groups:
        return _svg(title, _empty(parts, "no SLA clock fell due"))
    step = PLOT_W / len(groups)
    for i, (group, first, resolution) in enumerate(groups):
        x = LEFT + step * i
        for k, (name, share) in enumerate((("first response", first),
                                           ("resolution", resolution))):
            if share is None:
                continue
            top = _y(share * 100, 0, 100)
            parts.append(
                f'<rect x="{x + step * (0.1 + 0.4 * k):.1f}" y="{top:.1f}" '
                f'width="{step * 0.4:.1f}" height="{TOP + PLOT_H - top:.1f}" '
                f'fill="{COLOURS[name]}"><title>{escape(group)} {name}: '
                f"{share * 100:.1f}%</title></rect>")
        parts.append(_x_label(x + step / 2, group))
    return _svg(title, parts)


def trend_chart(title: str, months: Sequence[str],
                series: dict[str, Sequence[float | None]]) -> str:
    """One line per series over the months: shares (0-1) against the left axis, "NPS"
    (-100..100) against the right. A month without a figure breaks no line: it is skipped."""
    parts = [*_frame("share", "NPS", (-100, 100)), *_legend(tuple(series))]
    if not months:
        return _svg(title, _empty(parts, "no months"))
    step = PLOT_W / len(months)
    for i, month in enumerate(months):
        parts.append(_x_label(LEFT + step * (i + 0.5), month))
    for name, values in series.items():
        points = []
        for i, value in enumerate(values):
            if value is None:
                continue
            y = _y(value, -100, 100) if name == "NPS" else _y(value * 100, 0, 100)
            shown = f"{value:g}" if name == "NPS" else f"{value * 100:.1f}%"
            x = LEFT + step * (i + 0.5)
            points.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLOURS[name]}">'
                         f"<title>{escape(months[i])} {name}: {shown}</title></circle>")
        if len(points) > 1:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" '
                         f'stroke="{COLOURS[name]}" stroke-width="2"/>')
    return _svg(title, parts)


def complaints_pareto_chart(title: str,
                            rows: Sequence[tuple[str, int, float]]) -> str:
    """Complaints per category, most first, with the cumulative share (0-1) as a line."""
    parts = [*_frame("complaints %", "cumulative %", (0, 100)),
             *_legend(("complaints", "cumulative"))]
    total = sum(n for _, n, _ in rows)
    if not total:
        return _svg(title, _empty(parts, "no complaints received"))
    step = PLOT_W / len(rows)
    line = []
    for i, (category, count, cumulative) in enumerate(rows):
        x = LEFT + step * i
        top = _y(count / total * 100, 0, 100)
        cx, cy = x + step / 2, _y(cumulative * 100, 0, 100)
        line.append(f"{cx:.1f},{cy:.1f}")
        parts += [f'<rect x="{x + step * 0.1:.1f}" y="{top:.1f}" width="{step * 0.8:.1f}" '
                  f'height="{TOP + PLOT_H - top:.1f}" fill="{COLOURS["complaints"]}">'
                  f"<title>{escape(category)}: {count} ({cumulative * 100:.1f}% cumulative)"
                  "</title></rect>",
                  f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{COLOURS["cumulative"]}"/>',
                  _x_label(cx, category)]
    parts.append(f'<polyline points="{" ".join(line)}" fill="none" '
                 f'stroke="{COLOURS["cumulative"]}" stroke-width="2"/>')
    return _svg(title, parts)
