"""The review's sparklines: an indicator's 12 months as a small inline SVG, the target as a
dashed line, each missed month a red dot. Written by hand as servicedesk/charts.py's charts
are, for its reasons (no plotting library, the same bytes on every machine, real text)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT, PAD = 160, 36, 4


def sparkline(title: str, values: Sequence[float | None], target: float | None,
              missed: Sequence[bool | None]) -> str:
    """`values` oldest first; a month with no value leaves a gap in the line."""
    known = [v for v in values if v is not None]
    scale = [*known, *([target] if target is not None else [])]
    low, high = (min(scale), max(scale)) if scale else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)

    def y(value: float) -> float:
        return HEIGHT - PAD - (value - low) / (high - low) * (HEIGHT - 2 * PAD)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label={quoteattr(title)} '
             f'class="sparkline">', f"<title>{escape(title)}</title>"]
    if target is not None:
        parts.append(f'<line x1="{PAD}" y1="{y(target):.1f}" x2="{WIDTH - PAD}" '
                     f'y2="{y(target):.1f}" stroke="#999" stroke-dasharray="3 2"/>')
    run: list[str] = []
    for k, value in enumerate([*values, None]):
        if value is None:
            if len(run) > 1:
                parts.append(f'<polyline points="{" ".join(run)}" fill="none" '
                             f'stroke="#2f5f98" stroke-width="1.5"/>')
            run = []
            continue
        run.append(f"{PAD + k * step:.1f},{y(value):.1f}")
    for k, (value, miss) in enumerate(zip(values, missed, strict=True)):
        if value is not None:
            colour = "#c33" if miss else "#2f5f98"
            parts.append(f'<circle cx="{PAD + k * step:.1f}" cy="{y(value):.1f}" r="2" '
                         f'fill="{colour}"/>')
    parts.append("</svg>")
    return "".join(parts)
