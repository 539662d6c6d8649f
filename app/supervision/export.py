"""The overdue list as an Excel workbook (openpyxl, write-only: constant memory)."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from app.clock import local_zone
from app.supervision.labels import CATEGORY_LABELS, CHANNEL_LABELS, TIER_LABELS, label, role_label
from app.supervision.models import ORDER_STATUS_LABELS, OrderStatus
from app.supervision.overdue import OverdueRow
from app.supervision.overdue_facts import outcome_label
from app.supervision.policies import overdue_working_days_many

HEADERS = ["案件编码", "案件标题", "办理环节", "承办单位", "处置层级", "纠纷类别", "风险等级", "受理渠道",
           "受理时间", "办理期限", "逾期工作日", "结果", "督办状态"]


def _local(moment: datetime | None) -> str:
    return moment.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M") if moment else ""


def handling_unit(row: OverdueRow) -> str:
    """Who holds the task: the department, or the post at an org unit."""
    if row.department:
        return row.department
    return f"{row.unit_name or ''}{role_label(row.task.candidate_role)}"


def order_label(row: OverdueRow) -> str:
    """督办状态 of the row's task."""
    return ORDER_STATUS_LABELS[OrderStatus(row.order_status)] if row.order_status else "未督办"


def overdue_workbook(rows: list[OverdueRow], now: datetime, title: str) -> bytes:
    """An .xlsx with one sheet: a title line, the headers and one line per overdue task."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("逾期台账")
    heading = WriteOnlyCell(sheet, value=title)
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    sheet.append([f"导出时间：{_local(now)}（北京时间），共 {len(rows)} 条"])
    sheet.append([_bold(sheet, h) for h in HEADERS])
    days = overdue_working_days_many([(row.task.due_at or now, row.task.completed_at or now) for row in rows])
    for row, overdue_days in zip(rows, days, strict=True):
        case, task = row.case, row.task
        sheet.append([case.code, case.title, task.title, handling_unit(row), case.level or "",
                      label(CATEGORY_LABELS, case.category), label(TIER_LABELS, case.risk_tier.value),
                      label(CHANNEL_LABELS, case.channel), _local(case.received_at), _local(task.due_at),
                      overdue_days, outcome_label(row.task), order_label(row)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell
