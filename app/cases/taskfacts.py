"""Case facts copied onto task rows, so the inbox filters and the overdue list need no join.

The inbox filters (category, risk tier, channel, level) and the overdue list (the case's org
unit and the same filters) select tasks by facts of their case. With copies on each task row
(human_task, owned by app.workflow) they count and page with indexed SQL over human_task alone
instead of joining dispute_case for every candidate task.

The columns are declared here, not in app.workflow, so the engine adapter stays free of cases.
They are kept in step at flush time, whatever code path changed things:

- a new task row takes the facts of the case whose code is its business key (tasks of
  instances without a case keep NULLs);
- a change to one of the facts of a case is copied onto every task row of the case (open or
  done: the 已办 tab filters too), with one UPDATE over human_task.business_key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, String, event, inspect, select, update
from sqlalchemy.orm import Session, mapped_column

from app.cases.models import Case, RiskTier
from app.org.models import _enum
from app.workflow.models import HumanTask

HumanTask.case_org_unit_id = mapped_column(ForeignKey("org_unit.id"))
HumanTask.case_category = mapped_column(String(32))
HumanTask.case_risk_tier = mapped_column(_enum(RiskTier, "risk_tier"))
HumanTask.case_channel = mapped_column(String(32))
HumanTask.case_level = mapped_column(String(64))

_columns = HumanTask.__table__.c
Index("ix_human_task_business_key", _columns.business_key)
Index("ix_human_task_due_case_unit", _columns.state, _columns.due_at, _columns.case_org_unit_id)
# The 已办 tab counts a user's whole history (tens of thousands of rows for a busy mediator):
# with the filters in the index that count reads no table rows.
Index("ix_human_task_done_facts", _columns.completed_by_id, _columns.case_category, _columns.case_risk_tier,
      _columns.case_channel, _columns.case_level)

# Task column -> case attribute.
FACTS = {"case_org_unit_id": "org_unit_id", "case_category": "category", "case_risk_tier": "risk_tier",
         "case_channel": "channel", "case_level": "level"}


def facts_of(case: Case) -> dict[str, Any]:
    """The values to copy onto the case's task rows."""
    return {task: getattr(case, attribute) for task, attribute in FACTS.items()}


def _changed(case: Case) -> bool:
    state = inspect(case)
    return any(state.attrs[attribute].history.has_changes() for attribute in FACTS.values())


def _loaded(obj, attribute: str):
    """The attribute's value if loaded; None for an expired object (never a refresh query)."""
    return inspect(obj).dict.get(attribute)


def _stamp_new_tasks(session: Session, tasks: list[HumanTask]) -> None:
    keys = {task.business_key for task in tasks}
    known = {}
    for obj in list(session.identity_map.values()) + list(session.new):
        if isinstance(obj, Case) and _loaded(obj, "code") in keys and not inspect(obj).expired_attributes:
            known[obj.code] = facts_of(obj)
    missing = keys - set(known)
    if missing:  # one query per flush, however many tasks it inserts
        columns = [getattr(Case, attribute) for attribute in FACTS.values()]
        for code, *values in session.execute(select(Case.code, *columns).where(Case.code.in_(missing))):
            known[code] = dict(zip(FACTS, values, strict=True))
    for task in tasks:
        for column, value in known.get(task.business_key, {}).items():
            setattr(task, column, value)


def _restamp(session: Session, case: Case) -> None:
    values = facts_of(case)
    session.execute(update(HumanTask).where(HumanTask.business_key == case.code).values(**values)
                    .execution_options(synchronize_session=False))
    for obj in list(session.identity_map.values()):  # rows already loaded follow too
        if isinstance(obj, HumanTask) and _loaded(obj, "business_key") == case.code:
            for column, value in values.items():
                setattr(obj, column, value)


@event.listens_for(Session, "before_flush")
def _keep_in_step(session: Session, flush_context, instances) -> None:  # noqa: ARG001 - event signature
    new_tasks = [obj for obj in session.new if isinstance(obj, HumanTask)]
    if new_tasks:
        _stamp_new_tasks(session, new_tasks)
    for case in [obj for obj in session.dirty if isinstance(obj, Case)]:
        if case.code and _changed(case):
            _restamp(session, case)
