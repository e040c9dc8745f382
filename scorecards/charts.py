"""Small SVG charts written by hand: a supplier's score and grade over the months, and a
Pareto of its defect codes.

Plain SVG text rather than a plotting library: two simple charts do not justify matplotlib's
weight, the output is the same on every machine (tests compare it, browsers show it, the web
pages can inline it), and every label is real text a test can find.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 52, 52, 36, 64
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
# Beyond this many codes the bars get too thin to read; the rest are summed as "other",
# which a Pareto chart shows last whatever its size.
MAX_BARS = 20
_FONT = 'font-family="sans-serif" font-size="11"'


def _document(title: str, parts: Sequence[str]) -> str:
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-family="sans-serif" font-size="14" '
        f'font-weight="bold">{escape(title)}</text>',
        *parts,
        "</svg>",
        "",
    ])


def _x_label(x: float, text: str) -> str:
    # Slanted, so twelve months or twenty codes fit under the axis without overlapping.
    y = TOP + PLOT_H + 14
    return (f'<text x="{x:.1f}" y="{y}" {_FONT} text-anchor="end" '
            f'transform="rotate(-40 {x:.1f} {y})">{escape(text)}</text>')


def _axes(left_label: str, right_label: str | None = None) -> list[str]:
    bottom, right = TOP + PLOT_H, LEFT + PLOT_W
    parts = [
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" stroke="black"/>',
        f'<line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/>',
        f'<text x="14" y="{TOP + PLOT_H / 2:.1f}" {_FONT} text-anchor="middle" '
        f'transform="rotate(-90 14 {TOP + PLOT_H / 2:.1f})">{escape(left_label)}</text>',
    ]
    if right_label is not None:
        x = WIDTH - 12
        parts += [
            f'<line x1="{right}" y1="{TOP}" x2="{right}" y2="{bottom}" stroke="black"/>',
            f'<text x="{x}" y="{TOP + PLOT_H / 2:.1f}" {_FONT} text-anchor="middle" '
            f'transform="rotate(90 {x} {TOP + PLOT_H / 2:.1f})">{escape(right_label)}</text>',
        ]
    return parts


def _y(value: float, top_value: float) -> float:
    return TOP + PLOT_H - (value / top_value) * PLOT_H if top_value else TOP + PLOT_H


def score_chart(
    title: str,
    graded: Sequence[tuple[str, float | None, str | None]],
    grade_floors: Sequence[tuple[str, float]],
) -> str:
    """Score (0–100) per month as a line, each point labelled with its grade; the grade
    bands' lower edges as dashed lines. `graded` is (month, score, grade), oldest first.

    A month not graded (score and grade None) keeps its place on the axis, marked "n/g"
    under the plot, and has no point: the line joins the graded months across it, as the
    escalation rules read through it."""
    parts = _axes("score")
    for score in (0.0, 50.0, 100.0):
        parts.append(f'<text x="{LEFT - 6}" y="{_y(score, 100) + 4:.1f}" {_FONT} '
                     f'text-anchor="end">{score:g}</text>')
    for grade, floor in grade_floors:
        y = _y(floor, 100)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + PLOT_W}" y2="{y:.1f}" '
                     'stroke="#999" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{LEFT + PLOT_W + 4}" y="{y + 4:.1f}" {_FONT} '
                     f'fill="#666">{escape(grade)} ≥ {floor:g}</text>')
    if not graded:
        parts.append(f'<text x="{LEFT + PLOT_W / 2}" y="{TOP + PLOT_H / 2}" {_FONT} '
                     'text-anchor="middle">no grades yet</text>')
        return _document(title, parts)
    step = PLOT_W / len(graded)
    points = [(LEFT + step * (i + 0.5), None if at is None else _y(at, 100))
              for i, (_, at, _) in enumerate(graded)]
    line = [(x, at) for x, at in points if at is not None]
    if len(line) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in line)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1f5fa8" '
                     'stroke-width="2"/>')
    for (month, value, letter), (x, at) in zip(graded, points, strict=True):
        if value is None or letter is None or at is None:
            parts += [
                f'<text x="{x:.1f}" y="{TOP + PLOT_H - 6:.1f}" {_FONT} text-anchor="middle" '
                f'fill="#999">n/g<title>{escape(month)}: not graded</title></text>',
                _x_label(x, month),
            ]
            continue
        parts += [
            f'<circle cx="{x:.1f}" cy="{at:.1f}" r="4" fill="#1f5fa8">'
            f"<title>{escape(month)}: {value:g} ({escape(letter)})</title></circle>",
            f'<text x="{x:.1f}" y="{at - 8:.1f}" {_FONT} text-anchor="middle" '
            f'font-weight="bold">{escape(letter)}</text>',
            _x_label(x, month),
        ]
    return _document(title, parts)


def pareto_chart(title: str, counts: Sequence[tuple[str, int]]) -> str:
    """Bars of defective pieces per code, most first, and the cumulative share as a line
    against the right-hand axis (0–100 %). `counts` must be sorted, most first."""
    items = list(counts)
    if len(items) > MAX_BARS:
        rest = sum(n for _, n in items[MAX_BARS - 1:])
        items = [*items[: MAX_BARS - 1], ("other", rest)]
    parts = _axes("defective pieces", "cumulative %")
    total = sum(n for _, n in items)
    if not total:
        parts.append(f'<text x="{LEFT + PLOT_W / 2}" y="{TOP + PLOT_H / 2}" {_FONT} '
                     'text-anchor="middle">no defects recorded</text>')
        return _document(title, parts)
    tallest = items[0][1] if items[0][0] != "other" else max(n for _, n in items)
    for value in (0, tallest):
        parts.append(f'<text x="{LEFT - 6}" y="{_y(value, tallest) + 4:.1f}" {_FONT} '
                     f'text-anchor="end">{value}</text>')
    for share in (0.0, 50.0, 80.0, 100.0):
        y = _y(share, 100)
        parts.append(f'<text x="{LEFT + PLOT_W + 6}" y="{y + 4:.1f}" {_FONT}>{share:g}%</text>')
    # The 80 % line: the vital few to its left are where countermeasures pay most.
    y80 = _y(80, 100)
    parts.append(f'<line x1="{LEFT}" y1="{y80:.1f}" x2="{LEFT + PLOT_W}" y2="{y80:.1f}" '
                 'stroke="#c33" stroke-dasharray="4 3"/>')
    step = PLOT_W / len(items)
    running = 0
    line: list[str] = []
    for i, (code, pieces) in enumerate(items):
        x = LEFT + step * i
        top = _y(pieces, tallest)
        running += pieces
        share = running / total * 100
        cx, cy = x + step / 2, _y(share, 100)
        line.append(f"{cx:.1f},{cy:.1f}")
        parts += [
            f'<rect x="{x + step * 0.1:.1f}" y="{top:.1f}" width="{step * 0.8:.1f}" '
            f'height="{TOP + PLOT_H - top:.1f}" fill="#7fa7d6">'
            f"<title>{escape(code)}: {pieces} ({share:.1f}% cumulative)</title></rect>",
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="#c33"/>',
            _x_label(cx, code),
        ]
    parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="#c33" '
                 'stroke-width="2"/>')
    return _document(title, parts)
