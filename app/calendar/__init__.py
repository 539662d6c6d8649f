"""Chinese working-day calendar and deadline arithmetic."""

from app.calendar.workdays import (
    DayInfo,
    DaySource,
    Deadline,
    OverrideDaySource,
    PackageDaySource,
    WorkCalendar,
    schedule_published,
    set_default_source,
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


def init_app(app) -> None:
    """Deadlines read the working-day table; register `flask calendar`."""
    from app.calendar.cli import calendar  # noqa: PLC0415
    from app.calendar.store import SOURCE  # noqa: PLC0415

    set_default_source(SOURCE)
    app.cli.add_command(calendar)
