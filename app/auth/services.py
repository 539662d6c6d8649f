"""Sign-in and the scopes (departments, org-unit roles) a user can act in."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.org.models import ROLE_LABELS, Department, Membership, User


@dataclass(frozen=True)
class Scope:
    """One membership the user can switch to: a department, or a role at an org unit."""

    membership_id: int
    label: str


def authenticate(username: str, password: str) -> User | None:
    """The active user with this username and password, else None."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def scopes_of(user_id: int) -> list[Scope]:
    """Every membership of the user, labelled in Chinese, in a stable order."""
    rows = db.session.scalars(select(Membership).where(Membership.user_id == user_id)
                              .options(joinedload(Membership.department).joinedload(Department.org_unit),
                                       joinedload(Membership.org_unit))
                              .order_by(Membership.id)).all()
    scopes = []
    for m in rows:
        place = m.department.org_unit.name + m.department.name if m.department else m.org_unit.name
        scopes.append(Scope(m.id, f"{place} · {ROLE_LABELS[m.role]}"))
    return scopes
