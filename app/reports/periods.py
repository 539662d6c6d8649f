"""Report periods in Shanghai dates: day, ISO week (Monday first), month, quarter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.clock import local_zone

KINDS = {"daily": "日汇总", "weekly": "周研判", "monthly": "月总结", "quarterly": "季汇报",
         "analysis": "平安形势分析研判报告"}
# The analysis report is monthly; it adds trends, hot spots and the supervisor's recommendations.
BASE_KIND = {"analysis": "monthly"}
# Any span of days (the API's from/to): not a report kind of the pages.
RANGE = "range"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """[start, end) in local dates, of one kind."""

    kind: str
    start: date
    end: date

    @property
    def begins_at(self) -> datetime:
        """The first moment of the period (Shanghai midnight), aware."""
        return datetime.combine(self.start, time(0), tzinfo=local_zone())

    @property
    def ends_at(self) -> datetime:
        """The first moment after the period, aware."""
        return datetime.combine(self.end, time(0), tzinfo=local_zone())

    @property
    def last_day(self) -> date:
        """The period's last day (inclusive)."""
        return self.end - timedelta(days=1)

    def previous(self) -> Period:
        """The period of the same kind just before this one (a range: as many days just before)."""
        if self.kind == RANGE:
            return Period(RANGE, self.start - (self.end - self.start), self.start)
        return period_containing(self.kind, self.start - timedelta(days=1))

    def label(self) -> str:
        """'2026年3月', '2026年第1季度', '2026-03-02 至 2026-03-08', '2026-03-02'."""
        base = BASE_KIND.get(self.kind, self.kind)
        if base == "daily":
            return self.start.isoformat()
        if base == "monthly":
            return f"{self.start.year}年{self.start.month}月"
        if base == "quarterly":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.isoformat()} 至 {self.last_day.isoformat()}"


def between(first: date, last: date) -> Period:
    """The days from `first` to `last`, both included."""
    if last < first:
        raise ValueError("a period cannot end before it starts")
    return Period(RANGE, first, last + timedelta(days=1))


def period_containing(kind: str, day: date) -> Period:
    """The period of `kind` that contains `day`."""
    if kind not in KINDS:
        raise ValueError(f"unknown report kind {kind!r}")
    base = BASE_KIND.get(kind, kind)
    if base == "daily":
        return Period(kind, day, day + timedelta(days=1))
    if base == "weekly":
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=7))
    if base == "monthly":
        start = day.replace(day=1)
        return Period(kind, start, _add_months(start, 1))
    start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(kind, start, _add_months(start, 3))


def last_closed(kind: str, now: datetime) -> Period:
    """The latest period of `kind` that has ended by `now`."""
    today = now.astimezone(local_zone()).date()
    return period_containing(kind, today).previous()
