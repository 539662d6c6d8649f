"""Resolve a BPMN lane (or a named department) to the people who may work a task.

Every new task is resolved, so answers — and the facts they come from: a unit's chain of
ancestors, a lane's rule, the departments with a code and where they serve — are remembered per
process for RELOAD_SECONDS:
a change to org units, departments or lane rules committed in this process clears them at
once; one committed by another process is seen within RELOAD_SECONDS. A transaction that
has itself changed the organisation bypasses the memo (it must see its own changes, which
nobody else may see before it commits).
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import Any

from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.caches import app_cache
from app.clock import local_zone
from app.extensions import db
from app.org.models import (
    Department,
    DepartmentUnit,
    LaneRule,
    OrgLevel,
    OrgUnit,
    Role,
    StationingMode,
    StationingPeriod,
)

RELOAD_SECONDS = 30.0
_ORG_MODELS = (OrgUnit, Department, DepartmentUnit, LaneRule, StationingPeriod)
_CHANGED = "onedoor.org_changed"


@dataclass(frozen=True)
class Candidates:
    """Who may see and claim a task: a department, or a role at an org unit."""

    department_id: int | None = None
    org_unit_id: int | None = None
    role: Role | None = None


class LaneError(LookupError):
    """A lane or department could not be resolved for the case's location."""


@dataclass(frozen=True)
class _Unit:
    """What resolution reads of an org unit on the chain up from a case's location."""

    id: int
    level: OrgLevel


@dataclass(frozen=True)
class _Rule:
    """What resolution reads of a lane rule."""

    department_code: str | None
    role: Role | None
    org_level: OrgLevel | None


