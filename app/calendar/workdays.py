"""Working-day and deadline arithmetic following the Chinese State Council holiday schedule.

Rules implemented (Civil Code Arts. 201-203): the start day is not counted; a period whose
last day is a statutory holiday or rest day ends on the next working day. Years without a
published schedule fall back to Mon-Fri working days and are flagged as estimated.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType
from typing import Protocol

import chinese_calendar

from app.clock import local_zone

END_OF_DAY = time(23, 59, 59)
MAKEUP_WORKDAY_NAME = "调休上班"
HOLIDAY_NAMES_ZH: Mapping[str, str] = MappingProxyType(
    {
        "New Year's Day": "元旦",
        "Spring Festival": "春节",
        "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节",
        "Dragon Boat Festival": "端午节",
        "National Day": "国庆节",
        "Mid-autumn Festival": "中秋节",
        "Anti-Fascist 70th Day": "抗战胜利纪念日",
    }
)
UNITS = frozenset({"day", "hour"})
DAY_TYPES = frozenset({"working", "natural"})
# Guard against a misconfigured source that never yields a working day.
_MAX_CONSECUTIVE_REST_DAYS = 366


@dataclass(frozen=True)
class DayInfo:
    """Classification of one calendar day."""

    day: date
    is_workday: bool
    name: str | None
    estimated: bool


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and whether any consulted day was estimated."""

    due: datetime
    estimated: bool


class DaySource(Protocol):
    """Anything that can classify a calendar day."""

    def day_info(self, day: date) -> DayInfo:
        """Return the classification of `day`."""
        ...


def _weekend_only_info(day: date) -> DayInfo:
    """Classify a day by weekday alone, flagged as estimated."""
    return DayInfo(day=day, is_workday=day.weekday() < 5, name=None, estimated=True)


def _chinese_name(english: str | None, is_workday: bool) -> str | None:
    """Translate a chinese_calendar holiday name; a named workday is a make-up workday."""
    if english is None:
        return None
    if is_workday:
        return MAKEUP_WORKDAY_NAME
    return HOLIDAY_NAMES_ZH.get(english, english)


@functools.lru_cache(maxsize=8192)
def _package_day_info(day: date) -> DayInfo:
    """Classify `day` from chinese_calendar, falling back to weekends for unsupported years."""
    try:
        is_workday = chinese_calendar.is_workday(day)
        _, english = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return _weekend_only_info(day)
    name = _chinese_name(english, is_workday)
    return DayInfo(day=day, is_workday=is_workday, name=name, estimated=False)


@functools.cache
def _package_years() -> range:
    """Return the years covered by the installed chinese_calendar data."""
    days = [*chinese_calendar.holidays, *chinese_calendar.workdays]
    return range(min(days).year, max(days).year + 1)


def schedule_published(day: date) -> bool:
    """True when `day`'s classification is published (package or admin table), not estimated."""
    return not _default_source.day_info(day).estimated


class PackageDaySource:
    """Day source backed by the `chinesecalendar` package."""

    def day_info(self, day: date) -> DayInfo:
        """Return the published classification of `day`, or a weekend-only estimate."""
        return _package_day_info(day)

    def published_years(self) -> range:
        """Return the years for which the package has a published schedule."""
        return _package_years()


class OverrideDaySource:
    """Day source applying admin overrides on top of another source."""

    def __init__(self, inner: DaySource, overrides: Mapping[date, DayInfo]) -> None:
        """Wrap `inner`, letting entries in `overrides` take precedence."""
        self._inner = inner
        self._overrides = dict(overrides)

    def day_info(self, day: date) -> DayInfo:
        """Return the override for `day` if any (never estimated), else the inner answer."""
        override = self._overrides.get(day)
        if override is None:
            return self._inner.day_info(day)
        return replace(override, day=day, estimated=False)


_default_source: DaySource = PackageDaySource()


def set_default_source(source: DaySource) -> None:
    """Install the day source calendars without an explicit one use (the app installs its table)."""
    global _default_source  # noqa: PLW0603 - one process-wide setting, swapped at start-up
    _default_source = source


class _DefaultSource:
    """Delegates to whatever default source is installed at call time."""

    def day_info(self, day: date) -> DayInfo:
        return _default_source.day_info(day)


