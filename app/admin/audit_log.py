"""The audit log for administrators: filter by who, what, case and date; export to Excel."""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select

from app.admin.audit_labels import action_label, change_text, value_text
from app.admin.departments import parse_day
from app.audit.models import AuditEvent
from app.clock import local_zone
from app.extensions import db
from app.workflow.models import ProcessInstance

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000


@dataclass(frozen=True)
class AuditFilter:
    """The filters of the audit page (all optional)."""

    who: str = ""
    what: str = ""
    case: str = ""
    since: date | None = None
    until: date | None = None
    page: int = 1


def parse_filter(args) -> AuditFilter:
    """Filters from the query string; a malformed date is a field error in Chinese."""
    since = parse_day(args["since"], "since", "开始日期") if args.get("since") else None
    until = parse_day(args["until"], "until", "结束日期") if args.get("until") else None
    page = args.get("page", type=int) or 1
    return AuditFilter(args.get("who", "").strip(), args.get("what", "").strip(),
                       args.get("case", "").strip(), since, until, max(page, 1))


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, local_zone())


def _query(f: AuditFilter):
    query = select(AuditEvent)
    if f.who:
        query = query.where(AuditEvent.actor_label.contains(f.who))
    if f.what:
        query = query.where(AuditEvent.action.startswith(f.what))
    if f.case:
        instances = select(ProcessInstance.id).where(ProcessInstance.business_key == f.case)
        query = query.where(AuditEvent.instance_id.in_(instances))
    if f.since:
        query = query.where(AuditEvent.at >= _local_midnight(f.since))
    if f.until:
        query = query.where(AuditEvent.at < _local_midnight(f.until + timedelta(days=1)))
    return query


@dataclass(frozen=True)
class AuditPage:
    """One page of events, newest first."""

    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def events_page(f: AuditFilter) -> AuditPage:
    """The events matching `f`, one page of them."""
    query = _query(f)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    events = db.session.scalars(query.order_by(AuditEvent.id.desc())
                                .offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return AuditPage(list(events), total, f.page, max(1, -(-total // PAGE_SIZE)))


def actions() -> list[str]:
    """Every action recorded so far (for the filter's choices)."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def summary_text(event: AuditEvent) -> str:
    """The change in a readable line: 「field before → after」 where the event names them."""
    summary = event.summary or {}
    if "before" in summary or "after" in summary:
        return change_text(summary)
    return value_text(summary)


def export(f: AuditFilter) -> bytes:
    """The matching events as an Excel workbook (up to EXPORT_LIMIT rows)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("审计日志")
    sheet.append(["时间", "操作人", "操作", "流程实例", "任务", "变更内容"])
    query = _query(f).order_by(AuditEvent.id.desc()).limit(EXPORT_LIMIT)
    for event in db.session.scalars(query):
        sheet.append([event.at.astimezone(local_zone()).strftime("%Y-%m-%d %H:%M:%S"), event.actor_label,
                      action_label(event.action), event.instance_id or "", event.task_id or "",
                      summary_text(event)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
