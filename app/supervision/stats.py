"""Per-department on-time rate (按期办结率) and average handling time of completed tasks.

On time and overdue follow app/supervision/overdue_facts.py, the same as the reports: a task
escalated by its timer counts against the post that held it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, extract, func, select

from app.extensions import db
from app.org.models import Department, OrgUnit
from app.reports.rates import percent, rate_value
from app.supervision.access import units_under
from app.supervision.labels import role_label
from app.supervision.overdue_facts import on_time_between, overdue_between
from app.workflow.models import HumanTask, TaskState


@dataclass
class DepartmentStat:
    """One handling unit's record over a period."""

    label: str
    completed: int
    on_time: int
    overdue: int
    open_overdue: int
    average_hours: float | None

    @property
    def with_deadline(self) -> int:
        """Tasks counted by the rate: on time, plus overdue whatever ended them."""
        return self.on_time + self.overdue

    @property
    def on_time_rate(self) -> str:
        """On time ÷ (on time + overdue), two decimals, '—' when nothing was due."""
        return percent(self.on_time, self.with_deadline)


def seconds_between(later, earlier):
    """SQL for `later - earlier` in seconds, on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return extract("epoch", later - earlier)


_KEY = (HumanTask.candidate_department_id, HumanTask.candidate_org_unit_id, HumanTask.candidate_role)


def _counts(unit: OrgUnit, condition, *columns) -> dict:
    rows = db.session.execute(
        select(*_KEY, *columns)
        .where(condition, HumanTask.case_org_unit_id.in_(units_under(unit)))
        .group_by(*_KEY))
    return {tuple(r[:3]): tuple(r[3:]) for r in rows}


def _completed(unit: OrgUnit, start: datetime, end: datetime) -> dict:
    return _counts(unit, and_(HumanTask.state == TaskState.COMPLETED, HumanTask.completed_at >= start,
                              HumanTask.completed_at < end),
                   func.count(), func.avg(seconds_between(HumanTask.completed_at, HumanTask.created_at)))


def handler_labels(keys) -> dict:
    """Chinese names of (department, org unit, role) keys: 「甘州区人社局」, 「第1网格网格员」."""
    dept_ids = {k[0] for k in keys if k[0]}
    unit_ids = {k[1] for k in keys if k[1]}
    departments = {d.id: d for d in db.session.scalars(select(Department).where(Department.id.in_(dept_ids)))}
    units = {u.id: u.name for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))}
    labels = {}
    for dept_id, unit_id, role in keys:
        if dept_id in departments:
            dept = departments[dept_id]
            labels[(dept_id, unit_id, role)] = f"{dept.org_unit.name}{dept.name}"
        else:
            labels[(dept_id, unit_id, role)] = f"{units.get(unit_id, '未知单位')}{role_label(role)}"
    return labels


def department_stats(unit: OrgUnit, start: datetime, end: datetime, now: datetime) -> list[DepartmentStat]:
    """Each department or post with tasks under `unit` over [start, end): tasks completed and their
    average handling hours, on time and overdue (the reports' rule), and its tasks overdue right
    now; worst rate first."""
    done = _completed(unit, start, end)
    on_time = _counts(unit, on_time_between(start, end), func.count())
    late = _counts(unit, overdue_between(start, min(end, now)), func.count())
    open_now = _counts(unit, and_(HumanTask.state == TaskState.READY, HumanTask.due_at < now), func.count())
    keys = set(done) | set(on_time) | set(late) | set(open_now)
    labels = handler_labels(keys)
    stats = []
    for key in keys:
        completed, seconds = done.get(key, (0, None))
        stats.append(DepartmentStat(labels[key], completed, on_time.get(key, (0,))[0], late.get(key, (0,))[0],
                                    open_now.get(key, (0,))[0],
                                    None if seconds is None else round(float(seconds) / 3600, 1)))
    stats.sort(key=lambda s: (rate_value(s.on_time, s.with_deadline) if s.with_deadline else 101,
                              -s.open_overdue, s.label))
    return stats
