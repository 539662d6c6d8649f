"""Who a user is in the organisation: the actor every service call carries."""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.org.models import Department, DepartmentUnit, Membership, OrgUnit, Role, User


@dataclass(frozen=True)
class Actor:
    """The acting user with the departments and (org unit, role) pairs they belong to."""

    user_id: int
    label: str
    department_ids: frozenset[int] = field(default_factory=frozenset)
    unit_roles: frozenset[tuple[int, Role]] = field(default_factory=frozenset)
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has_role(self, role: Role) -> bool:
        """True when the user holds `role` anywhere."""
        return role in self.roles


def load_actor(user_id: int) -> Actor:
    """Build the Actor for an active user from their memberships."""
    # One round trip: the user's row with each of its memberships (none: one row of NULLs).
    rows = db.session.execute(select(*ACTOR_COLUMNS).outerjoin(Membership, Membership.user_id == User.id)
                              .where(User.id == user_id)).all()
    return actor_from_rows(user_id, rows)


# What `actor_from_rows` reads: the user's row joined with each of its memberships.
ACTOR_COLUMNS = (User.active, User.display_name, Membership.department_id, Membership.org_unit_id,
                 Membership.role)


def actor_from_rows(user_id: int, rows) -> Actor:
    """The Actor from the rows of `ACTOR_COLUMNS` (a user without memberships: one row of NULLs)."""
    if not rows or not rows[0].active:
        raise NotFound("用户不存在或已停用")
    held = [row for row in rows if row.role is not None]
    return Actor(
        user_id=user_id,
        label=rows[0].display_name,
        department_ids=frozenset(r.department_id for r in held if r.department_id is not None),
        unit_roles=frozenset((r.org_unit_id, r.role) for r in held if r.org_unit_id is not None),
        roles=frozenset(r.role for r in held),
    )


def can_work(actor: Actor, department_id: int | None, org_unit_id: int | None,
             role: Role | None) -> bool:
    """True when the actor is among a task's candidates."""
    if department_id is not None:
        return department_id in actor.department_ids
    if org_unit_id is None:
        return False
    if role is None:
        return any(unit == org_unit_id for unit, _ in actor.unit_roles)
    return (org_unit_id, role) in actor.unit_roles


def require_open(unit: OrgUnit, field: str = "org_unit") -> OrgUnit:
    """`unit` if it takes new work; a 422 on `field` when it has been retired."""
    if unit.retired_at is not None:
        raise ValidationFailed("单位已撤销", {field: [f"「{unit.name}」已撤销，不再受理新案件"]})
    return unit


def department_unit_ids(department_ids) -> set[int]:
    """The units the departments serve: their home units and the further units recorded."""
    if not department_ids:
        return set()
    homes = db.session.scalars(select(Department.org_unit_id).where(Department.id.in_(department_ids)))
    further = db.session.scalars(select(DepartmentUnit.org_unit_id).where(
        DepartmentUnit.department_id.in_(department_ids)))
    return set(homes) | set(further)
