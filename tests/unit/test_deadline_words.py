"""Deadline colours and the time left in words."""

from datetime import datetime

import pytest

from app.inbox.deadlines import DeadlineState, deadline_state, time_left_words
from tests.conftest import SHANGHAI


def at(*args):
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("now", "expected"), [
    (at(2026, 3, 2, 10), DeadlineState.NORMAL),
    (at(2026, 3, 4, 18), DeadlineState.NORMAL),    # 2/3 of 2 Mar 09:00 → 5 Mar 23:59 is 4 Mar 19:00
    (at(2026, 3, 4, 20), DeadlineState.WARNING),
    (at(2026, 3, 6, 0, 0, 1), DeadlineState.OVERDUE),
])
def test_deadline_state(now, expected):
    assert deadline_state(at(2026, 3, 2, 9), at(2026, 3, 5, 23, 59, 59), now) == expected


def test_no_due_time_has_no_state():
    assert deadline_state(at(2026, 3, 2, 9), None, at(2026, 3, 2, 10)) is None


@pytest.mark.parametrize(("due", "now", "words"), [
    (at(2026, 3, 4, 23, 59, 59), at(2026, 3, 2, 9), "剩余 2 个工作日"),
    # Friday → Tuesday spans a weekend: Mon and Tue are the working days left.
    (at(2026, 3, 10, 23, 59, 59), at(2026, 3, 6, 9), "剩余 2 个工作日"),
    # 30 Sep → 8 Oct 2026 spans National Day: only 8 Oct is a working day.
    (at(2026, 10, 8, 23, 59, 59), at(2026, 9, 30, 9), "剩余 1 个工作日"),
    (at(2026, 3, 2, 23, 59, 59), at(2026, 3, 2, 9), "今日到期"),
    (at(2026, 3, 2, 17, 0), at(2026, 3, 2, 14, 0), "剩余 3 小时"),
    (at(2026, 3, 2, 23, 59, 59), at(2026, 3, 5, 9), "已超期 3 天"),
    (at(2026, 3, 2, 10, 0), at(2026, 3, 2, 13, 0), "已超期 3 小时"),
    (None, at(2026, 3, 2, 9), "无时限"),
])
def test_time_left_words(due, now, words):
    assert time_left_words(due, now) == words


def test_stored_warning_moment_wins_over_the_default_share():
    created, due = at(2026, 3, 2, 9), at(2026, 3, 5, 23, 59, 59)
    half_way = at(2026, 3, 3, 22)
    assert deadline_state(created, due, at(2026, 3, 4, 0), warn_at=half_way) == DeadlineState.WARNING
    assert deadline_state(created, due, at(2026, 3, 4, 0)) == DeadlineState.NORMAL
