"""转办 with the coordinator's approval, where the process says so.

A user task declaring `transferApproval = coordinator` (app/workflow/checks.py) is not handed on
at once: the 转办 becomes a pending `task_transfer` request with its reason, requester and target,
the task stays with its department (its page says 「转办待审批」), and a center coordinator over
the case's area approves it (the task moves, the reason goes with it) or refuses it with a reason
the requester reads on the task page. A coordinator's own 转办 needs no second approval.

Each step is one unit of work. Two decisions on one request at the same instant: the task row is
locked first (PostgreSQL) and the request moves out of `pending` by a conditional UPDATE, so
exactly one decision is written and the other is refused with 409 (SQLite serialises the writes).
"""

from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.clock import Clock
from app.errors import Conflict, Forbidden, NotFound
from app.extensions import db
from app.inbox import actions
from app.inbox.models import TaskTransfer, TransferState
from app.org.models import OrgUnit, Role
from app.org.services import Actor
from app.unit_of_work import rows_changed
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from app.workflow.queries import transfer_approver


@dataclass
class TransferOutcome:
    """What a 转办 did: moved the task, or filed a request waiting for approval."""

    task: HumanTask
    request: TaskTransfer | None = None

    @property
    def pending(self) -> bool:
        """True when the task waits for the coordinator's approval."""
        return self.request is not None


def needs_approval(actor: Actor, task: HumanTask) -> bool:
    """The process asks for the coordinator's approval and the actor is not one over the area."""
    return transfer_approver(task) == "coordinator" and not actions.coordinates(actor, task)


def pending_for(task_id: str) -> TaskTransfer | None:
    """The request of the task waiting for a decision, if any."""
    return db.session.scalar(select(TaskTransfer).where(
        TaskTransfer.task_id == task_id, TaskTransfer.state == TransferState.PENDING))


def pending_task_ids(task_ids: list[str]) -> set[str]:
    """Which of the tasks have a 转办 waiting for approval (the inbox marks them)."""
    if not task_ids:
        return set()
    return set(db.session.scalars(select(TaskTransfer.task_id).where(
        TaskTransfer.task_id.in_(task_ids), TaskTransfer.state == TransferState.PENDING)))


def latest_refusal(task_id: str) -> TaskTransfer | None:
    """The task's last refused request (its reason is shown to the requester)."""
    return db.session.scalar(select(TaskTransfer).where(
        TaskTransfer.task_id == task_id, TaskTransfer.state == TransferState.REFUSED)
        .order_by(TaskTransfer.id.desc()).limit(1))


