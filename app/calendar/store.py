"""The database-backed day source, and the admin operations on the working-day table.

Deadline arithmetic looks at dozens of days per call, so the table is read whole into
memory (≈ 8,400 rows for 2004–2026) and re-read when its row count or newest edit
changes — checked at most every RELOAD_SECONDS, so an admin's edit reaches every
process within that time. Days the table lacks are estimated from weekends alone.
"""

import threading
import time
import weakref
from datetime import date, datetime, timedelta

from flask import has_app_context
from sqlalchemy import func, insert, inspect, select

from app.caches import app_cache
from app.calendar.models import CalendarDay
from app.calendar.workdays import DayInfo, PackageDaySource, _weekend_only_info
from app.extensions import db

RELOAD_SECONDS = 30.0


class DatabaseDaySource:
    """Days from `calendar_day`; the package when there is no app context or the table is empty."""

    def __init__(self) -> None:
        self._package = PackageDaySource()
        self._lock = threading.Lock()
        # str(engine.url) is slow, and a page of overdue rows asks for hundreds of days.
        self._keys: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def day_info(self, day: date) -> DayInfo:
        """The table's answer, or a weekend-only estimate for a day it lacks."""
        if not has_app_context():
            return self._package.day_info(day)
        days = self._days()
        if days is None:
            return self._package.day_info(day)
        return days.get(day) or _weekend_only_info(day)

    def _key(self) -> str:
        engine = db.engine
        key = self._keys.get(engine)
        if key is None:
            key = self._keys[engine] = str(engine.url)
        return key

    @staticmethod
    def _tables() -> dict[str, tuple[tuple, dict[date, DayInfo], float]]:
        """The app's copies of the table by database (app/caches.py)."""
        return app_cache("calendar.days", dict)

    def _days(self) -> dict[date, DayInfo] | None:
        key = self._key()
        tables = self._tables()
        with self._lock:
            cached = tables.get(key)
            if cached and time.monotonic() - cached[2] < RELOAD_SECONDS:
                return cached[1] or None
        if not inspect(db.engine).has_table(CalendarDay.__tablename__):
            # an unmigrated database (e.g. `flask processes check --no-db`): use the package
            with self._lock:
                tables[key] = ((), {}, time.monotonic())
            return None
        # Called from inside engine steps: reading the calendar must not flush the half-written
        # instance (a flush bumps its version column a second time in the same transaction).
        with db.session.no_autoflush:
            stamp = tuple(db.session.execute(
                select(func.count(), func.max(CalendarDay.updated_at))).one())
            if cached and cached[0] == stamp:
                days = cached[1]
            else:
                days = {row.day: DayInfo(row.day, row.is_workday, row.name, False)
                        for row in db.session.scalars(select(CalendarDay))}
        with self._lock:
            tables[key] = (stamp, days, time.monotonic())
        return days or None

    def forget(self) -> None:
        """Drop the in-memory copy (after an edit in this process)."""
        with self._lock:
            self._tables().clear()


SOURCE = DatabaseDaySource()


def seed_from_package(now: datetime) -> int:
    """Insert every day of the package's published years that the table lacks; return how many."""
    package = PackageDaySource()
    years = package.published_years()
    have = set(db.session.scalars(select(CalendarDay.day)))
    day, last, rows = date(years.start, 1, 1), date(years.stop - 1, 12, 31), []
    while day <= last:
        if day not in have:
            info = package.day_info(day)
            rows.append({"day": day, "is_workday": info.is_workday, "name": info.name,
                         "source": "package", "updated_at": now})
        day += timedelta(days=1)
    if rows:
        db.session.execute(insert(CalendarDay), rows)
    SOURCE.forget()
    return len(rows)


def set_day(day: date, *, is_workday: bool, name: str | None, now: datetime,
            user_id: int | None = None) -> CalendarDay:
    """An admin's correction or a newly published day (e.g. next year's holidays)."""
    row = db.session.get(CalendarDay, day) or CalendarDay(day=day)
    row.is_workday, row.name, row.source = is_workday, name, "admin"
    row.updated_at, row.updated_by_id = now, user_id
    db.session.add(row)
    db.session.flush()
    SOURCE.forget()
    return row


def publish_year(year: int, rest_days: dict[date, str], make_up_days: list[date], *,
                 now: datetime, user_id: int | None = None) -> int:
    """Enter a newly published State Council schedule for a whole year; return days written."""
    day, written = date(year, 1, 1), 0
    while day.year == year:
        if day in rest_days:
            set_day(day, is_workday=False, name=rest_days[day], now=now, user_id=user_id)
        elif day in make_up_days:
            set_day(day, is_workday=True, name="调休上班", now=now, user_id=user_id)
        else:
            set_day(day, is_workday=day.weekday() < 5, name=None, now=now, user_id=user_id)
        written += 1
        day += timedelta(days=1)
    return written
