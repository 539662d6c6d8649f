"""Case queries of the API: search with filters and paging, detail with the route map, masking."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select, true

from app.cases import access
from app.cases.models import Case, CaseStatus
from app.channels.duplicates.models import CaseDuplicate
from app.channels.duplicates.services import flags_for
from app.channels.scope import Scope, unit_by_code
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.org.models import OrgUnit
from app.org.services import Actor
from app.workflow.models import HumanTask, TaskState

LOCAL = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class CaseFilters:
    """What GET /cases filters on."""

    status: str | None = None
    channel: str | None = None
    category: str | None = None
    org_unit: str | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str | None = None
    duplicate: str | None = None
    page: int = 1
    per_page: int = 20


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), LOCAL)


def _conditions(filters: CaseFilters, actor: Actor | None, scope: Scope) -> list[Any]:
    conditions: list[Any] = [access.visible_condition(actor, scope)]
    if filters.org_unit:
        unit = unit_by_code(filters.org_unit)
        conditions.append(Case.org_unit_id.in_(
            select(OrgUnit.id).where(OrgUnit.path.startswith(unit.path))))
    for column, value in ((Case.channel, filters.channel), (Case.category, filters.category)):
        if value:
            conditions.append(column == value)
    if filters.status:
        conditions.append(Case.status == CaseStatus(filters.status))
    if filters.received_from:
        conditions.append(Case.received_at >= _day_start(filters.received_from))
    if filters.received_to:
        conditions.append(Case.received_at < _day_start(filters.received_to + timedelta(days=1)))
    if filters.q:
        q = filters.q.strip()
        conditions.append(or_(Case.code == q.upper(), Case.title.contains(q)))
    if filters.duplicate:
        conditions.append(Case.id.in_(select(CaseDuplicate.case_id)
                                      .where(CaseDuplicate.status == filters.duplicate)))
    return conditions


def search_cases(filters: CaseFilters, actor: Actor | None, scope: Scope) -> dict[str, Any]:
    """One page of the cases the caller may see (the web's rule) matching the filters, newest first."""
    where = and_(true(), *_conditions(filters, actor, scope))
    total = db.session.scalar(select(func.count()).select_from(Case).where(where)) or 0
    pages = max(1, -(-total // filters.per_page))
    rows = db.session.scalars(select(Case).where(where)
                              .order_by(Case.received_at.desc(), Case.id.desc())
                              .limit(filters.per_page)
                              .offset((filters.page - 1) * filters.per_page)).all()
    return {"items": case_views(list(rows), reveal=False), "total": total, "page": filters.page,
            "pages": pages, "per_page": filters.per_page}


def case_views(cases: list[Case], *, reveal: bool) -> list[dict[str, Any]]:
    """Cases as the API shows them (parties masked unless `reveal`)."""
    units = {u.id: u for u in db.session.scalars(
        select(OrgUnit).where(OrgUnit.id.in_({c.org_unit_id for c in cases})))}
    flags = flags_for([c.id for c in cases])
    return [_view(case, units[case.org_unit_id], flags.get(case.id), reveal) for case in cases]


def _view(case: Case, unit: OrgUnit, flag, reveal: bool) -> dict[str, Any]:
    parties = [{"name": p.name, "role": p.role,
                "id_number": p.id_number if reveal else p.masked_id_number,
                "phone": p.phone if reveal else p.masked_phone} for p in case.parties]
    duplicate = None
    if flag is not None:
        duplicate = {"duplicate_of": flag[1], "status": flag[0].status, "reason": flag[0].reason}
    return {
        "code": case.code, "title": case.title, "channel": case.channel,
        "external_ref": case.external_ref, "category": case.category,
        "risk_tier": case.risk_tier.value, "amount": None if case.amount is None else float(case.amount),
        "people_count": case.people_count, "org_unit": {"code": unit.code, "name": unit.name},
        "address": case.address, "occurred_on": case.occurred_on, "received_at": case.received_at,
        "status": case.status.value, "route": case.route,
        "handling_department": case.handling_department, "level": case.level,
        "current_due_at": case.current_due_at, "due_estimated": case.due_estimated,
        "result": case.result, "parties": parties, "duplicate": duplicate,
        "narrative": case.narrative, "agreement": case.agreement, "return_visit": case.return_visit,
    }


def case_detail(code: str, actor: Actor | None, scope: Scope, now: datetime) -> dict[str, Any]:
    """A case the caller may see with its route map (路线图); personal data as the web shows it."""
    case = db.session.scalar(select(Case).where(Case.code == code))
    if case is None:
        raise NotFound(f"案件 {code} 不存在")
    if not access.may_view(actor, scope, case):
        raise Forbidden("您无权查看该案件")
    [view] = case_views([case], reveal=access.in_handling_scope(actor, case))
    view["route_map"] = route_map(case.code, now)
    return view


def route_map(code: str, now: datetime) -> list[dict[str, Any]]:
    """The case's user tasks in every process, oldest first, with minutes taken."""
    tasks = db.session.scalars(select(HumanTask).where(HumanTask.business_key == code)
                               .order_by(HumanTask.created_at, HumanTask.bpmn_id)).all()
    steps = []
    for task in tasks:
        end = task.completed_at or now
        steps.append({
            "title": task.title, "process_id": task.process_id, "bpmn_id": task.bpmn_id,
            "lane": task.lane, "state": task.state.value, "created_at": task.created_at,
            "due_at": task.due_at, "completed_at": task.completed_at,
            "minutes": int((end - task.created_at).total_seconds() // 60),
            "overdue": task.due_at is not None and end > task.due_at
            and task.state != TaskState.CANCELLED,
        })
    return steps
