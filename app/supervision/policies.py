"""Deadline thresholds per kind of task: warning share, chase and supervision-order days.

Code defaults follow the published 12345 overdue rules (DOMAIN.md): warn at 2/3 of the
period, chase (催办) the first working day after the deadline, and escalate when still
overdue after 5 working days — here to a supervision order (督办单). Rows in
`deadline_policy` override them for a process and/or a task id.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import select

from app.caches import app_cache
from app.calendar import WorkCalendar
from app.clock import local_zone
from app.extensions import db
from app.supervision.models import ANY, DeadlinePolicy
from app.workflow.models import WARNING_SHARE

CALENDAR = WorkCalendar()
ORDER_PROCESS = "supervision_order"
_CACHE_SECONDS = 60.0


@dataclass(frozen=True)
class Policy:
    """The thresholds that apply to one task."""

    warn_share: float = WARNING_SHARE
    chase_after: int | None = 1
    supervise_after: int | None = 5


DEFAULT = Policy()
# A supervision order's own tasks are chased but never escalate to another order.
BUILT_IN = {(ORDER_PROCESS, ANY): Policy(supervise_after=None)}


class PolicyTable:
    """Policies by (process_id, bpmn_id), most specific first; read from the table."""

    def __init__(self, rows: dict[tuple[str, str], Policy]):
        self.rows = {**BUILT_IN, **rows}

    def for_task(self, process_id: str, bpmn_id: str) -> Policy:
        """The policy of a task: (process, task) → (process, *) → (*, task) → (*, *) → default."""
        for key in ((process_id, bpmn_id), (process_id, ANY), (ANY, bpmn_id), (ANY, ANY)):
            if key in self.rows:
                return self.rows[key]
        return DEFAULT

    def thresholds(self, attribute: str) -> set[int]:
        """Every value of `chase_after` or `supervise_after` in force (default included)."""
        values = {getattr(p, attribute) for p in [DEFAULT, *self.rows.values()]}
        return {v for v in values if v is not None}

    @property
    def custom_shares(self) -> bool:
        """True when some row changes the warning share."""
        return any(p.warn_share != WARNING_SHARE for p in self.rows.values())


def _row_policy(row) -> Policy:
    return Policy(float(row.warn_share), row.chase_after_working_days, row.supervise_after_working_days)


def load_table(session_or_connection) -> PolicyTable:
    """Read every policy row."""
    rows = session_or_connection.execute(select(
        DeadlinePolicy.process_id, DeadlinePolicy.bpmn_id, DeadlinePolicy.warn_share,
        DeadlinePolicy.chase_after_working_days, DeadlinePolicy.supervise_after_working_days))
    return PolicyTable({(r.process_id, r.bpmn_id): _row_policy(r) for r in rows})


def _cached() -> dict[object, tuple[float, PolicyTable]]:
    """The app's policy tables by database (app/caches.py)."""
    return app_cache("supervision.policies", dict)


def cached_table(connection) -> PolicyTable:
    """The policy table, re-read at most once a minute per database (see `invalidate`)."""
    key = connection.engine.url
    cached = _cached()
    hit = cached.get(key)
    if hit is not None and time.monotonic() - hit[0] < _CACHE_SECONDS:
        return hit[1]
    table = load_table(connection)
    cached[key] = (time.monotonic(), table)
    return table


def invalidate() -> None:
    """Forget cached policies (after a change in this process; other processes within a minute)."""
    _cached().clear()


def warn_share(process_id: str, bpmn_id: str) -> float:
    """The warning share of a kind of task (`HumanTask.set_due`'s policy, registered with
    app.workflow.sync): the policy row's where one changes it, else the default 2/3."""
    table = cached_table(db.session.connection())
    if not table.custom_shares:
        return WARNING_SHARE
    return table.for_task(process_id, bpmn_id).warn_share


def local_day(moment: datetime) -> date:
    """The Shanghai calendar date of an aware moment."""
    return moment.astimezone(local_zone()).date()


def overdue_working_days(due_at: datetime, now: datetime) -> int:
    """Working days after the deadline's day up to today (0 while not overdue or same day)."""
    if now <= due_at:
        return 0
    return max(0, CALENDAR.working_days_between(local_day(due_at), local_day(now)))


def overdue_working_days_many(spans: list[tuple[datetime, datetime]]) -> list[int]:
    """`overdue_working_days(due_at, end)` for each (due_at, end), with one walk over the calendar.

    A page or an export of overdue tasks would otherwise walk every day since each deadline
    (a year-old backlog: 365 day lookups per row).
    """
    days = [(local_day(due), local_day(end)) for due, end in spans if end > due]
    if not days:
        return [0] * len(spans)
    first = min(start for start, _ in days)
    counted = [0]  # counted[i]: working days in (first, first + i]
    for offset in range(1, (max(end for _, end in days) - first).days + 1):
        counted.append(counted[-1] + CALENDAR.is_workday(first + timedelta(days=offset)))
    return [max(0, counted[(local_day(end) - first).days] - counted[(local_day(due) - first).days])
            if end > due else 0 for due, end in spans]


def overdue_cutoff(now: datetime, working_days: int) -> datetime:
    """Tasks due before this moment are overdue by at least `working_days` working days today."""
    if working_days <= 0:
        return now
    day, counted = local_day(now), 0
    while True:
        counted += CALENDAR.is_workday(day)
        day -= timedelta(days=1)
        if counted >= working_days:
            return datetime.combine(day + timedelta(days=1), clock_time(0), tzinfo=local_zone())
