"""Chinese working-day calendar and deadline arithmetic."""

from app.calendar.workdays import (
    DayInfo,
    DaySource,
    Deadline,
    OverrideDaySource,
    PackageDaySource,
    WorkCalendar,
)

__all__ = [
    "DayInfo",
    "DaySource",
    "Deadline",
    "OverrideDaySource",
    "PackageDaySource",
    "WorkCalendar",
]
