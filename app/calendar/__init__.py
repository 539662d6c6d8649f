"""Chinese working-day calendar and deadline arithmetic."""

from app.calendar.workdays import (
    DayInfo,
    DaySource,
    Deadline,
    OverrideDaySource,
    PackageDaySource,
    WorkCalendar,
    schedule_published,
)

__all__ = [
    "DayInfo",
    "DaySource",
    "Deadline",
    "OverrideDaySource",
    "PackageDaySource",
    "WorkCalendar",
    "schedule_published",
]
