"""The overdue audit list (逾期案件台账): open tasks past their deadline, with case facts.

Plain SQL over human_task (state, due_at index) joined to dispute_case by case code;
scoped to an org subtree by materialised path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, and_, func, select

from app.cases.models import Case, RiskTier
from app.extensions import db
from app.org.models import Department, OrgUnit
from app.supervision.access import units_under
from app.supervision.labels import LEVEL_LABELS
from app.supervision.models import SupervisionOrder
from app.workflow.models import HumanTask, TaskState

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
SORTS = {"due": HumanTask.due_at, "code": Case.code, "category": Case.category,
         "tier": Case.risk_tier, "department": Department.code, "received": Case.received_at,
         "level": Case.level}
STATES = {"open": "未办结", "late": "逾期后办结"}


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
    state: str = "open"
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
    if filters.state == "late":
        state = and_(HumanTask.state == TaskState.COMPLETED, HumanTask.completed_at > HumanTask.due_at,
                     HumanTask.due_at < cutoff)
    else:
        state = and_(HumanTask.state == TaskState.READY, HumanTask.due_at < cutoff)
    conditions = [state, Case.org_unit_id.in_(units_under(unit))]
    if filters.department:
        conditions.append(Department.code == filters.department)
    if filters.level:
        conditions.append(Case.level == filters.level)
    if filters.category:
        conditions.append(Case.category == filters.category)
    if filters.risk_tier in {t.value for t in RiskTier}:
        conditions.append(Case.risk_tier == RiskTier(filters.risk_tier))
    if filters.channel:
        conditions.append(Case.channel == filters.channel)
    return conditions


def _query(unit: OrgUnit, filters: OverdueFilter, now: datetime, *columns) -> Select:
    return (select(*columns)
            .select_from(HumanTask)
            .join(Case, Case.code == HumanTask.business_key)
            .outerjoin(Department, Department.id == HumanTask.candidate_department_id)
            .where(*_conditions(unit, filters, now)))


def _rows_query(unit: OrgUnit, filters: OverdueFilter, now: datetime) -> Select:
    candidate_unit = OrgUnit.__table__.alias("candidate_unit")
    column = SORTS.get(filters.sort, HumanTask.due_at)
    order = column.desc() if filters.descending else column.asc()
    return (_query(unit, filters, now, HumanTask, Case, Department.name, candidate_unit.c.name,
                   SupervisionOrder.id, SupervisionOrder.status)
            .outerjoin(candidate_unit, candidate_unit.c.id == HumanTask.candidate_org_unit_id)
            .outerjoin(SupervisionOrder, SupervisionOrder.task_id == HumanTask.id)
            .order_by(order, HumanTask.id))


def _row(result) -> OverdueRow:
    task, case, department, unit_name, order_id, order_status = result
    return OverdueRow(task, case, department, unit_name, order_id,
                      order_status.value if order_status else None)


def overdue_page(unit: OrgUnit, filters: OverdueFilter, now: datetime) -> OverduePage:
    """One page of the overdue list under `unit`, and the total."""
    total = db.session.scalar(_query(unit, filters, now, func.count()).order_by(None)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    rows = db.session.execute(_rows_query(unit, filters, now).limit(PAGE_SIZE)
                              .offset((page - 1) * PAGE_SIZE))
    return OverduePage([_row(r) for r in rows], total, page, pages, filters)


def overdue_rows(unit: OrgUnit, filters: OverdueFilter, now: datetime,
                 limit: int = EXPORT_LIMIT) -> list[OverdueRow]:
    """Every matching row (up to `limit`) for the Excel export."""
    return [_row(r) for r in db.session.execute(_rows_query(unit, filters, now).limit(limit))]


def filter_options() -> dict[str, list[tuple[str, str]]]:
    """Departments (by code, across counties) and handling levels, for the drop-downs."""
    departments = db.session.execute(
        select(Department.code, func.min(Department.name)).group_by(Department.code)
        .order_by(Department.code)).all()
    return {"departments": [(code, name) for code, name in departments],
            "levels": list(LEVEL_LABELS.items())}
