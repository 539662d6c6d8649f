"""Resolve a BPMN lane (or a named department) to the people who may work a task."""

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.org.models import Department, LaneRule, OrgUnit, Role


@dataclass(frozen=True)
class Candidates:
    """Who may see and claim a task: a department, or a role at an org unit."""

    department_id: int | None = None
    org_unit_id: int | None = None
    role: Role | None = None


class LaneError(LookupError):
    """A lane or department could not be resolved for the case's location."""


def _ancestors(org_unit_id: int) -> list[OrgUnit]:
    """The unit and its ancestors, nearest first."""
    unit = db.session.get(OrgUnit, org_unit_id)
    if unit is None:
        raise LaneError(f"未知的组织单位: {org_unit_id}")
    ids = unit.ancestor_ids() or [unit.id]
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))}
    return [units[i] for i in reversed(ids) if i in units]


def department_for(code: str, org_unit_id: int) -> Department:
    """The department with `code` serving the nearest ancestor of the location."""
    chain = _ancestors(org_unit_id)
    rows = db.session.scalars(select(Department).where(
        Department.code == code, Department.org_unit_id.in_([u.id for u in chain]))).all()
    by_unit = {d.org_unit_id: d for d in rows}
    for unit in chain:
        if unit.id in by_unit:
            return by_unit[unit.id]
    raise LaneError(f"案件所在地没有编码为「{code}」的部门")


def resolve(lane: str | None, org_unit_id: int | None,
            department_code: str | None = None) -> Candidates:
    """Candidates for a task in `lane` at the case location; a department code overrides."""
    if org_unit_id is None:
        raise LaneError("案件没有所在地，无法分派任务")
    rule = db.session.scalar(select(LaneRule).where(LaneRule.lane == lane)) if lane else None
    code = department_code or (rule.department_code if rule else None)
    if code:
        department = department_for(code, org_unit_id)
        return Candidates(department_id=department.id, role=rule.role if rule else None)
    if rule is None or rule.org_level is None:
        raise LaneError(f"泳道「{lane}」没有分派规则")
    for unit in _ancestors(org_unit_id):
        if unit.level == rule.org_level:
            return Candidates(org_unit_id=unit.id, role=rule.role)
    raise LaneError(f"案件所在地没有「{rule.org_level.value}」级的单位")
