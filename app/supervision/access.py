"""Who may read supervision pages and reports: supervisors, for their org subtree only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.org.models import OrgLevel, OrgUnit, Role
from app.org.services import Actor


@dataclass(frozen=True)
class Scope:
    """The org units an actor supervises (each with its subtree)."""

    units: tuple[OrgUnit, ...]

    @property
    def paths(self) -> list[str]:
        """Materialised paths of the supervised roots."""
        return [unit.path for unit in self.units]

    def contains(self, unit: OrgUnit) -> bool:
        """True when `unit` lies in a supervised subtree."""
        return any(unit.path.startswith(path) for path in self.paths)

    def unit_ids(self):
        """A subquery of every org unit id in the supervised subtrees (indexed path prefix)."""
        return select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(p) for p in self.paths]))


def supervised_unit_ids(actor: Actor) -> list[int]:
    """Org units where the actor holds the supervisor role."""
    return sorted(unit for unit, role in actor.unit_roles if role == Role.SUPERVISOR)


def supervisor_scope(actor: Actor) -> Scope:
    """The actor's supervision scope; Forbidden (403, logged) for anyone who is not a supervisor."""
    ids = supervised_unit_ids(actor)
    if not ids:
        raise Forbidden("只有督办人员可以查看督办和报表页面")
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.path))
    return Scope(tuple(units))


def unit_in_scope(scope: Scope, unit_id: int | None) -> OrgUnit:
    """The org unit `unit_id` (default: the first supervised root) if inside the scope."""
    if unit_id is None:
        return scope.units[0]
    unit = db.session.get(OrgUnit, unit_id)
    if unit is None:
        raise NotFound("组织单位不存在")
    if not scope.contains(unit):
        raise Forbidden("该组织单位不在您的督办范围内")
    return unit


def units_under(unit: OrgUnit):
    """A subquery of the ids of `unit` and everything below it."""
    return select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))


def scope_units(scope: Scope) -> list[OrgUnit]:
    """Every org unit in the scope down to villages, in tree order (for filter drop-downs)."""
    return list(db.session.scalars(select(OrgUnit).where(
        OrgUnit.id.in_(scope.unit_ids()), OrgUnit.level != OrgLevel.GRID).order_by(OrgUnit.path)))
