"""The overdue audit list (逾期案件台账): tasks past their deadline whatever ended them, with case facts.

Overdue and the outcome shown (未办结, 逾期后办结, 超时上交, 逾期后撤销) are defined in
app/supervision/overdue_facts.py.

Counted and paged with plain SQL over human_task alone: the case's org unit and the facts the
filters need are copied onto the task row (app.cases.taskfacts; index state, due_at, case org
unit), the subtree is a materialised-path prefix. Only the page's rows are joined to
dispute_case, departments and supervision orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select

from app.cases.models import Case, RiskTier
from app.extensions import db
from app.org.models import Department, OrgUnit
from app.supervision.access import units_under
from app.supervision.labels import LEVEL_LABELS
from app.supervision.models import SupervisionOrder
from app.supervision.overdue_facts import OUTCOME_LABELS, OVERDUE_OUTCOMES, outcome_is, overdue_between
from app.workflow.models import HumanTask

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
# The code sort is an expression on purpose: ordered by the business_key index, PostgreSQL would
# walk every task of every case newest code first looking for old overdue ones; the overdue set
# of a scope is small (tens of thousands), so it is fetched by (state, org unit, due_at) and sorted.
SORTS = {"due": HumanTask.due_at, "code": func.coalesce(HumanTask.business_key, ""),
         "category": HumanTask.case_category,
         "tier": HumanTask.case_risk_tier, "department": Department.code, "received": Case.received_at,
         "level": HumanTask.case_level}
# "all" first: a task escalated by its timer or completed late is as overdue as an open one.
STATES = {"all": "全部逾期", **{key: OUTCOME_LABELS[key] for key in OVERDUE_OUTCOMES}}


@dataclass(frozen=True)
class OverdueFilter:
    """What the supervisor asked the list for."""

    org_unit_id: int | None = None
    department: str = ""
    level: str = ""
    category: str = ""
    risk_tier: str = ""
    channel: str = ""
    min_days: int = 0
    state: str = "all"
    sort: str = "due"
    descending: bool = False
    page: int = 1


@dataclass
class OverdueRow:
    """One overdue task with its case."""

    task: HumanTask
    case: Case
    department: str | None
    unit_name: str | None
    order_id: int | None
    order_status: str | None


@dataclass
class OverduePage:
    """A page of rows and the total."""

    rows: list[OverdueRow]
    total: int
    page: int
    pages: int
    filters: OverdueFilter = field(default_factory=OverdueFilter)


def _conditions(unit: OrgUnit, filters: OverdueFilter, now: datetime) -> list:
    cutoff = now - timedelta(days=max(0, filters.min_days))
    conditions = [overdue_between(None, cutoff), HumanTask.case_org_unit_id.in_(units_under(unit))]
    if filters.state in OVERDUE_OUTCOMES:
        conditions.append(outcome_is(filters.state))
    if filters.department:
        conditions.append(Department.code == filters.department)
    if filters.level:
        conditions.append(HumanTask.case_level == filters.level)
    if filters.category:
        conditions.append(HumanTask.case_category == filters.category)
    if filters.risk_tier in {t.value for t in RiskTier}:
        conditions.append(HumanTask.case_risk_tier == RiskTier(filters.risk_tier))
    if filters.channel:
        conditions.append(HumanTask.case_channel == filters.channel)
    return conditions


def _order(filters: OverdueFilter) -> tuple:
    column = SORTS.get(filters.sort, HumanTask.due_at)
    return (column.desc() if filters.descending else column.asc()), HumanTask.id


def _query(unit: OrgUnit, filters: OverdueFilter, now: datetime, *columns) -> Select:
    """The matching tasks over human_task; departments and cases joined only when a filter or
    the sort needs them."""
    query = select(*columns).select_from(HumanTask)
    if filters.department or filters.sort == "department":
        query = query.outerjoin(Department, Department.id == HumanTask.candidate_department_id)
    if filters.sort == "received":
        query = query.join(Case, Case.code == HumanTask.business_key)
    return query.where(*_conditions(unit, filters, now))


def _rows_query(ids: Select, filters: OverdueFilter) -> Select:
    """The rows of the tasks `ids` (already filtered, sorted and cut), with case, department,
    candidate unit and supervision order."""
    candidate_unit = OrgUnit.__table__.alias("candidate_unit")
    return (select(HumanTask, Case, Department.name, candidate_unit.c.name, SupervisionOrder.id,
                   SupervisionOrder.status)
            .select_from(HumanTask)
            .join(Case, Case.code == HumanTask.business_key)
            .outerjoin(Department, Department.id == HumanTask.candidate_department_id)
            .outerjoin(candidate_unit, candidate_unit.c.id == HumanTask.candidate_org_unit_id)
            .outerjoin(SupervisionOrder, SupervisionOrder.task_id == HumanTask.id)
            .where(HumanTask.id.in_(ids))
            .order_by(*_order(filters)))


def _row(result) -> OverdueRow:
    task, case, department, unit_name, order_id, order_status = result
    return OverdueRow(task, case, department, unit_name, order_id,
                      order_status.value if order_status else None)


def overdue_page(unit: OrgUnit, filters: OverdueFilter, now: datetime) -> OverduePage:
    """One page of the overdue list under `unit`, and the total."""
    total = db.session.scalar(_query(unit, filters, now, func.count()).order_by(None)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    ids = (_query(unit, filters, now, HumanTask.id).order_by(*_order(filters))
           .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    rows = db.session.execute(_rows_query(ids, filters))
    return OverduePage([_row(r) for r in rows], total, page, pages, filters)


def overdue_rows(unit: OrgUnit, filters: OverdueFilter, now: datetime,
                 limit: int = EXPORT_LIMIT) -> list[OverdueRow]:
    """Every matching row (up to `limit`) for the Excel export."""
    ids = _query(unit, filters, now, HumanTask.id).order_by(*_order(filters)).limit(limit)
    return [_row(r) for r in db.session.execute(_rows_query(ids, filters))]


def filter_options() -> dict[str, list[tuple[str, str]]]:
    """Departments (by code, across counties) and handling levels, for the drop-downs."""
    departments = db.session.execute(
        select(Department.code, func.min(Department.name)).group_by(Department.code)
        .order_by(Department.code)).all()
    return {"departments": [(code, name) for code, name in departments],
            "levels": list(LEVEL_LABELS.items())}
