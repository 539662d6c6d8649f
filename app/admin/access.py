"""Who may administer what: administrators of an org unit, for that unit's subtree.

A city administrator (admin role at the root) runs everything; a county administrator is
limited to the county's subtree: its units, departments, people and memberships. Lane
rules, the calendar, deadline policies, API credentials and the audit log are city-wide and
open to administrators of a root unit only.
"""

from dataclasses import dataclass

from sqlalchemy import or_, select

from app.errors import Forbidden, NotFound
from app.extensions import db
from app.org.models import Department, OrgUnit, Role
from app.org.services import Actor


def admin_unit_ids(actor: Actor) -> list[int]:
    """Org units where the actor holds the administrator role."""
    return sorted(unit for unit, role in actor.unit_roles if role == Role.ADMIN)


def is_admin(actor: Actor) -> bool:
    """True for an administrator of any subtree (the admin area's guard)."""
    return bool(admin_unit_ids(actor))


@dataclass(frozen=True)
class AdminScope:
    """The subtrees an administrator may change."""

    units: tuple[OrgUnit, ...]

    @property
    def citywide(self) -> bool:
        """True when one of the roots administered is a root of the whole tree."""
        return any(unit.parent_id is None for unit in self.units)

    def contains(self, unit: OrgUnit) -> bool:
        """True when `unit` lies in an administered subtree."""
        return any(unit.path.startswith(root.path) for root in self.units)

    def unit_ids(self):
        """A subquery of every org unit id in the administered subtrees."""
        return select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(u.path) for u in self.units]))


def admin_scope(actor: Actor) -> AdminScope:
    """The actor's administration scope; Forbidden for anyone who is not an administrator."""
    ids = admin_unit_ids(actor)
    if not ids:
        raise Forbidden("只有系统管理员可以使用系统管理")
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)).order_by(OrgUnit.path))
    return AdminScope(tuple(units))


def is_city_admin(actor: Actor) -> bool:
    """True for an administrator of a root unit (city-wide settings)."""
    return is_admin(actor) and admin_scope(actor).citywide


def require_citywide(scope: AdminScope) -> None:
    """Refuse a county administrator a city-wide setting."""
    if not scope.citywide:
        raise Forbidden("该设置全市统一，只有市级系统管理员可以修改")


def unit_in_scope(scope: AdminScope, unit_id: int | None, field: str = "org_unit_id") -> OrgUnit:
    """The org unit `unit_id` if the administrator may change it."""
    unit = db.session.get(OrgUnit, unit_id) if unit_id is not None else None
    if unit is None:
        raise NotFound("组织单位不存在")
    if not scope.contains(unit):
        raise Forbidden(f"「{unit.name}」不在您管理的范围内")
    return unit


def department_in_scope(scope: AdminScope, department_id: int) -> Department:
    """The department `department_id` if it serves a unit in the administrator's subtree."""
    department = db.session.get(Department, department_id)
    if department is None:
        raise NotFound("部门不存在")
    if not scope.contains(department.org_unit):
        raise Forbidden(f"「{department.org_unit.name}{department.name}」不在您管理的范围内")
    return department
