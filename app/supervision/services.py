"""Supervision services: notices for the bell, supervision orders, deadline policies.

`notices_for(actor, since, limit)` is the API the in-app notification bell reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import and_, false, or_, select

from app.clock import Clock
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.org.models import OrgUnit
from app.org.services import Actor
from app.supervision import policies
from app.supervision.access import Scope, supervised_unit_ids
from app.supervision.models import (
    ANY,
    NOTICE_LABELS,
    DeadlineNotice,
    DeadlinePolicy,
    NoticeKind,
    OrderStatus,
    SupervisionOrder,
)


@dataclass(frozen=True)
class Notice:
    """One deadline notice as the bell shows it."""

    id: int
    kind: str           # warning | chase | supervision
    kind_label: str     # 即将超期 | 催办 | 督办
    text: str           # a Chinese sentence
    business_key: str   # the case code
    task_id: str
    title: str
    due_at: datetime
    created_at: datetime


def _text(row: DeadlineNotice) -> str:
    words = _words(row)
    return f"{words}。要求：{row.note}" if row.note else words


def _words(row: DeadlineNotice) -> str:
    if row.kind == NoticeKind.WARNING:
        return f"案件 {row.business_key}「{row.title}」即将超期，请抓紧办理"
    if row.kind == NoticeKind.CHASE:
        return f"催办：案件 {row.business_key}「{row.title}」已超过办理期限，请立即办理"
    return (f"督办：案件 {row.business_key}「{row.title}」逾期 {row.overdue_working_days} 个工作日，"
            "已生成督办单，承办单位须书面说明逾期原因")


def _relevant(actor: Actor):
    """Notices of tasks offered to or held by the actor, and supervision notices in their subtree."""
    clauses = [DeadlineNotice.assignee_id == actor.user_id]
    if actor.department_ids:
        clauses.append(DeadlineNotice.candidate_department_id.in_(actor.department_ids))
    clauses.extend(and_(DeadlineNotice.candidate_org_unit_id == unit, DeadlineNotice.candidate_role == role)
                   for unit, role in actor.unit_roles)
    supervised = supervised_unit_ids(actor)
    if supervised:
        paths = db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(supervised))).all()
        units = select(OrgUnit.id).where(or_(*[OrgUnit.path.startswith(p) for p in paths]))
        clauses.append(and_(DeadlineNotice.kind == NoticeKind.SUPERVISION,
                            DeadlineNotice.org_unit_id.in_(units)))
    return or_(*clauses) if clauses else false()


def notices_for(actor: Actor, since: datetime | None = None, limit: int = 20) -> list[Notice]:
    """Recent deadline notices relevant to `actor`, newest first.

    Relevant: notices of tasks the actor is a candidate for (their departments, their
    role at an org unit) or was assigned when the notice was written, plus every
    supervision notice (督办) of cases in a subtree they supervise. `since` (aware) keeps
    only newer ones. Each branch of the OR has its own (…, created_at) index.
    """
    query = select(DeadlineNotice).where(_relevant(actor))
    if since is not None:
        query = query.where(DeadlineNotice.created_at > since)
    rows = db.session.scalars(query.order_by(DeadlineNotice.created_at.desc(), DeadlineNotice.id.desc())
                              .limit(max(1, min(limit, 200))))
    return [Notice(r.id, r.kind.value, NOTICE_LABELS[r.kind], _text(r), r.business_key, r.task_id,
                   r.title, r.due_at, r.created_at) for r in rows]


# --------------------------------------------------------------------------- orders

def orders_in(scope: Scope, status: str | None = None, limit: int = 200) -> list[SupervisionOrder]:
    """Supervision orders of cases in the scope, newest first, optionally of one status."""
    query = select(SupervisionOrder).where(SupervisionOrder.org_unit_id.in_(scope.unit_ids()))
    if status:
        query = query.where(SupervisionOrder.status == OrderStatus(status))
    return list(db.session.scalars(query.order_by(SupervisionOrder.created_at.desc()).limit(limit)))


def get_order(scope: Scope, order_id: int) -> SupervisionOrder:
    """One order, if its case lies in the scope."""
    order = db.session.get(SupervisionOrder, order_id)
    if order is None:
        raise NotFound("督办单不存在")
    if order.org_unit_id is None or not scope.contains(db.session.get_one(OrgUnit, order.org_unit_id)):
        raise Forbidden("该督办单不在您的督办范围内")
    return order


# --------------------------------------------------------------------------- policies

def set_policy(process_id: str, bpmn_id: str, *, warn_share: float, chase_after: int | None,
               supervise_after: int | None, description: str = "", actor: Actor | None = None,
               clock: Clock | None = None) -> DeadlinePolicy:
    """Create or change the thresholds of a process/task (`*` for any)."""
    del actor, clock  # kept for the service signature; policies carry no history yet
    if not 0 < warn_share < 1:
        raise ValidationFailed("预警比例须在 0 与 1 之间", {"warn_share": ["须大于 0 且小于 1"]})
    if any(v is not None and v < 0 for v in (chase_after, supervise_after)):
        raise ValidationFailed("工作日数不能为负数")
    row = db.session.scalar(select(DeadlinePolicy).where(
        DeadlinePolicy.process_id == (process_id or ANY), DeadlinePolicy.bpmn_id == (bpmn_id or ANY)))
    if row is None:
        row = DeadlinePolicy(process_id=process_id or ANY, bpmn_id=bpmn_id or ANY)
        db.session.add(row)
    row.warn_share = Decimal(str(round(warn_share, 3)))
    row.chase_after_working_days, row.supervise_after_working_days = chase_after, supervise_after
    row.description = description
    db.session.flush()
    policies.invalidate()
    return row
