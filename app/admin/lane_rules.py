"""Lane rules (lane name → org level + role, or department code) and a preview of who
would receive a task in a lane for a chosen location."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.admin.changes import audit_change
from app.admin.users import parse_role
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.org import lanes
from app.org.models import LEVEL_LABELS, ROLE_LABELS, Department, LaneRule, Membership, OrgLevel, User
from app.org.services import Actor

LEVEL_BY_NAME = {**{v: k for k, v in LEVEL_LABELS.items()}, **{lv.value: lv for lv in OrgLevel}}


def rules() -> list[LaneRule]:
    """Every lane rule by lane name."""
    return list(db.session.scalars(select(LaneRule).order_by(LaneRule.lane)))


def _state(rule: LaneRule) -> dict:
    return {"lane": rule.lane, "org_level": LEVEL_LABELS[rule.org_level] if rule.org_level else None,
            "department_code": rule.department_code,
            "role": ROLE_LABELS[rule.role] if rule.role else None, "description": rule.description}


def _parse(org_level: str, department_code: str, role: str) -> dict:
    errors: dict[str, list[str]] = {}
    level = LEVEL_BY_NAME.get(org_level.strip()) if org_level.strip() else None
    if org_level.strip() and level is None:
        errors["org_level"] = [f"未知的层级「{org_level}」"]
    code = department_code.strip() or None
    if code and db.session.scalar(select(Department.id).where(Department.code == code).limit(1)) is None:
        errors["department_code"] = [f"没有编码为「{code}」的部门"]
    if level and code:
        errors["department_code"] = ["层级和部门编码只能填一个"]
    parsed_role = None
    if role.strip():
        try:
            parsed_role = parse_role(role, "role")
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if level and parsed_role is None:
        errors.setdefault("role", ["按层级分派时必须指定角色"])
    if errors:
        raise ValidationFailed("泳道规则未保存", errors)
    return {"org_level": level, "department_code": code, "role": parsed_role}


def save_rule(lane: str, org_level: str, department_code: str, role: str, description: str, *,
              actor: Actor, now: datetime) -> LaneRule:
    """Create or change the rule of `lane` (new tasks resolve by it at once)."""
    lane = (lane or "").strip()
    if not lane:
        raise ValidationFailed("泳道规则未保存", {"lane": ["请填写泳道名称"]})
    values = _parse(org_level or "", department_code or "", role or "")
    rule = db.session.scalar(select(LaneRule).where(LaneRule.lane == lane))
    before = _state(rule) if rule else None
    if rule is None:
        rule = LaneRule(lane=lane)
        db.session.add(rule)
    for key, value in values.items():
        setattr(rule, key, value)
    rule.description = (description or "").strip()
    db.session.flush()
    audit_change(actor, "lane_rule.saved", lane, before, _state(rule), now=now)
    return rule


@dataclass(frozen=True)
class Preview:
    """Who would receive a task: the resolved place and its people, or why nobody would."""

    place: str
    people: list[User]
    problem: str | None = None


def preview(lane: str, org_unit_id: int, department_code: str | None, now: datetime) -> Preview:
    """Resolve `lane` for a location as a new task would be resolved now."""
    if db.session.scalar(select(LaneRule.id).where(LaneRule.lane == lane)) is None and not department_code:
        raise NotFound(f"泳道「{lane}」没有分派规则")
    try:
        who = lanes.resolve(lane, org_unit_id, department_code or None, at=now)
    except lanes.LaneError as exc:
        return Preview("", [], str(exc))
    if who.department_id is not None:
        department = db.session.get_one(Department, who.department_id)
        place, scope = department.org_unit.name + department.name, Membership.department_id == department.id
    else:
        from app.org.models import OrgUnit  # noqa: PLC0415

        place = db.session.get_one(OrgUnit, who.org_unit_id).name
        scope = Membership.org_unit_id == who.org_unit_id
    if who.role is not None:
        scope = scope & (Membership.role == who.role)
        place += f" · {ROLE_LABELS[who.role]}"
    people = list(db.session.scalars(select(User).join(Membership).where(
        scope, User.active.is_(True)).distinct().order_by(User.username)))
    return Preview(place, people, None if people else "该处目前没有在用的人员，任务将无人可办")
