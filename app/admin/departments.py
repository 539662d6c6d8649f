"""Departments: stationing mode (常驻 / 轮驻 / 随驻), the units served, 轮驻 periods.

A department has a home unit and may serve further units (department_unit): lane resolution
finds it for cases at any of them or below (app.org.lanes.department_for).

A 轮驻 department with periods recorded takes new tasks only on the days a period covers
(app.org.lanes); rotating it out ends its period yesterday, and the tasks it already holds stay.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.admin.access import AdminScope, department_in_scope, unit_in_scope
from app.admin.changes import audit_change
from app.clock import local_zone
from app.errors import ValidationFailed
from app.extensions import db
from app.org.models import Department, DepartmentUnit, OrgLevel, OrgUnit, StationingMode, StationingPeriod
from app.org.services import Actor

MODE_LABELS = {StationingMode.PERMANENT: "常驻", StationingMode.ROTATING: "轮驻",
               StationingMode.ON_CALL: "随驻"}
MODE_BY_NAME = {**{v: k for k, v in MODE_LABELS.items()}, **{m.value: m for m in StationingMode}}


def departments_in(scope: AdminScope) -> list[Department]:
    """Departments serving units of the administered subtrees."""
    return list(db.session.scalars(select(Department).where(
        Department.org_unit_id.in_(scope.unit_ids())).order_by(Department.org_unit_id, Department.id)))


def periods_of(department_ids: list[int]) -> dict[int, list[StationingPeriod]]:
    """Stationing periods by department, oldest first."""
    rows = db.session.scalars(select(StationingPeriod).where(
        StationingPeriod.department_id.in_(department_ids)).order_by(StationingPeriod.starts_on))
    out: dict[int, list[StationingPeriod]] = {}
    for row in rows:
        out.setdefault(row.department_id, []).append(row)
    return out


def further_units_of(department_ids: list[int]) -> dict[int, list[OrgUnit]]:
    """The units each department serves besides its home unit, by code."""
    rows = db.session.execute(select(DepartmentUnit.department_id, OrgUnit).join(
        OrgUnit, OrgUnit.id == DepartmentUnit.org_unit_id).where(
        DepartmentUnit.department_id.in_(department_ids)).order_by(OrgUnit.code)).all()
    out: dict[int, list[OrgUnit]] = {}
    for department_id, unit in rows:
        out.setdefault(department_id, []).append(unit)
    return out


def _state(d: Department, periods: list[StationingPeriod] | None = None) -> dict:
    periods = periods if periods is not None else periods_of([d.id]).get(d.id, [])
    return {"code": d.code, "name": d.name, "stationing": MODE_LABELS[d.stationing],
            "org_unit": d.org_unit.name,
            "served": [u.name for u in further_units_of([d.id]).get(d.id, [])],
            "periods": [f"{p.starts_on}～{p.ends_on or '至今'}" for p in periods]}


def parse_mode(name: str) -> StationingMode:
    """A stationing mode by its Chinese name; a field error otherwise."""
    mode = MODE_BY_NAME.get((name or "").strip())
    if mode is None:
        raise ValidationFailed("驻点方式无效", {"stationing": ["请选择常驻、轮驻或随驻"]})
    return mode


def parse_day(text: str, field: str, label: str) -> date:
    """A YYYY-MM-DD date; a Chinese error naming the field otherwise."""
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationFailed(f"{label}格式不正确", {field: [
            f"{label}「{text}」不是有效日期，请按 2026-03-01 的格式填写"]}) from None


def add_department(scope: AdminScope, org_unit_id: int, code: str, name: str, mode: str, *,
                   actor: Actor, now: datetime) -> Department:
    """A department stationed at a unit of the administrator's subtree."""
    unit = unit_in_scope(scope, org_unit_id)
    code, name = (code or "").strip(), (name or "").strip()
    errors = {}
    if not code:
        errors["code"] = ["请填写部门编码"]
    elif db.session.scalar(select(Department.id).where(Department.code == code,
                                                       Department.org_unit_id == unit.id)):
        errors["code"] = [f"「{unit.name}」已有编码为「{code}」的部门"]
    if not name:
        errors["name"] = ["请填写部门名称"]
    if errors:
        raise ValidationFailed("部门未添加", errors)
    department = Department(code=code, name=name, stationing=parse_mode(mode), org_unit=unit)
    db.session.add(department)
    db.session.flush()
    audit_change(actor, "department.added", f"{unit.code}/{code}", None, _state(department, []), now=now)
    return department