def transfer(task_id: str, department_id: int | None, reason: str, *, actor: Actor,
             clock: Clock) -> TransferOutcome:
    """转办 as the process declares it: at once, or as a request for the coordinator's approval."""
    task = actions.open_for_action(task_id, actor)
    text = actions.reason_text(reason)
    target = actions.transfer_target(task, department_id)
    if not needs_approval(actor, task):
        actions.move_to_department(task, target, text, actor=actor, clock=clock)
        return TransferOutcome(task)
    if pending_for(task.id) is not None:
        raise Conflict("该任务已有转办申请在等待审批")
    now = clock.now()
    row = TaskTransfer(task_id=task.id, state=TransferState.PENDING,
                       from_department_id=task.candidate_department_id, to_department_id=target.id,
                       reason=text, requested_by_id=actor.user_id, requested_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:  # another request for the task was filed a moment ago
        raise Conflict("该任务已有转办申请在等待审批") from None
    record(now, "task.transfer_requested", actor_id=actor.user_id, actor_label=actor.label,
           instance_id=task.instance_id, task_id=task.id,
           summary={"bpmn_id": task.bpmn_id, "from_department": row.from_department_id,
                    "to_department": target.id, "reason": text, "request": row.id})
    db.session.flush()
    return TransferOutcome(task, row)


MAX_ID = 2**31 - 1  # an id past the integer column's range names nothing (PostgreSQL would refuse it)


def _locked(request_id: int, actor: Actor) -> tuple[TaskTransfer, HumanTask]:
    row = db.session.get(TaskTransfer, request_id) if 0 < request_id <= MAX_ID else None
    if row is None:
        raise NotFound("转办申请不存在")
    task = db.session.get(HumanTask, row.task_id, with_for_update=True)
    if task is None or not actions.coordinates(actor, task):
        raise Forbidden("只有本案所在地区综治中心的调度人员可以审批转办")
    db.session.refresh(row)  # as it stands now that the task is ours
    if row.state != TransferState.PENDING:
        raise Conflict("该转办申请已被处理，请刷新页面")
    if task.state != TaskState.READY or task.candidate_department_id != row.from_department_id:
        raise Conflict("该任务已办结或已改由他处办理，转办申请已失效")
    return row, task


def _settle(row: TaskTransfer, state: TransferState, actor: Actor, now, text: str | None) -> None:
    """Move the request out of `pending`, or refuse: someone decided it a moment ago."""
    done = rows_changed(
        update(TaskTransfer).where(TaskTransfer.id == row.id,
                                   TaskTransfer.state == TransferState.PENDING)
        .values(state=state, decided_by_id=actor.user_id, decided_at=now, decision_reason=text)
        .execution_options(synchronize_session=False))
    if done != 1:
        raise Conflict("该转办申请已被处理，请刷新页面")
    db.session.refresh(row)


def approve(request_id: int, opinion: str | None, *, actor: Actor, clock: Clock) -> TaskTransfer:
    """批准转办: the task moves to the requested department, the request's reason with it."""
    row, task = _locked(request_id, actor)
    text = (opinion or "").strip()[:500] or None
    now = clock.now()
    _settle(row, TransferState.APPROVED, actor, now, text)
    target = next((d for d in actions.transfer_targets(task) if d.id == row.to_department_id), None)
    if target is None:
        raise Conflict("所申请的部门已不再服务本案所在地区，请不批准并说明理由")
    actions.move_to_department(task, target, row.reason, actor=actor, clock=clock,
                               extra={"request": row.id, "approved_by": actor.label,
                                      "opinion": text or ""})
    return row


def refuse(request_id: int, reason: str, *, actor: Actor, clock: Clock) -> TaskTransfer:
    """不批准转办, with a reason the requester reads; the task stays where it is."""
    row, task = _locked(request_id, actor)
    text = actions.reason_text(reason, "不批准")
    now = clock.now()
    _settle(row, TransferState.REFUSED, actor, now, text)
    record(now, "task.transfer_refused", actor_id=actor.user_id, actor_label=actor.label,
           instance_id=task.instance_id, task_id=task.id,
           summary={"bpmn_id": task.bpmn_id, "to_department": row.to_department_id,
                    "reason": text, "request": row.id})
    db.session.flush()
    return row


def may_approve(actor: Actor) -> bool:
    """Center coordinators approve 转办 (the menu entry and the page check the same)."""
    return any(role == Role.CENTER_COORDINATOR for _, role in actor.unit_roles)


def _waiting(actor: Actor):
    """Pending requests of open tasks still where they were asked from, in the actor's areas."""
    units = [unit for unit, role in actor.unit_roles if role == Role.CENTER_COORDINATOR]
    paths = list(db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(units)))) if units else []
    if not paths:
        return None
    return (select(TaskTransfer, HumanTask)
            .join(HumanTask, HumanTask.id == TaskTransfer.task_id)
            .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
            .join(OrgUnit, OrgUnit.id == ProcessInstance.org_unit_id)
            .where(TaskTransfer.state == TransferState.PENDING, HumanTask.state == TaskState.READY,
                   HumanTask.candidate_department_id == TaskTransfer.from_department_id,
                   or_(*[OrgUnit.path.startswith(p) for p in paths])))


def waiting_for(actor: Actor) -> list[tuple[TaskTransfer, HumanTask]]:
    """The 待审批 list of a coordinator, oldest first."""
    query = _waiting(actor)
    if query is None:
        return []
    return [tuple(r) for r in db.session.execute(query.order_by(TaskTransfer.requested_at, TaskTransfer.id))]


def waiting_count(actor: Actor) -> int:
    """How many requests wait for the actor (the menu entry's badge)."""
    query = _waiting(actor)
    if query is None:
        return 0
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
