"""Who a user is in the organisation: the actor every service call carries."""

from dataclasses import dataclass, field

from sqlalchemy import select

from app.errors import NotFound
from app.extensions import db
from app.org.models import Membership, Role, User


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
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise NotFound("用户不存在或已停用")
    rows = db.session.scalars(select(Membership).where(Membership.user_id == user_id)).all()
    return Actor(
        user_id=user.id,
        label=user.display_name,
        department_ids=frozenset(m.department_id for m in rows if m.department_id is not None),
        unit_roles=frozenset((m.org_unit_id, m.role) for m in rows if m.org_unit_id is not None),
        roles=frozenset(m.role for m in rows),
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