def update_department(scope: AdminScope, department_id: int, mode: str, org_unit_id: int, *,
                      actor: Actor, now: datetime) -> Department:
    """Change a department's stationing mode or the unit it serves."""
    department = department_in_scope(scope, department_id)
    unit = unit_in_scope(scope, org_unit_id)
    before = _state(department)
    clash = db.session.scalar(select(Department.id).where(
        Department.code == department.code, Department.org_unit_id == unit.id,
        Department.id != department.id))
    if clash:
        raise ValidationFailed("部门未修改", {"org_unit_id": [f"「{unit.name}」已有同编码的部门"]})
    department.stationing, department.org_unit = parse_mode(mode), unit
    db.session.flush()
    audit_change(actor, "department.changed", department.code, before, _state(department), now=now)
    return department


def add_period(scope: AdminScope, department_id: int, starts_on: str, ends_on: str, *,
               actor: Actor, now: datetime) -> StationingPeriod:
    """Station a 轮驻 department for a span of days (open end: until rotated out)."""
    department = department_in_scope(scope, department_id)
    if department.stationing != StationingMode.ROTATING:
        raise ValidationFailed("不是轮驻部门", {"stationing": ["只有轮驻部门才设轮驻期"]})
    start = parse_day(starts_on, "starts_on", "开始日期")
    end = parse_day(ends_on, "ends_on", "结束日期") if (ends_on or "").strip() else None
    if end is not None and end < start:
        raise ValidationFailed("日期有误", {"ends_on": ["结束日期不能早于开始日期"]})
    before = _state(department)
    for other in periods_of([department.id]).get(department.id, []):
        if start <= (other.ends_on or date.max) and other.starts_on <= (end or date.max):
            raise ValidationFailed("轮驻期重叠", {"starts_on": [
                f"与已有轮驻期 {other.starts_on}～{other.ends_on or '至今'} 重叠"]})
    period = StationingPeriod(department_id=department.id, starts_on=start, ends_on=end)
    db.session.add(period)
    db.session.flush()
    audit_change(actor, "department.stationed", department.code, before, _state(department), now=now)
    return period


def current_periods(scope: AdminScope, department_id: int,
                    today: date) -> tuple[Department, list[StationingPeriod]]:
    """The department and its periods covering `today`; a field error when it is not stationed."""
    department = department_in_scope(scope, department_id)
    current = [p for p in periods_of([department.id]).get(department.id, []) if p.covers(today)]
    if not current:
        raise ValidationFailed("不在轮驻期", {"department_id": [f"「{department.name}」当前不在轮驻期内"]})
    return department, current


def rotate_out(scope: AdminScope, department_id: int, *, actor: Actor, now: datetime) -> Department:
    """End the department's current period: from today it takes no new tasks."""
    today = now.astimezone(local_zone()).date()
    department, current = current_periods(scope, department_id, today)
    before = _state(department)
    for period in current:
        if period.starts_on >= today:
            db.session.delete(period)
        else:
            period.ends_on = today - timedelta(days=1)
    db.session.flush()
    audit_change(actor, "department.rotated_out", department.code, before, _state(department), now=now)
    return department


SERVABLE_LEVELS = (OrgLevel.CITY, OrgLevel.COUNTY, OrgLevel.TOWNSHIP)


def add_served_unit(scope: AdminScope, department_id: int, org_unit_id: int, *,
                    actor: Actor, now: datetime) -> Department:
    """Record that the department also serves `org_unit_id` (a unit of the subtree)."""
    department = department_in_scope(scope, department_id)
    unit = unit_in_scope(scope, org_unit_id, "served_unit_id")
    problem = None
    if unit.retired_at is not None:
        problem = f"「{unit.name}」已撤销"
    elif unit.level not in SERVABLE_LEVELS:
        problem = "服务单位须为市、县区或乡镇"
    elif (unit.id == department.org_unit_id
          or db.session.get(DepartmentUnit, (department.id, unit.id)) is not None):
        problem = f"「{department.name}」已服务「{unit.name}」"
    if problem:
        raise ValidationFailed("服务单位未添加", {"served_unit_id": [problem]})
    before = _state(department)
    db.session.add(DepartmentUnit(department_id=department.id, org_unit_id=unit.id))
    db.session.flush()
    audit_change(actor, "department.serves_added", department.code, before, _state(department), now=now)
    return department


def remove_served_unit(scope: AdminScope, department_id: int, org_unit_id: int, *,
                       actor: Actor, now: datetime) -> Department:
    """Stop the department serving a further unit: it takes no new tasks there; open ones stay."""
    department = department_in_scope(scope, department_id)
    link = db.session.get(DepartmentUnit, (department.id, org_unit_id))
    if link is None:
        raise ValidationFailed("服务单位未移除", {"served_unit_id": [f"「{department.name}」未服务该单位"]})
    unit_in_scope(scope, org_unit_id, "served_unit_id")
    before = _state(department)
    db.session.delete(link)
    db.session.flush()
    audit_change(actor, "department.serves_removed", department.code, before, _state(department), now=now)
    return department
