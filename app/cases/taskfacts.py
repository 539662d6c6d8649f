"""Case facts copied onto task rows, so the inbox filters and the overdue list need no join.

The inbox filters (category, risk tier, channel, level) and the overdue list (the case's org
unit and the same filters) select tasks by facts of their case. With copies on each task row
(`HumanTask.case_*`, declared with the model) they count and page with indexed SQL over
human_task alone instead of joining dispute_case for every candidate task.

Written explicitly by the services that change them, never discovered at flush time:

- a new task row takes the facts of its case when app.workflow.sync creates it: from a row
  of the same instance already in the session (a completion or a timer has one), else from
  `facts_for_key` (registered with app.workflow.sync by app.cases); tasks of instances without
  a case keep NULLs;
- a service that changes one of the facts of a case (`change_risk_tier`, the process listener
  moving the level) calls `restamp`: one UPDATE over human_task.business_key, open and done
  rows alike (the 已办 tab filters too).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.cases.models import Case
from app.extensions import db
from app.workflow.models import CASE_FACTS, HumanTask

# Task column (HumanTask's CASE_FACTS) -> case attribute.
FACTS = dict(zip(CASE_FACTS, ("org_unit_id", "category", "risk_tier", "channel", "level"), strict=True))


def facts_of(case: Case) -> dict[str, Any]:
    """The values to copy onto the case's task rows."""
    return {task: getattr(case, attribute) for task, attribute in FACTS.items()}


def facts_for_key(business_key: str) -> dict[str, Any] | None:
    """The facts of the case whose code is `business_key` (None: no such case).

    A case loaded in this unit of work answers without a query (intake flushed it just
    before starting its process); otherwise one SELECT of the five columns.
    """
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Case) and inspect(obj).dict.get("code") == business_key \
                and not inspect(obj).expired_attributes:
            return facts_of(obj)
    columns = [getattr(Case, attribute) for attribute in FACTS.values()]
    row = db.session.execute(select(*columns).where(Case.code == business_key)).first()
    return dict(zip(FACTS, row, strict=True)) if row is not None else None


def restamp(case: Case) -> None:
    """Copy the case's (changed) facts onto every task row of the case: one UPDATE (which
    flushes pending rows first), and the rows already loaded follow without a refresh or a
    second write."""
    values = facts_of(case)
    db.session.execute(update(HumanTask).where(HumanTask.business_key == case.code).values(**values)
                       .execution_options(synchronize_session=False))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, HumanTask) and inspect(obj).dict.get("business_key") == case.code:
            for column, value in values.items():
                set_committed_value(obj, column, value)
