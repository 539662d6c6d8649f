"""The org tree: add, rename, move and retire units (never delete what cases point at)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from app.admin.access import AdminScope, unit_in_scope
from app.admin.changes import audit_change
from app.errors import ValidationFailed
from app.extensions import db
from app.org.models import LEVEL_LABELS, LEVEL_ORDER, OrgLevel, OrgUnit
from app.org.services import Actor


@dataclass(frozen=True)
class TreeLevel:
    """One unit opened in the tree: its ancestors (in scope), its children, where they may move."""

    unit: OrgUnit
    ancestors: list[OrgUnit]
    children: list[OrgUnit]
    child_counts: dict[int, int]
    move_targets: list[OrgUnit]


def open_unit(scope: AdminScope, unit_id: int | None) -> TreeLevel:
    """The unit `unit_id` (default: the first administered root) with its direct children."""
    unit = unit_in_scope(scope, unit_id) if unit_id is not None else scope.units[0]
    ancestors = [a for a in db.session.scalars(select(OrgUnit).where(
        OrgUnit.id.in_(unit.ancestor_ids()[:-1])).order_by(OrgUnit.path)) if scope.contains(a)]
    children = list(db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id == unit.id)
                                       .order_by(OrgUnit.code)))
    counts = dict(db.session.execute(
        select(OrgUnit.parent_id, func.count()).where(OrgUnit.parent_id.in_([c.id for c in children]))
        .group_by(OrgUnit.parent_id)).all())
    targets = list(db.session.scalars(select(OrgUnit).where(
        OrgUnit.level == unit.level, OrgUnit.retired_at.is_(None), OrgUnit.id.in_(scope.unit_ids()))
        .order_by(OrgUnit.code)))
    return TreeLevel(unit, ancestors, children, {k: v for k, v in counts.items() if k is not None}, targets)


def _child_level(parent: OrgUnit) -> OrgLevel:
    index = LEVEL_ORDER.index(parent.level)
    if index + 1 >= len(LEVEL_ORDER):
        raise ValidationFailed("网格之下不能再设下级单位", {"parent_id": ["网格之下不能再设下级单位"]})
    return LEVEL_ORDER[index + 1]


def _state(unit: OrgUnit) -> dict:
    return {"code": unit.code, "name": unit.name, "level": LEVEL_LABELS[unit.level],
            "parent": unit.parent.name if unit.parent else None, "retired": unit.retired_at is not None}


def add_unit(scope: AdminScope, parent_id: int, code: str, name: str, *, actor: Actor,
             now: datetime) -> OrgUnit:
    """A new unit one level below `parent_id`, inside the administrator's subtree."""
    parent = unit_in_scope(scope, parent_id, "parent_id")
    errors: dict[str, list[str]] = {}
    if parent.retired_at is not None:
        errors["parent_id"] = [f"「{parent.name}」已撤销，不能再设下级单位"]
    code, name = code.strip(), name.strip()
    if not code:
        errors["code"] = ["请填写单位编码"]
    elif db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        errors["code"] = [f"单位编码「{code}」已被使用"]
    if not name:
        errors["name"] = ["请填写单位名称"]
    if errors:
        raise ValidationFailed("单位未添加", errors)
    unit = OrgUnit(code=code, name=name, level=_child_level(parent), parent=parent)
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path}{unit.id}/"
    audit_change(actor, "org_unit.added", unit.code, None, _state(unit), now=now)
    db.session.flush()
    return unit


def rename_unit(scope: AdminScope, unit_id: int, name: str, *, actor: Actor,
                now: datetime) -> OrgUnit:
    """Give a unit a new name (its code, cases and members stay)."""
    unit = unit_in_scope(scope, unit_id)
    if not name.strip():
        raise ValidationFailed("单位未改名", {"name": ["请填写单位名称"]})
    before = _state(unit)
    unit.name = name.strip()
    audit_change(actor, "org_unit.renamed", unit.code, before, _state(unit), now=now)
    db.session.flush()
    return unit


def move_unit(scope: AdminScope, unit_id: int, parent_id: int, *, actor: Actor,
              now: datetime) -> OrgUnit:
    """Hang a unit (with its subtree) under another parent of the level above it."""
    unit = unit_in_scope(scope, unit_id)
    parent = unit_in_scope(scope, parent_id, "parent_id")
    if parent.path.startswith(unit.path):
        raise ValidationFailed("单位未移动", {"parent_id": [
            f"不能把「{unit.name}」移到它自己或它的下级单位「{parent.name}」之下（会形成循环）"]})
    if parent.retired_at is not None:
        raise ValidationFailed("单位未移动", {"parent_id": [f"「{parent.name}」已撤销"]})
    if _child_level(parent) != unit.level:
        raise ValidationFailed("单位未移动", {"parent_id": [
            f"「{LEVEL_LABELS[unit.level]}」级单位只能挂在上一级单位之下，「{parent.name}」是"
            f"「{LEVEL_LABELS[parent.level]}」级"]})
    before = _state(unit)
    old, new = unit.path, f"{parent.path}{unit.id}/"
    unit.parent = parent
    db.session.flush()
    # every descendant's materialised path changes prefix in one statement
    db.session.execute(update(OrgUnit).where(OrgUnit.path.startswith(old))
                       .values(path=db.func.replace(OrgUnit.path, old, new))
                       .execution_options(synchronize_session=False))
    db.session.expire_all()
    unit = db.session.get_one(OrgUnit, unit_id)
    audit_change(actor, "org_unit.moved", unit.code, before, _state(unit), now=now)
    db.session.flush()
    return unit


def retirable(scope: AdminScope, unit_id: int) -> OrgUnit:
    """The unit `unit_id` if it may be retired: in scope, not a root, no active sub-units."""
    unit = unit_in_scope(scope, unit_id)
    if unit in scope.units:
        raise ValidationFailed("单位未撤销", {"unit_id": ["不能撤销您自己管理的最上级单位"]})
    active_children = db.session.scalars(select(OrgUnit.name).where(
        OrgUnit.parent_id == unit.id, OrgUnit.retired_at.is_(None))).all()
    if active_children:
        raise ValidationFailed("单位未撤销", {"unit_id": [
            f"请先撤销或移走下级单位：{'、'.join(active_children[:5])}"]})
    return unit


def retire_unit(scope: AdminScope, unit_id: int, *, actor: Actor, now: datetime) -> OrgUnit:
    """Retire a unit that has no active sub-units; it stays for the cases that point at it."""
    unit = retirable(scope, unit_id)
    before = _state(unit)
    unit.retired_at = unit.retired_at or now
    audit_change(actor, "org_unit.retired", unit.code, before, _state(unit), now=now)
    db.session.flush()
    return unit
