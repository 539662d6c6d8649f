"""A report as an Excel workbook: overview, channels, categories, levels (+ analysis sheets)."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from app.reports.periods import KINDS

LINE_HEADERS = ["项目", "受理", "化解", "化解率"]
NO_PREVIOUS = "上期无数据"
OVERVIEW = [("受理总数", "received"), ("已化解", "resolved"), ("办理中", "in_progress"),
            ("未化解", "unresolved"), ("已移交", "referred"), ("逾期任务", "overdue"),
            ("回访完成", "return_visits"), ("续案（复发）", "recurrences")]


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list[Any]]):
    sheet = book.create_sheet(title)
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.column_dimensions["A"].width = 30
    return sheet


def _lines(lines: list[dict]) -> list[list[Any]]:
    return [[line["label"], line["received"], line["resolved"], line["rate_text"]] for line in lines]


def _compared(value: Any) -> Any:
    return NO_PREVIOUS if value is None else value


def _rates(report: dict[str, Any]) -> list[list[Any]]:
    """One line per rate with its definition; issued before the rates existed: the two old ones."""
    current, previous, change = report["current"], report["previous"], report["change"]
    if "rates" not in current:
        return [[name, current[key], previous[key], change[key]]
                for name, key in (("化解率（%）", "resolution_rate"), ("按期办结率（%）", "on_time_rate"))]
    rows = []
    for key, rate in current["rates"].items():
        before = previous["rates"][key]
        rows.append([f"{rate['label']}（%）", None if rate["empty"] else rate["value"],
                     NO_PREVIOUS if previous.get("empty") or before["empty"] else before["value"],
                     _compared(change.get(key)), rate["definition"]])
    return rows


def _overview(report: dict[str, Any]) -> list[list[Any]]:
    current, previous, change = report["current"], report["previous"], report["change"]
    empty = previous.get("empty", False)
    rows = [[name, current["counts"][key], NO_PREVIOUS if empty else previous["counts"][key],
             _compared(change[key])] for name, key in OVERVIEW]
    rows.extend(_rates(report))
    rows.append(["回访发现新苗头", current["new_signs"], NO_PREVIOUS if empty else previous["new_signs"],
                 _compared(change["new_signs"])])
    return rows


def report_workbook(report: dict[str, Any], title: str, recommendations: str = "") -> bytes:
    """The workbook of a report's indicators (and analysis, when present)."""
    book = Workbook()
    book.remove(book.active)
    overview = _sheet(book, "概览", ["指标", "本期", "上期", "变化", "口径"], _overview(report))
    overview.insert_rows(1, 2)
    overview["A1"] = title
    overview["A1"].font = Font(bold=True, size=14)
    overview["A2"] = f"{KINDS[report['kind']]} · {report['org_unit']['name']} · {report['period']['label']}"
    current = report["current"]
    _sheet(book, "渠道", LINE_HEADERS, _lines([*current["by_channel"], current["joint"]]))
    _sheet(book, "类别", LINE_HEADERS, _lines(current["by_category"]))
    _sheet(book, "层级", LINE_HEADERS, _lines(current["by_level"]))
    analysis = report.get("analysis")
    if analysis:
        _sheet(book, "趋势", ["月份", "受理", "化解", "化解率"],
               [[p["label"], p["received"], p["resolved"], p["rate_text"]] for p in analysis["trend"]])
        spots = analysis["hot_spots"]
        _sheet(book, "热点", ["类型", "名称", "受理"],
               [["乡镇", s["name"], s["count"]] for s in spots["townships"]]
               + [["网格", s["name"], s["count"]] for s in spots["grids"]])
        _sheet(book, "上升类别", ["类别", "本月", "上月", "增加", "增幅"],
               [[r["label"], r["received"], r["previous"], r["increase"], r["increase_text"]]
                for r in analysis["rising_categories"]])
        _sheet(book, "对策建议", ["对策建议"], [[recommendations or "（待督办填写）"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
