"""Working-day and deadline arithmetic against the published 2026 schedule."""

from datetime import UTC, date, datetime, time

import pytest

from app.calendar.workdays import (
    DayInfo,
    OverrideDaySource,
    PackageDaySource,
    WorkCalendar,
)
from tests.conftest import SHANGHAI

CAL = WorkCalendar()


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    """Aware Shanghai datetime."""
    return datetime(y, m, d, hour, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime:
    """End of a Shanghai day."""
    return datetime(y, m, d, 23, 59, 59, tzinfo=SHANGHAI)


def test_package_schedule_facts_2026() -> None:
    # Guard the assumptions below: if the package data changes, fail loudly here.
    assert not CAL.is_workday(date(2026, 10, 1))
    assert not CAL.is_workday(date(2026, 10, 7))
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday make-up day
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday make-up day
    assert not CAL.is_workday(date(2026, 9, 25))  # Mid-Autumn, Friday
    assert CAL.is_workday(date(2026, 2, 14))  # Saturday make-up day
    assert CAL.is_workday(date(2026, 2, 28))  # Saturday make-up day
    assert not CAL.is_workday(date(2026, 2, 23))  # last Spring Festival day, Monday
    assert PackageDaySource().published_years() == range(2004, 2027)


def test_one_working_day_from_friday_is_monday() -> None:
    result = CAL.add_working_days(at(2026, 3, 13), 1)
    assert result.due == eod(2026, 3, 16)
    assert result.due.tzinfo is SHANGHAI
    assert result.estimated is False


def test_working_days_across_national_day_land_on_makeup_saturday() -> None:
    assert CAL.add_working_days(at(2026, 9, 30), 1).due == eod(2026, 10, 8)
    assert CAL.add_working_days(at(2026, 9, 30), 3).due == eod(2026, 10, 10)
    assert CAL.add_working_days(at(2026, 9, 30), 4).due == eod(2026, 10, 12)


def test_working_days_zero() -> None:
    assert CAL.add_working_days(at(2026, 3, 11), 0).due == eod(2026, 3, 11)
    assert CAL.add_working_days(at(2026, 10, 3), 0).due == eod(2026, 10, 8)


def test_natural_days_ending_inside_holiday_move_past_it() -> None:
    assert CAL.add_natural_days(at(2026, 9, 28), 5).due == eod(2026, 10, 8)
    assert CAL.add_natural_days(at(2026, 2, 10), 7).due == eod(2026, 2, 24)


def test_natural_days_ending_on_saturday_move_to_monday() -> None:
    result = CAL.add_natural_days(at(2026, 3, 9), 5)
    assert result.due == eod(2026, 3, 16)
    assert result.estimated is False


def test_natural_days_ending_on_makeup_sunday_stay() -> None:
    assert CAL.add_natural_days(at(2026, 9, 13), 7).due == eod(2026, 9, 20)


def test_deadline_into_2027_is_estimated_weekends_only() -> None:
    # 2026-12-31 is a published workday; 2027-01-01 (Fri) has no schedule -> counted as workday.
    result = CAL.add_working_days(at(2026, 12, 30), 3)
    assert result.due == eod(2027, 1, 4)
    assert result.estimated is True
    natural = CAL.add_natural_days(at(2026, 12, 28), 5)  # 2027-01-02 is a Saturday
    assert natural.due == eod(2027, 1, 4)
    assert natural.estimated is True


def test_deadline_fully_in_2026_is_not_estimated() -> None:
    assert CAL.add_working_days(at(2026, 12, 28), 3).estimated is False
    assert CAL.add_natural_days(at(2026, 12, 28), 3).estimated is False


def test_unpublished_year_day_info() -> None:
    info = PackageDaySource().day_info(date(2027, 1, 1))
    assert info == DayInfo(date(2027, 1, 1), is_workday=True, name=None, estimated=True)
    assert PackageDaySource().day_info(date(2027, 1, 2)).is_workday is False


def test_override_makes_wednesday_a_holiday() -> None:
    assert CAL.add_working_days(at(2026, 3, 9), 2).due == eod(2026, 3, 11)
    wednesday = date(2026, 3, 11)
    override = DayInfo(wednesday, is_workday=False, name="台风停工", estimated=False)
    cal = WorkCalendar(OverrideDaySource(PackageDaySource(), {wednesday: override}))
    assert cal.add_working_days(at(2026, 3, 9), 2).due == eod(2026, 3, 12)
    assert cal.add_natural_days(at(2026, 3, 9), 2).due == eod(2026, 3, 12)


def test_override_is_never_estimated() -> None:
    day = date(2027, 1, 1)
    override = DayInfo(day, is_workday=False, name="元旦", estimated=True)
    source = OverrideDaySource(PackageDaySource(), {day: override})
    assert source.day_info(day) == DayInfo(day, is_workday=False, name="元旦", estimated=False)


def test_start_is_converted_to_local_date() -> None:
    # 2026-03-13 17:00 UTC is Saturday 01:00 in Shanghai.
    result = CAL.add_working_days(datetime(2026, 3, 13, 17, tzinfo=UTC), 1)
    assert result.due == eod(2026, 3, 16)
    assert result.due.time() == time(23, 59, 59)


def test_add_hours_is_plain_clock_time() -> None:
    result = CAL.add_hours(at(2026, 10, 1, hour=23), 2)
    assert result.due == datetime(2026, 10, 2, 1, tzinfo=SHANGHAI)
    assert result.estimated is False
    assert CAL.add_hours(at(2027, 6, 1), 2).estimated is False


def test_errors() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.add_working_days(datetime(2026, 3, 13, 10), 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        CAL.deadline(datetime(2026, 3, 13, 10), 2, "hour", "natural")
    with pytest.raises(ValueError, match="unit"):
        CAL.deadline(at(2026, 3, 13), 1, "week", "working")
    with pytest.raises(ValueError, match="day_type"):
        CAL.deadline(at(2026, 3, 13), 1, "day", "calendar")
    with pytest.raises(ValueError, match="non-negative"):
        CAL.deadline(at(2026, 3, 13), -1, "day", "working")


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert CAL.working_days_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert CAL.working_days_between(date(2026, 3, 13), date(2026, 3, 16)) == 1
    assert CAL.working_days_between(date(2026, 3, 13), date(2026, 3, 13)) == 0


def test_next_workday() -> None:
    assert CAL.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 10, 9)) == date(2026, 10, 10)
    assert CAL.next_workday(date(2026, 2, 13)) == date(2026, 2, 14)


