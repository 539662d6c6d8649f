"""Report charts as Apache ECharts options, drawn in the page with the SVG renderer.

The option is embedded in the report body (`data-option` on a `.report-chart` element), so the
frozen HTML of an issued report draws the same chart; static/js/report-charts.js draws it
without animation, so print and the printable page show it at once. The figures also stay in
the tables beside each chart, and Excel carries the numbers, not pictures.
"""

from __future__ import annotations

import json
from html import escape

from markupsafe import Markup

COLOURS = ("#c8161d", "#1f5fbf")
ROW_HEIGHT = 26


def _element(title: str, option: dict, height: int) -> Markup:
    data = escape(json.dumps(option, ensure_ascii=False), quote=True)
    return Markup(f'<div class="report-chart" role="img" aria-label="{escape(title)}" '
                  f'style="height:{height}px" data-option="{data}"></div>')


def bar_chart(title: str, lines: list[dict], value: str = "received", second: str | None = "resolved",
              names: tuple[str, str] = ("受理", "化解")) -> Markup:
    """Horizontal bars, one row per line (a second bar for `second`)."""
    labels = [str(line["label"]) for line in lines]
    series = [{"name": names[0], "type": "bar", "data": [line[value] for line in lines],
               "itemStyle": {"color": COLOURS[0]}, "label": {"show": True, "position": "right"}}]
    if second:
        series.append({"name": names[1], "type": "bar", "data": [line[second] for line in lines],
                       "itemStyle": {"color": COLOURS[1]}, "label": {"show": True, "position": "right"}})
    option = {"title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
              "legend": {"top": 24, "data": list(names if second else names[:1])},
              "grid": {"left": 200, "right": 60, "top": 56, "bottom": 20},
              "xAxis": {"type": "value", "minInterval": 1},
              "yAxis": {"type": "category", "inverse": True, "data": labels},
              "series": series}
    return _element(title, option, 90 + ROW_HEIGHT * 2 * max(1, len(lines)))


def line_chart(title: str, points: list[dict]) -> Markup:
    """Received and resolved per month, with 化解率 on a second axis."""
    option = {"title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
              "legend": {"top": 24, "data": ["受理", "化解", "化解率"]},
              "grid": {"left": 60, "right": 60, "top": 60, "bottom": 30},
              "xAxis": {"type": "category", "data": [p["label"] for p in points]},
              "yAxis": [{"type": "value", "name": "件", "minInterval": 1},
                        {"type": "value", "name": "%", "min": 0, "max": 100}],
              "series": [
                  {"name": "受理", "type": "line", "data": [p["received"] for p in points],
                   "itemStyle": {"color": COLOURS[0]}, "label": {"show": True}},
                  {"name": "化解", "type": "line", "data": [p["resolved"] for p in points],
                   "itemStyle": {"color": COLOURS[1]}, "label": {"show": True}},
                  {"name": "化解率", "type": "line", "yAxisIndex": 1, "lineStyle": {"type": "dashed"},
                   "data": [p["rate"] if p["received"] else None for p in points],
                   "itemStyle": {"color": "#555"}}]}
    return _element(title, option, 320)
