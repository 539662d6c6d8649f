"""Deadline state and the time left in words, as people read them on a task row."""

import enum
from datetime import datetime

from app.calendar import WorkCalendar
from app.clock import local_zone

_CALENDAR = WorkCalendar()
WARNING_SHARE = 2 / 3


class DeadlineState(enum.Enum):
    """Colour of a deadline: normal, warning (yellow) or overdue (red)."""

    NORMAL = "normal"
    WARNING = "warning"
    OVERDUE = "overdue"


STATE_LABELS = {DeadlineState.NORMAL: "正常", DeadlineState.WARNING: "即将超期",
                DeadlineState.OVERDUE: "已超期"}


def deadline_state(created_at: datetime, due_at: datetime | None, now: datetime,
                   warning_share: float = WARNING_SHARE,
                   warn_at: datetime | None = None) -> DeadlineState | None:
    """Overdue after the due time; warning from `warn_at` (the task's stored warning moment,
    which follows its deadline policy) or else once `warning_share` of the period has passed."""
    if due_at is None:
        return None
    if now > due_at:
        return DeadlineState.OVERDUE
    warn_from = warn_at or created_at + (due_at - created_at) * warning_share
    if now >= warn_from:
        return DeadlineState.WARNING
    return DeadlineState.NORMAL


def time_left_words(due_at: datetime | None, now: datetime) -> str:
    """'剩余 2 个工作日', '今日到期', '剩余 3 小时', '已超期 3 天' …"""
    if due_at is None:
        return "无时限"
    today, due_day = now.astimezone(local_zone()).date(), due_at.astimezone(local_zone()).date()
    if now > due_at:
        days = (today - due_day).days
        if days == 0:
            hours = max(1, int((now - due_at).total_seconds() // 3600))
            return f"已超期 {hours} 小时"
        return f"已超期 {days} 天"
    if due_day == today:
        hours = int((due_at - now).total_seconds() // 3600)
        return f"剩余 {hours} 小时" if hours < 12 else "今日到期"
    workdays = _CALENDAR.working_days_between(today, due_day)
    if workdays <= 0:
        return f"剩余 {(due_day - today).days} 天"
    return f"剩余 {workdays} 个工作日"