@pytest.mark.parametrize(
    ("day", "is_workday", "name"),
    [
        (date(2026, 10, 1), False, "国庆节"),
        (date(2026, 2, 17), False, "春节"),
        (date(2026, 4, 5), False, "清明节"),
        (date(2026, 9, 25), False, "中秋节"),
        (date(2015, 9, 3), False, "抗战胜利纪念日"),
        (date(2026, 10, 10), True, "调休上班"),
        (date(2026, 3, 14), False, None),
        (date(2026, 3, 11), True, None),
    ],
)
def test_day_names(day: date, is_workday: bool, name: str | None) -> None:
    assert PackageDaySource().day_info(day) == DayInfo(day, is_workday, name, estimated=False)


@pytest.mark.parametrize(
    ("start", "amount", "unit", "day_type", "due"),
    [
        (at(2026, 3, 13), 1, "day", "working", eod(2026, 3, 16)),
        (at(2026, 2, 13), 1, "day", "working", eod(2026, 2, 14)),
        (at(2026, 2, 13), 2, "day", "working", eod(2026, 2, 24)),
        (at(2026, 9, 18), 3, "day", "working", eod(2026, 9, 22)),
        (at(2026, 9, 30), 1, "day", "natural", eod(2026, 10, 8)),
        (at(2026, 4, 30), 15, "day", "natural", eod(2026, 5, 15)),
        (at(2026, 12, 31), 1, "day", "natural", eod(2027, 1, 1)),
        (at(2026, 3, 13, hour=9), 2, "hour", "natural", at(2026, 3, 13, hour=11)),
    ],
)
def test_deadline_table(
    start: datetime, amount: int, unit: str, day_type: str, due: datetime
) -> None:
    assert CAL.deadline(start, amount, unit, day_type).due == due
