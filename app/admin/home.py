"""Figures for the admin home page, within the administrator's scope."""

from sqlalchemy import func, select

from app.admin.access import AdminScope
from app.extensions import db
from app.org.models import Department, Membership, OrgUnit, User


def counts(scope: AdminScope) -> dict[str, int]:
    """Units, departments and people in the administered subtrees."""
    units = scope.unit_ids()
    return {
        "units": db.session.execute(select(func.count()).where(OrgUnit.id.in_(units),
                                                              OrgUnit.retired_at.is_(None))).scalar_one(),
        "departments": db.session.execute(select(func.count()).select_from(Department)
                                         .where(Department.org_unit_id.in_(units))).scalar_one(),
        "users": db.session.execute(select(func.count(func.distinct(User.id))).select_from(User)
                                   .join(Membership).outerjoin(Department)
                                   .where((Membership.org_unit_id.in_(units))
                                          | (Department.org_unit_id.in_(units)))).scalar_one(),
    }
