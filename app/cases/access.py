"""Who may see a case, who sees its personal data unmasked, and who may register one.

One rule each, used by the web pages (app/cases) and the API (app/api) alike; written down in
docs/security.md:
- `listed_condition` — the cases a user may list and open: located under one of their org-unit
  posts, received by them, or with a task offered to, held or done by them (their departments'
  tasks included). An integration key (`key_condition`) sees the cases of its units and channels.
- `in_handling_scope` — the user handles the case (received it, or a task of it is or was theirs
  to do): only they see ID numbers and phones. Supervisors (督办) and coordinators who merely see a
  case in their area read it masked, like everybody else who does not handle it; integration keys
  always read it masked.
- `intake_units` — window clerks (综合受理) register cases at the units under their posts.
"""

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select

from app.cases.models import Case
from app.channels.scope import Scope
from app.errors import Forbidden
from app.extensions import db
from app.org.models import OrgLevel, OrgUnit, Role
from app.org.services import Actor
from app.workflow.models import HumanTask


def _task_involves(actor: Actor) -> ColumnElement[bool]:
    """A task row offered to, held by or done by the actor."""
    clauses: list[ColumnElement[bool]] = [HumanTask.assignee_id == actor.user_id,
                                          HumanTask.completed_by_id == actor.user_id]
    if actor.department_ids:
        clauses.append(HumanTask.candidate_department_id.in_(actor.department_ids))
    clauses.extend(and_(HumanTask.candidate_org_unit_id == unit, HumanTask.candidate_role == role)
                   for unit, role in actor.unit_roles)
    return or_(*clauses)


def handling_condition(actor: Actor) -> ColumnElement[bool]:
    """Cases the actor handles: received by them, or with a task that was theirs to do."""
    return or_(Case.received_by_id == actor.user_id,
               exists(select(HumanTask.id).where(HumanTask.business_key == Case.code,
                                                 _task_involves(actor))))


def _subtrees(unit_ids: set[int]) -> Select[int] | None:
    """Ids of the units in the subtrees of `unit_ids` (a subquery), or None when there are none."""
    paths = db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(sorted(unit_ids)))).all() \
        if unit_ids else []
    if not paths:
        return None
    return select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(path) for path in paths]))


def listed_condition(actor: Actor) -> ColumnElement[bool]:
    """The cases a user may list and open (the one rule for web and API).

    Shaped for lists over many cases: the location test first, and the cases the actor handled
    as one uncorrelated subquery (computed and hashed once per query) instead of an EXISTS probe
    per case.
    """
    units = _subtrees({unit for unit, _ in actor.unit_roles})
    located = [Case.org_unit_id.in_(units)] if units is not None else []
    handled = select(HumanTask.business_key).where(_task_involves(actor))
    return or_(*located, Case.received_by_id == actor.user_id, Case.code.in_(handled))


def key_condition(scope: Scope) -> ColumnElement[bool]:
    """The cases an integration key may read: in its org units and of its channels."""
    clauses: list[ColumnElement[bool]] = []
    if scope.unit_ids is not None:
        units = _subtrees(set(scope.unit_ids))
        clauses.append(Case.org_unit_id.in_(units) if units is not None else false())
    if scope.channels is not None:
        clauses.append(Case.channel.in_(sorted(scope.channels)))
    return and_(*clauses) if clauses else Case.id.is_not(None)


def visible_condition(actor: Actor | None, scope: Scope) -> ColumnElement[bool]:
    """The cases a caller may list and open: a user by `listed_condition`, a key by `key_condition`."""
    return listed_condition(actor) if actor is not None else key_condition(scope)


def can_view(actor: Actor, case: Case) -> bool:
    """True when the user may open the case page."""
    return may_view(actor, Scope(), case)


def may_view(actor: Actor | None, scope: Scope, case: Case) -> bool:
    """True when the caller (a user, or an integration key's scope) may open the case."""
    return db.session.scalar(select(Case.id).where(Case.id == case.id,
                                                   visible_condition(actor, scope))) is not None


def in_handling_scope(actor: Actor | None, case: Case) -> bool:
    """True when the user handles the case and so sees ID numbers and phones (keys never do)."""
    if actor is None:
        return False
    return db.session.scalar(select(Case.id).where(Case.id == case.id,
                                                   handling_condition(actor))) is not None


def intake_units(actor: Actor, level: OrgLevel | None = None) -> list[OrgUnit]:
    """Units (of `level`, when given) a window clerk may register cases at: those under their posts."""
    posts = {unit for unit, role in actor.unit_roles if role == Role.WINDOW_CLERK}
    units = _subtrees(posts)
    if units is None:
        raise Forbidden("只有综合受理窗口人员可以登记案件")
    # a retired unit takes no new cases: it is not offered for registration
    query = select(OrgUnit).where(OrgUnit.id.in_(units), OrgUnit.retired_at.is_(None))
    if level is not None:
        query = query.where(OrgUnit.level == level)
    return list(db.session.scalars(query.order_by(OrgUnit.code)))


def check_intake(actor: Actor, unit: OrgUnit) -> None:
    """Refuse a registration by a user who is not a window clerk over `unit`."""
    posts = {u for u, role in actor.unit_roles if role == Role.WINDOW_CLERK}
    if not posts:
        raise Forbidden("只有综合受理窗口人员可以登记案件")
    if not posts & set(unit.ancestor_ids()):
        raise Forbidden(f"您无权在「{unit.name}」登记案件")
