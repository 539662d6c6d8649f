"""The deadline sweep: warning (预警), chase (催办) and supervision-order (督办单) notices.

A periodic worker job (`register_job`). It reads open tasks with indexed comparisons on
`human_task` (state, warn_at / due_at) and never loads a workflow, except to start a
supervision order. Every notice is unique per (task, kind) and is inserted under a
savepoint: a second run — or a second worker racing this one — finds it there and skips,
so the job is safe to run twice and with several workers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.clock import Clock
from app.extensions import db
from app.notify.urgent import notify_urgent
from app.supervision import orders
from app.supervision.models import DeadlineNotice, NoticeKind
from app.supervision.policies import PolicyTable, load_table, overdue_cutoff, overdue_working_days
from app.workflow.models import HumanTask, ProcessInstance, TaskState

log = logging.getLogger("onedoor.supervision")
BATCH = 500


@dataclass
class SweepCounts:
    """What one sweep wrote."""

    warnings: int = 0
    chases: int = 0
    orders: int = 0


def _without(kind: NoticeKind):
    return ~exists().where(DeadlineNotice.task_id == HumanTask.id, DeadlineNotice.kind == kind)


def _candidates(condition, kind: NoticeKind) -> list[tuple[HumanTask, int | None]]:
    """Open tasks matching `condition` without a `kind` notice, with their case location."""
    rows = db.session.execute(
        select(HumanTask, ProcessInstance.org_unit_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.state == TaskState.READY, condition, _without(kind))
        .order_by(HumanTask.due_at, HumanTask.id).limit(BATCH))  # one lock order for all workers
    return [(row[0], row[1]) for row in rows]


def _insert_notice(task: HumanTask, org_unit_id: int | None, kind: NoticeKind, now: datetime,
                   overdue_days: int) -> DeadlineNotice | None:
    """Insert the notice under a savepoint; None when another run already wrote it."""
    notice = DeadlineNotice(
        task_id=task.id, kind=kind, created_at=now, business_key=task.business_key, title=task.title,
        due_at=task.due_at, overdue_working_days=overdue_days, org_unit_id=org_unit_id,
        candidate_department_id=task.candidate_department_id,
        candidate_org_unit_id=task.candidate_org_unit_id, candidate_role=task.candidate_role,
        assignee_id=task.assignee_id)
    try:
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:
        return None
    record(now, f"deadline.{kind.value}", instance_id=task.instance_id, task_id=task.id,
           summary={"code": task.business_key, "due_at": task.due_at.isoformat() if task.due_at else None,
                    "overdue_working_days": overdue_days})
    notify_urgent(task, kind.value, now)
    return notice


def _warnings(now: datetime, counts: SweepCounts) -> None:
    condition = and_(HumanTask.warn_at <= now, HumanTask.due_at > now)
    for task, unit in _candidates(condition, NoticeKind.WARNING):
        if _insert_notice(task, unit, NoticeKind.WARNING, now, 0):
            counts.warnings += 1


def _overdue(now: datetime, table: PolicyTable, attribute: str, kind: NoticeKind):
    """Tasks overdue by their policy's `attribute` working days, without a `kind` notice yet."""
    thresholds = table.thresholds(attribute)
    if not thresholds:
        return
    loosest = overdue_cutoff(now, min(thresholds))
    for task, unit in _candidates(HumanTask.due_at < loosest, kind):
        needed = getattr(table.for_task(task.process_id, task.bpmn_id), attribute)
        due = task.due_at
        if needed is not None and due is not None and due < overdue_cutoff(now, needed):
            yield task, unit, overdue_working_days(due, now)


def sweep_deadlines(clock: Clock) -> SweepCounts:
    """One pass: warn, chase, then escalate overdue tasks to supervision orders."""
    now = clock.now()
    table = load_table(db.session)
    counts = SweepCounts()
    _warnings(now, counts)
    for task, unit, days in list(_overdue(now, table, "chase_after", NoticeKind.CHASE)):
        if _insert_notice(task, unit, NoticeKind.CHASE, now, days):
            counts.chases += 1
    for task, unit, days in list(_overdue(now, table, "supervise_after", NoticeKind.SUPERVISION)):
        if _insert_notice(task, unit, NoticeKind.SUPERVISION, now, days):
            orders.open_order(task, unit, days, clock)
            counts.orders += 1
    if counts.warnings or counts.chases or counts.orders:
        log.info("deadline sweep: %s warnings, %s chases, %s supervision orders",
                 counts.warnings, counts.chases, counts.orders)
    return counts