class WorkCalendar:
    """Deadline arithmetic over a day source in a local time zone."""

    def __init__(self, source: DaySource | None = None, tz: tzinfo | None = None) -> None:
        """Create a calendar using `source` (default: the installed default) and local zone `tz`
        (default: the TIMEZONE setting, read at each use)."""
        self._source: DaySource = source if source is not None else _DefaultSource()
        self._tz = tz

    def is_workday(self, day: date) -> bool:
        """Return True if `day` is a working day."""
        return self._source.day_info(day).is_workday

    def _zone(self) -> tzinfo:
        """The local zone days are counted in: the one given, else the TIMEZONE setting."""
        return self._tz if self._tz is not None else local_zone()

    def next_workday(self, day: date) -> date:
        """Return the first working day strictly after `day`."""
        return self._next_workday(day)[0]

    def add_working_days(self, start: datetime, n: int) -> Deadline:
        """Return the end of the n-th working day after the start day (start day not counted)."""
        _check_amount(n)
        day = self._local_date(start)
        estimated, steps = False, n
        if n == 0:
            first = self._source.day_info(day)
            if first.is_workday:
                return Deadline(due=self._end_of(day), estimated=first.estimated)
            estimated, steps = first.estimated, 1
        for _ in range(steps):
            day, step_estimated = self._next_workday(day)
            estimated = estimated or step_estimated
        return Deadline(due=self._end_of(day), estimated=estimated)

    def add_natural_days(self, start: datetime, n: int) -> Deadline:
        """Return the end of start+n days, moved to the next working day if it is a rest day."""
        _check_amount(n)
        last = self._local_date(start) + timedelta(days=n)
        info = self._source.day_info(last)
        if info.is_workday:
            return Deadline(due=self._end_of(last), estimated=info.estimated)
        day, estimated = self._next_workday(last)
        return Deadline(due=self._end_of(day), estimated=estimated or info.estimated)

    def add_hours(self, start: datetime, n: int) -> Deadline:
        """Return start plus n clock hours in the calendar's time zone (never estimated)."""
        _check_amount(n)
        self._local_date(start)
        due = (start.astimezone(UTC) + timedelta(hours=n)).astimezone(self._zone())
        return Deadline(due=due, estimated=False)

    def working_days_between(self, start: date, end: date) -> int:
        """Count working days in (start, end]; negative count of (end, start] if end < start."""
        if end < start:
            return -self.working_days_between(end, start)
        span = (end - start).days
        return sum(self.is_workday(start + timedelta(days=i)) for i in range(1, span + 1))

    def deadline(self, start: datetime, amount: int, unit: str, day_type: str) -> Deadline:
        """Compute a deadline for `amount` units ("day"/"hour") of `day_type` days."""
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {sorted(UNITS)}, got {unit!r}")
        if day_type not in DAY_TYPES:
            raise ValueError(f"day_type must be one of {sorted(DAY_TYPES)}, got {day_type!r}")
        _check_amount(amount)
        if unit == "hour":
            return self.add_hours(start, amount)
        if day_type == "working":
            return self.add_working_days(start, amount)
        return self.add_natural_days(start, amount)

    def _local_date(self, start: datetime) -> date:
        """Return the local calendar date of an aware datetime."""
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError(f"start must be timezone-aware, got naive datetime {start!r}")
        return start.astimezone(self._zone()).date()

    def _end_of(self, day: date) -> datetime:
        """Return 23:59:59 local time on `day`."""
        return datetime.combine(day, END_OF_DAY, tzinfo=self._zone())

    def _next_workday(self, day: date) -> tuple[date, bool]:
        """Return the first working day after `day` and whether any examined day was estimated."""
        estimated = False
        for offset in range(1, _MAX_CONSECUTIVE_REST_DAYS + 1):
            candidate = day + timedelta(days=offset)
            info = self._source.day_info(candidate)
            estimated = estimated or info.estimated
            if info.is_workday:
                return candidate, estimated
        raise ValueError(f"no working day within {_MAX_CONSECUTIVE_REST_DAYS} days after {day}")


def _check_amount(amount: int) -> None:
    """Reject negative amounts."""
    if amount < 0:
        raise ValueError(f"amount must be a non-negative integer, got {amount!r}")
