"""overdue_working_days_many: the same answers as overdue_working_days, row by row."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from app.supervision.policies import overdue_working_days, overdue_working_days_many

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_matches_the_single_row_function_across_holidays_and_rest_days():
    now = datetime(2025, 10, 9, 10, 0, tzinfo=SHANGHAI)  # after the National Day week and its 调休
    spans = [(now - timedelta(days=days, hours=hours), now if days % 3 else now - timedelta(days=1))
             for days in range(0, 400, 7) for hours in (0, 5, 20)]
    spans.append((now + timedelta(days=2), now))  # not due yet
    assert overdue_working_days_many(spans) == [overdue_working_days(due, end) for due, end in spans]


def test_nothing_overdue():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    assert overdue_working_days_many([]) == []
    assert overdue_working_days_many([(now + timedelta(hours=1), now)]) == [0]