def _remembered(key: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()`, remembered under `key` for this database (see the module's docstring);
    a transaction that changed the organisation computes afresh and remembers nothing."""
    if db.session.info.get(_CHANGED):
        return compute()
    key = (str(db.engine.url), *key)
    memo = _memo()
    found = memo.get(key)
    if found is None:
        found = compute()
        memo.put(key, found)
    return found


def _ancestors(org_unit_id: int) -> tuple[_Unit, ...]:
    """The unit and its ancestors, nearest first."""
    return _remembered(("chain", org_unit_id), lambda: _read_chain(org_unit_id))  # type: ignore[no-any-return]


def _read_chain(org_unit_id: int) -> tuple[_Unit, ...]:
    unit = db.session.get(OrgUnit, org_unit_id)
    if unit is None:
        raise LaneError(f"未知的组织单位: {org_unit_id}")
    ids = unit.ancestor_ids() or [unit.id]
    levels: dict[int, OrgLevel] = {row.id: row.level for row in db.session.execute(
        select(OrgUnit.id, OrgUnit.level).where(OrgUnit.id.in_(ids)))}
    return tuple(_Unit(i, levels[i]) for i in reversed(ids) if i in levels)


def _lane_rule(lane: str) -> _Rule | None:
    def read() -> _Rule | None:
        rule = db.session.scalar(select(LaneRule).where(LaneRule.lane == lane))
        return None if rule is None else _Rule(rule.department_code, rule.role, rule.org_level)
    found = _remembered(("rule", lane), lambda: read() or _NO_RULE)
    return None if found is _NO_RULE else found  # type: ignore[no-any-return]


_NO_RULE = _Rule(None, None, None)  # remembered for a lane without a rule (None means "not known")


def off_rotation(departments: list[Department], day: date) -> set[int]:
    """Ids of the 轮驻 departments not stationed on `day` (one with no periods recorded is
    treated as stationed: its rotation is not managed in the system)."""
    rotating = [d.id for d in departments if d.stationing == StationingMode.ROTATING]
    if not rotating:
        return set()
    periods = db.session.scalars(select(StationingPeriod).where(
        StationingPeriod.department_id.in_(rotating))).all()
    managed = {p.department_id for p in periods}
    stationed = {p.department_id for p in periods if p.covers(day)}
    return managed - stationed


@dataclass(frozen=True)
class _Department:
    """What resolution reads of a department with a given code: where it is at home, which
    further units it serves, and for a 轮驻 department its stationing periods."""

    id: int
    name: str
    home_unit_id: int
    served_unit_ids: frozenset[int]
    rotating: bool
    periods: tuple[tuple[date, date | None], ...]

    def away_on(self, day: date) -> bool:
        """A 轮驻 department with periods recorded and none covering `day` (see off_rotation)."""
        return self.rotating and bool(self.periods) and not any(
            start <= day and (end is None or day <= end) for start, end in self.periods)


def _departments_with(code: str) -> tuple[_Department, ...]:
    """Every department with `code` (all its places, in id order), remembered: with it any
    location's department is found without a query."""
    return _remembered(("departments", code), lambda: _read_departments(code))  # type: ignore[no-any-return]


def _read_departments(code: str) -> tuple[_Department, ...]:
    departments = db.session.scalars(select(Department).where(Department.code == code)
                                     .order_by(Department.id)).all()
    ids = [d.id for d in departments]
    served: dict[int, set[int]] = {}
    periods: dict[int, list[tuple[date, date | None]]] = {}
    if ids:
        for link in db.session.execute(select(DepartmentUnit.department_id, DepartmentUnit.org_unit_id)
                                       .where(DepartmentUnit.department_id.in_(ids))):
            served.setdefault(link.department_id, set()).add(link.org_unit_id)
        rotating = [d.id for d in departments if d.stationing == StationingMode.ROTATING]
        if rotating:
            for period in db.session.scalars(select(StationingPeriod).where(
                    StationingPeriod.department_id.in_(rotating))):
                periods.setdefault(period.department_id, []).append((period.starts_on, period.ends_on))
    return tuple(_Department(d.id, d.name, d.org_unit_id, frozenset(served.get(d.id, ())),
                             d.stationing == StationingMode.ROTATING, tuple(periods.get(d.id, ())))
                 for d in departments)


def department_for(code: str, org_unit_id: int, day: date | None = None) -> Department:
    """The department with `code` serving the nearest ancestor of the location (at its home
    unit or at a further unit recorded for it); on `day`, a 轮驻 department off rotation is
    passed over (it takes no new tasks)."""
    return db.session.get_one(Department, department_id_for(code, org_unit_id, day))


def department_id_for(code: str, org_unit_id: int, day: date | None = None) -> int:
    """The id of `department_for(code, org_unit_id, day)`, remembered (no Department is loaded
    when the answer is known). "No such department" is remembered as such, and raised anew."""
    found = _remembered(("department", code, org_unit_id, day),
                        lambda: _find_department(code, org_unit_id, day))
    if isinstance(found, LaneError):
        raise LaneError(*found.args)
    return found  # type: ignore[no-any-return]


def _find_department(code: str, org_unit_id: int, day: date | None) -> int | LaneError:
    """Nearest unit first; at a unit, the departments at home there before those recorded as
    also serving it (each in id order)."""
    chain = _ancestors(org_unit_id)
    departments = _departments_with(code)
    unit_ids = {unit.id for unit in chain}
    everyone = [d for d in departments if d.home_unit_id in unit_ids or d.served_unit_ids & unit_ids]
    away = {d.id for d in everyone if d.away_on(day)} if day is not None else set()
    for unit in chain:
        at_home = [d for d in everyone if d.home_unit_id == unit.id]
        further = [d for d in everyone if unit.id in d.served_unit_ids and d not in at_home]
        for department in at_home + further:
            if department.id not in away:
                return department.id
    if away:
        names = "、".join(d.name for d in everyone if d.id in away)
        return LaneError(f"「{names}」当前不在轮驻期内，不能接收新任务")
    return LaneError(f"案件所在地没有编码为「{code}」的部门")


def resolve(lane: str | None, org_unit_id: int | None,
            department_code: str | None = None, at: datetime | None = None) -> Candidates:
    """Candidates for a task in `lane` at the case location; a department code overrides.
    With `at` (the step's time), 轮驻 departments off rotation that day are passed over."""
    if org_unit_id is None:
        raise LaneError("案件没有所在地，无法分派任务")
    day = at.astimezone(local_zone()).date() if at is not None else None
    return _remembered(("lane", lane, org_unit_id, department_code, day),  # type: ignore[no-any-return]
                       lambda: _resolve(lane, org_unit_id, department_code, day))


def _resolve(lane: str | None, org_unit_id: int, department_code: str | None,
             day: date | None) -> Candidates:
    rule = _lane_rule(lane) if lane else None
    code = department_code or (rule.department_code if rule else None)
    if code:
        return Candidates(department_id=department_id_for(code, org_unit_id, day),
                          role=rule.role if rule else None)
    if rule is None or rule.org_level is None:
        raise LaneError(f"泳道「{lane}」没有分派规则")
    for unit in _ancestors(org_unit_id):
        if unit.level == rule.org_level:
            return Candidates(org_unit_id=unit.id, role=rule.role)
    raise LaneError(f"案件所在地没有「{rule.org_level.value}」级的单位")


class _Memo:
    """Resolved candidates and the facts they were resolved from (unit chains, lane rules,
    departments by code), dropped whole every RELOAD_SECONDS."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple, Any] = {}
        self._since = time.monotonic()

    def get(self, key: tuple) -> Any:
        with self._lock:
            if time.monotonic() - self._since > RELOAD_SECONDS:
                self._items.clear()
                self._since = time.monotonic()
            return self._items.get(key)

    def put(self, key: tuple, value: Any) -> None:
        with self._lock:
            self._items[key] = value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._since = time.monotonic()


def _memo() -> _Memo:
    """The app's remembered lane resolutions (app/caches.py)."""
    return app_cache("org.lanes", _Memo)


def forget() -> None:
    """Drop every remembered answer (after an organisation change, and between tests)."""
    _memo().clear()


def init_app(app: Flask) -> None:  # noqa: ARG001 - registered per app, effective for all sessions
    """Watch sessions for organisation changes (a committed one drops the lane answers)."""
    for name, listener in (("after_flush", _note_org_change), ("after_commit", _org_change_committed),
                           ("after_rollback", _org_change_rolled_back)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def _note_org_change(session: Session, _context) -> None:
    if any(isinstance(obj, _ORG_MODELS) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info[_CHANGED] = True


def _org_change_committed(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        forget()


def _org_change_rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)
