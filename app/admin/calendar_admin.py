"""The working-day calendar for administrators: a year view, one day's correction, a year's import."""

import calendar as monthdays
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.admin.changes import audit_change
from app.admin.departments import parse_day
from app.calendar import store
from app.calendar.models import CalendarDay
from app.calendar.publish import parse_schedule
from app.calendar.store import SOURCE
from app.calendar.workdays import PackageDaySource
from app.errors import ValidationFailed
from app.extensions import db
from app.org.services import Actor


@dataclass(frozen=True)
class Cell:
    """One day of the year view."""

    day: date
    is_workday: bool
    name: str | None
    edited: bool
    estimated: bool


def year_view(year: int) -> list[tuple[int, list[list[Cell | None]]]]:
    """Months of `year`, each a list of weeks (Monday first) of cells or None."""
    rows = {r.day: r for r in db.session.scalars(select(CalendarDay).where(
        CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)))}
    months = []
    for month in range(1, 13):
        weeks = []
        for week in monthdays.Calendar().monthdatescalendar(year, month):
            weeks.append([_cell(d, rows.get(d)) if d.month == month else None for d in week])
        months.append((month, weeks))
    return months


def _cell(day: date, row: CalendarDay | None) -> Cell:
    if row is not None:
        return Cell(day, row.is_workday, row.name, row.source == "admin", False)
    info = SOURCE.day_info(day)
    return Cell(day, info.is_workday, info.name, False, True)


def published(year: int) -> bool:
    """True when the table or the package has the State Council schedule of `year`."""
    if year in PackageDaySource().published_years():
        return True
    return db.session.scalar(select(CalendarDay.day).where(
        CalendarDay.day == date(year, 12, 31), CalendarDay.source == "admin")) is not None


def _state(day: date) -> dict:
    info = SOURCE.day_info(day)
    return {"day": day.isoformat(), "is_workday": info.is_workday, "name": info.name}


def change_day(day_text: str, kind: str, name: str, *, actor: Actor, now: datetime) -> CalendarDay:
    """Mark one day a working or rest day, with a name (e.g. 调休上班, 国庆节)."""
    day = parse_day(day_text, "day", "日期")
    if kind not in ("work", "rest"):
        raise ValidationFailed("日历未修改", {"kind": ["请选择上班或休息"]})
    before = _state(day)
    row = store.set_day(day, is_workday=kind == "work", name=(name or "").strip() or None, now=now,
                        user_id=actor.user_id)
    audit_change(actor, "calendar.day_changed", day.isoformat(), before, _state(day), now=now)
    return row


def import_year(year_text: str, text: str, *, actor: Actor, now: datetime) -> int:
    """Enter a newly published year's schedule; every bad line refused, nothing half-written."""
    try:
        year = int(year_text)
    except (TypeError, ValueError):
        raise ValidationFailed("日历未导入", {"year": [f"年份「{year_text}」无效"]}) from None
    schedule = parse_schedule(text, year)
    before = {"published": published(year)}
    written = store.publish_year(year, schedule.rest_days, schedule.make_up_days, now=now,
                                 user_id=actor.user_id)
    audit_change(actor, "calendar.year_imported", str(year), before,
                 {"published": True, "rest_days": len(schedule.rest_days),
                  "make_up_days": len(schedule.make_up_days)}, now=now)
    return written
