"""Per-department on-time rate (按期办结率) and average handling time of completed tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, extract, func, select

from app.extensions import db
from app.org.models import Department, OrgUnit
from app.supervision.access import units_under
from app.supervision.labels import role_label
from app.workflow.models import HumanTask, ProcessInstance, TaskState


@dataclass
class DepartmentStat:
    """One handling unit's record over a period."""

    label: str
    completed: int
    with_deadline: int
    on_time: int
    open_overdue: int
    average_hours: float | None

    @property
    def on_time_rate(self) -> str:
        """On time ÷ completed with a deadline, two decimals, '—' when nothing was due."""
        return percent(self.on_time, self.with_deadline)


def percent(part: int, whole: int) -> str:
    """'79.62%' (two decimals, half up), or '—' for an empty whole."""
    if not whole:
        return "—"
    return f"{rate_value(part, whole):.2f}%"


def rate_value(part: int, whole: int) -> float:
    """part ÷ whole × 100 rounded half up to two decimals (0 for an empty whole)."""
    if not whole:
        return 0.0
    return (part * 10000 * 2 + whole) // (whole * 2) / 100


def seconds_between(later, earlier):
    """SQL for `later - earlier` in seconds, on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return extract("epoch", later - earlier)


_KEY = (HumanTask.candidate_department_id, HumanTask.candidate_org_unit_id, HumanTask.candidate_role)


def _completed(unit: OrgUnit, start: datetime, end: datetime) -> dict:
    on_time = case((HumanTask.completed_at <= HumanTask.due_at, 1), else_=0)
    rows = db.session.execute(
        select(*_KEY, func.count(), func.count(HumanTask.due_at), func.sum(on_time),
               func.avg(seconds_between(HumanTask.completed_at, HumanTask.created_at)))
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.state == TaskState.COMPLETED, HumanTask.completed_at >= start,
               HumanTask.completed_at < end, ProcessInstance.org_unit_id.in_(units_under(unit)))
        .group_by(*_KEY))
    return {tuple(r[:3]): r[3:] for r in rows}


def _open_overdue(unit: OrgUnit, now: datetime) -> dict:
    rows = db.session.execute(
        select(*_KEY, func.count())
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.state == TaskState.READY, HumanTask.due_at < now,
               ProcessInstance.org_unit_id.in_(units_under(unit)))
        .group_by(*_KEY))
    return {tuple(r[:3]): r[3] for r in rows}


def _labels(keys) -> dict:
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
    """Each department or post with tasks under `unit`: on-time rate and average handling hours
    of tasks completed in [start, end), and its tasks overdue right now; worst rate first."""
    done, overdue = _completed(unit, start, end), _open_overdue(unit, now)
    keys = set(done) | set(overdue)
    labels = _labels(keys)
    stats = []
    for key in keys:
        completed, with_deadline, on_time, seconds = done.get(key, (0, 0, 0, None))
        stats.append(DepartmentStat(labels[key], completed, with_deadline, int(on_time or 0),
                                    overdue.get(key, 0),
                                    None if seconds is None else round(float(seconds) / 3600, 1)))
    stats.sort(key=lambda s: (rate_value(s.on_time, s.with_deadline) if s.with_deadline else 101,
                              -s.open_overdue, s.label))
    return stats


