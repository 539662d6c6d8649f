"""Server-rendered SVG charts: no JavaScript, print as they show, and testable as text."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

BAR_HEIGHT = 22
LABEL_WIDTH = 190
CHART_WIDTH = 640
COLOURS = ("#c8161d", "#1f5fbf")


def bar_chart(title: str, lines: list[dict], value: str = "received", second: str | None = "resolved",
              names: tuple[str, str] = ("受理", "化解")) -> Markup:
    """Horizontal bars, one row per line (a second, thinner bar for `second`)."""
    peak = max([line[value] for line in lines] + [1])
    width = CHART_WIDTH - LABEL_WIDTH - 70
    height = BAR_HEIGHT * len(lines) + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{CHART_WIDTH}" '
             f'height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>", _legend(names if second else names[:1])]
    for index, line in enumerate(lines):
        y = 30 + index * BAR_HEIGHT
        main = round(width * line[value] / peak, 1)
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 14}" text-anchor="end" font-size="12">'
                     f'{escape(str(line["label"]))}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{main}" height="12" fill="{COLOURS[0]}">'
                     f'<title>{escape(str(line["label"]))} {names[0]} {line[value]}</title></rect>')
        if second:
            extra = round(width * line[second] / peak, 1)
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 14}" width="{extra}" height="5" '
                         f'fill="{COLOURS[1]}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + main + 6}" y="{y + 13}" font-size="12">{line[value]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(names) -> str:
    items = []
    for index, name in enumerate(names):
        x = LABEL_WIDTH + index * 80
        items.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{COLOURS[index]}"/>'
                     f'<text x="{x + 16}" y="16" font-size="12">{escape(name)}</text>')
    return "".join(items)


def line_chart(title: str, points: list[dict], series: tuple[str, ...] = ("received", "resolved"),
               names: tuple[str, ...] = ("受理", "化解")) -> Markup:
    """A line per series over the points' labels (the monthly trend)."""
    height, left, top, bottom = 240, 50, 30, 40
    inner_w, inner_h = CHART_WIDTH - left - 20, height - top - bottom
    peak = max([p[s] for p in points for s in series] + [1])
    step = inner_w / max(1, len(points) - 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{CHART_WIDTH}" '
             f'height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<line x1="{left}" y1="{top + inner_h}" x2="{left + inner_w}" y2="{top + inner_h}" '
             'stroke="#999"/>']
    for index, name in enumerate(names):
        parts.append(f'<rect x="{left + index * 80}" y="6" width="12" height="12" fill="{COLOURS[index]}"/>'
                     f'<text x="{left + index * 80 + 16}" y="16" font-size="12">{escape(name)}</text>')
    for index, point in enumerate(points):
        x = round(left + index * step, 1)
        parts.append(f'<text x="{x}" y="{height - 14}" text-anchor="middle" font-size="11">'
                     f'{escape(str(point["label"]))}</text>')
    for colour, key in zip(COLOURS, series, strict=False):
        coords = [(round(left + i * step, 1), round(top + inner_h - inner_h * p[key] / peak, 1))
                  for i, p in enumerate(points)]
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                     + " ".join(f"{x},{y}" for x, y in coords) + '"/>')
        parts.extend(f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"><title>{v[key]}</title></circle>'
                     for (x, y), v in zip(coords, points, strict=True))
    parts.append("</svg>")
    return Markup("".join(parts))
