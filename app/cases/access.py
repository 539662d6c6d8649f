"""Who may see a case, and who is inside its handling scope (sees personal data unmasked)."""

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from app.cases.models import Case
from app.extensions import db
from app.org.models import OrgUnit
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


def visible_condition(actor: Actor) -> ColumnElement[bool]:
    """Cases the actor may open: handled by them, or located under one of their org units."""
    units = sorted({unit for unit, _ in actor.unit_roles})
    paths = db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(units))).all() if units else []
    located = [Case.org_unit_id.in_(select(OrgUnit.id).where(OrgUnit.path.startswith(path)))
               for path in paths]
    return or_(handling_condition(actor), *located) if located else \
        or_(handling_condition(actor), false())


def listed_condition(actor: Actor) -> ColumnElement[bool]:
    """`visible_condition` shaped for lists over many cases: the location test first, and the
    cases the actor handled as one uncorrelated subquery (computed and hashed once per query)
    instead of an EXISTS probe per case."""
    units = sorted({unit for unit, _ in actor.unit_roles})
    paths = db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(units))).all() if units else []
    located = [Case.org_unit_id.in_(select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(path)
                                                                   for path in paths])))] if paths else []
    handled = select(HumanTask.business_key).where(_task_involves(actor))
    return or_(*located, Case.received_by_id == actor.user_id, Case.code.in_(handled))


def can_view(actor: Actor, case: Case) -> bool:
    """True when the actor may open the case page."""
    return db.session.scalar(select(Case.id).where(Case.id == case.id,
                                                   visible_condition(actor))) is not None


def in_handling_scope(actor: Actor, case: Case) -> bool:
    """True when the actor handles the case (and so sees ID numbers and phones)."""
    return db.session.scalar(select(Case.id).where(Case.id == case.id,
                                                   handling_condition(actor))) is not None
