"""`app.supervision.policies`: which thresholds apply to a task, and overdue working days."""

from datetime import datetime, timedelta

import pytest

from app.supervision import policies
from app.supervision.models import ANY
from app.supervision.policies import DEFAULT, Policy, PolicyTable


def at(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def test_the_most_specific_row_wins():
    table = PolicyTable({
        ("dispute", "mediate"): Policy(chase_after=2),
        ("dispute", ANY): Policy(chase_after=3),
        (ANY, "mediate"): Policy(chase_after=4),
        (ANY, ANY): Policy(chase_after=5),
    })
    assert table.for_task("dispute", "mediate").chase_after == 2
    assert table.for_task("dispute", "visit").chase_after == 3
    assert table.for_task("petition", "mediate").chase_after == 4
    assert table.for_task("petition", "visit").chase_after == 5


def test_without_rows_the_published_rules_apply_and_orders_never_escalate():
    table = PolicyTable({})
    assert table.for_task("dispute", "mediate") == DEFAULT == Policy(2 / 3, 1, 5)
    assert table.for_task(policies.ORDER_PROCESS, "answer").supervise_after is None
    assert not table.custom_shares


def test_thresholds_list_every_value_in_force_and_custom_shares_is_noticed():
    table = PolicyTable({("dispute", ANY): Policy(warn_share=0.5, chase_after=3, supervise_after=None)})
    assert table.thresholds("chase_after") == {1, 3}
    assert table.thresholds("supervise_after") == {5}
    assert table.custom_shares


@pytest.mark.usefixtures("app")
@pytest.mark.parametrize(("due", "now", "days"), [
    ("2026-03-06T17:00", "2026-03-06T18:00", 0),   # same day: late, not a working day late
    ("2026-03-06T17:00", "2026-03-07T10:00", 0),   # Saturday
    ("2026-03-06T17:00", "2026-03-09T10:00", 1),   # Monday
    ("2026-03-06T17:00", "2026-03-13T10:00", 5),   # a week later
    ("2026-03-09T10:00", "2026-03-06T17:00", 0),   # not yet due
])
def test_overdue_working_days_skip_weekends(due, now, days):
    assert policies.overdue_working_days(at(due), at(now)) == days


@pytest.mark.usefixtures("app")
def test_the_batch_count_agrees_with_the_single_one_over_a_year_of_deadlines():
    now = at("2026-12-31T12:00")
    spans = [(at("2026-01-01T09:00") + timedelta(hours=37 * i), now) for i in range(0, 240)]
    spans.append((now + timedelta(days=1), now))
    assert policies.overdue_working_days_many(spans) == [policies.overdue_working_days(d, e)
                                                          for d, e in spans]


@pytest.mark.usefixtures("app")
@pytest.mark.parametrize("working_days", [1, 2, 5])
def test_the_cutoff_is_the_boundary_of_overdue_by_n_working_days(working_days):
    now = at("2026-03-18T15:00")  # a Wednesday
    cutoff = policies.overdue_cutoff(now, working_days)
    assert policies.overdue_working_days(cutoff - timedelta(minutes=1), now) >= working_days
    assert policies.overdue_working_days(cutoff, now) < working_days
