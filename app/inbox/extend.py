"""延期申请: the holder of a task asks for more time with a reason and a new deadline; a center
coordinator over the case's area grants or refuses it. A grant moves the task row's `due_at`
(which the overdue list, the supervision sweep and the overdue facts read) and the engine's
boundary timers, in the same unit of work.

Statutory caps: a 信访 handling task may be extended once by at most 30 days (《信访工作条例》
第三十五条); any other task once by at most its own original length.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.audit.services import record
from app.clock import Clock, local_zone
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.inbox.actions import coordinates, reason_text
from app.inbox.models import ExtensionState, TaskExtension
from app.org.services import Actor
from app.workflow import services
from app.workflow.models import HumanTask, TaskState
from app.workflow.sync import warn_policy

PETITION_FORMS = {"petition_handle.json"}
PETITION_CAP_DAYS = 30


def cap_days(task: HumanTask) -> int:
    """The longest extension the rules allow for this task, in days."""
    if task.form_key in PETITION_FORMS:
        return PETITION_CAP_DAYS
    length = (task.due_at - task.created_at) if task.due_at else timedelta(days=1)
    return max(1, -(-length // timedelta(days=1)))  # whole days, rounded up


def extensions_of(task_id: str) -> list[TaskExtension]:
    """The task's extension requests, oldest first."""
    return list(db.session.scalars(select(TaskExtension).where(TaskExtension.task_id == task_id)
                                   .order_by(TaskExtension.id)))


def pending(task_id: str) -> TaskExtension | None:
    """The request awaiting a decision, if any."""
    return next((e for e in extensions_of(task_id) if e.state == ExtensionState.PENDING), None)


def may_request(actor: Actor, task: HumanTask) -> bool:
    """Only the holder of an open task with a deadline, never extended before, may ask."""
    return (task.state == TaskState.READY and task.assignee_id == actor.user_id
            and task.due_at is not None and not extensions_of(task.id))


def _new_due(task: HumanTask, text: str | None) -> datetime:
    """The requested date at the same local time of day as the current deadline."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationFailed("请填写新的办理期限", {"new_due": ["请选择新的办理期限（日期）"]}) from None
    if task.due_at is None:
        raise ValidationFailed("该任务没有办理期限，无需延期", {"new_due": ["该任务没有办理期限"]})
    current = task.due_at.astimezone(local_zone())
    return datetime.combine(day, current.timetz())


def request_extension(task_id: str, new_due: str | None, reason: str, *, actor: Actor,
                      clock: Clock) -> TaskExtension:
    """延期申请 by the holder: refused beyond the cap, a second time, or for a past date."""
    task = db.session.get(HumanTask, task_id, with_for_update=True)
    if task is None:
        raise NotFound("任务不存在")
    if task.state != TaskState.READY or task.assignee_id != actor.user_id:
        raise Forbidden("只有任务的承办人可以申请延期")
    if task.due_at is None:
        raise ValidationFailed("该任务没有办理期限", {"new_due": ["该任务没有办理期限，无需延期"]})
    if extensions_of(task.id):
        raise ValidationFailed("该任务已申请过延期", {"new_due": ["每项任务只能申请一次延期"]})
    text = reason_text(reason, "延期")
    due = _new_due(task, new_due)
    cap = cap_days(task)
    if due <= task.due_at:
        raise ValidationFailed("新的期限须晚于原期限", {"new_due": ["新的办理期限须晚于原期限"]})
    if due - task.due_at > timedelta(days=cap):
        raise ValidationFailed("延期超过规定上限", {"new_due": [f"延长期限不得超过 {cap} 日"]})
    now = clock.now()
    row = TaskExtension(task_id=task.id, state=ExtensionState.PENDING, previous_due_at=task.due_at,
                        requested_due_at=due, reason=text, requested_by_id=actor.user_id,
                        requested_at=now)
    db.session.add(row)
    record(now, "task.extension_requested", actor_id=actor.user_id, actor_label=actor.label,
           instance_id=task.instance_id, task_id=task.id,
           summary={"bpmn_id": task.bpmn_id, "from": task.due_at.isoformat(),
                    "to": due.isoformat(), "reason": text})
    db.session.flush()
    return row


def decide_extension(task_id: str, grant: bool, reason: str, *, actor: Actor,
                     clock: Clock) -> TaskExtension:
    """批准 or 不批准 by a coordinator over the case's area; a grant moves the deadline and timers."""
    task = db.session.get(HumanTask, task_id, with_for_update=True)
    if task is None:
        raise NotFound("任务不存在")
    if not coordinates(actor, task):
        raise Forbidden("只有本案所在地区综治中心的调度人员可以审批延期")
    row = pending(task.id)
    if row is None or task.state != TaskState.READY:
        raise Conflict("没有待审批的延期申请")
    text = reason_text(reason, "审批意见" if grant else "不批准")
    now = clock.now()
    row.state = ExtensionState.GRANTED if grant else ExtensionState.REFUSED
    row.decided_by_id, row.decided_at, row.decision_reason = actor.user_id, now, text
    if grant:
        _move(task, row.requested_due_at, clock)
    record(now, "task.extension_decided", actor_id=actor.user_id, actor_label=actor.label,
           instance_id=task.instance_id, task_id=task.id,
           summary={"bpmn_id": task.bpmn_id, "granted": grant,
                    "to": row.requested_due_at.isoformat(), "reason": text})
    db.session.flush()
    return row


def _move(task: HumanTask, due: datetime, clock: Clock) -> None:
    """The deadline, the warning moment (the policy's share of the new period) and the engine's
    timers move together."""
    task.set_due(due, warn_policy())
    services.move_task_due(task.id, due, clock=clock)
