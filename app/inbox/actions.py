"""Task actions beyond claim and complete: 转办 (hand a task to another department) and 退回
(send it back to the center's coordinators, who route it again).

退回上一步 reopens the step before (app/workflow/rewind.py).
Each action is one unit of work, needs a reason and is audited; a refusal names the field.
"""

from datetime import datetime

from sqlalchemy import or_, select

from app.audit.services import record
from app.clock import Clock
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.org.models import Department, DepartmentUnit, Membership, OrgUnit, Role
from app.org.services import Actor, can_work
from app.workflow import rewind
from app.workflow.assignment import supervises
from app.workflow.models import HumanTask, ProcessInstance, TaskState

MIN_REASON = 4


def _location(task: HumanTask) -> OrgUnit | None:
    instance = db.session.get(ProcessInstance, task.instance_id)
    return db.session.get(OrgUnit, instance.org_unit_id) if instance and instance.org_unit_id else None


def transfer_targets(task: HumanTask) -> list[Department]:
    """Departments serving the case's area (at home at its unit or an ancestor, or recorded as
    also serving one of them), other than the current one: the units lane resolution uses."""
    location = _location(task)
    if location is None:
        return []
    units = _ancestor_ids(location)
    served = select(DepartmentUnit.department_id).where(DepartmentUnit.org_unit_id.in_(units))
    return list(db.session.scalars(select(Department).where(
        or_(Department.org_unit_id.in_(units), Department.id.in_(served)),
        Department.id != task.candidate_department_id)
        .order_by(Department.org_unit_id, Department.id)))


def _ancestor_ids(unit: OrgUnit) -> list[int]:
    paths = {unit.path[:i] for i in range(1, len(unit.path) + 1)}
    return list(db.session.scalars(select(OrgUnit.id).where(OrgUnit.path.in_(paths))))


def may_transfer(actor: Actor, task: HumanTask) -> bool:
    """The holder, a member of the offered department or post, or a supervisor/coordinator
    over the case's area may hand the task on."""
    if task.assignee_id == actor.user_id or supervises(actor, task):
        return True
    if task.assignee_id is None and can_work(actor, task.candidate_department_id,
                                             task.candidate_org_unit_id, task.candidate_role):
        return True
    return coordinates(actor, task)


def coordinates(actor: Actor, task: HumanTask) -> bool:
    """True when the actor is a center coordinator over the area the task's case lies in."""
    location = _location(task)
    units = [unit for unit, role in actor.unit_roles if role == Role.CENTER_COORDINATOR]
    paths = db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(units))).all() if units else []
    return location is not None and any(location.path.startswith(p) for p in paths)


def reason_text(reason: str, action: str = "转办") -> str:
    """The trimmed reason, or a refusal naming the `reason` field."""
    text = (reason or "").strip()
    if len(text) < MIN_REASON:
        raise ValidationFailed(f"请填写{action}理由", {"reason": [f"请填写理由（至少 {MIN_REASON} 个字）"]})
    return text[:500]


def open_for_action(task_id: str, actor: Actor) -> HumanTask:
    task = db.session.get(HumanTask, task_id, with_for_update=True)
    if task is None:
        raise NotFound("任务不存在")
    if task.state != TaskState.READY:
        raise Conflict("该任务已不在可办理状态")
    if not may_transfer(actor, task):
        raise Forbidden("您无权处理该任务")
    return task


def center_of(task: HumanTask) -> OrgUnit | None:
    """The nearest center above the case's location with a coordinator to receive a 退回."""
    location = _location(task)
    if location is None:
        return None
    staffed = set(db.session.scalars(select(Membership.org_unit_id).where(
        Membership.org_unit_id.in_(_ancestor_ids(location)),
        Membership.role == Role.CENTER_COORDINATOR)))
    units = [u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(staffed)))]
    return max(units, key=lambda u: len(u.path), default=None)


def can_return(task: HumanTask) -> bool:
    """A task already at the center's coordinators has nowhere to go back to."""
    center = center_of(task)
    return center is not None and not (task.candidate_org_unit_id == center.id
                                       and task.candidate_role == Role.CENTER_COORDINATOR)


def return_task(task_id: str, reason: str, *, actor: Actor, clock: Clock) -> HumanTask:
    """退回: give the task back to the center's coordinators with the reason, to route it again."""
    task = open_for_action(task_id, actor)
    text = reason_text(reason, "退回")
    center = center_of(task)
    if center is None or not can_return(task):
        raise ValidationFailed("该任务无法退回", {"reason": ["本案所在地区没有可接收退回的综治中心调度人员"]})
    move_to_center(task, center, "task.returned", text, actor=actor, now=clock.now())
    return task


def move_to_center(task: HumanTask, center: OrgUnit, action: str, text: str, *, actor: Actor,
                   now: datetime, holder: int | None = None) -> None:
    """Offer the task to the coordinators of `center` (unclaimed, or held by `holder`), audited
    as `action` with its reason: 退回, 代部门办理 and the move of a department that lost its staff."""
    previous = task.candidate_department_id
    task.candidate_department_id, task.candidate_org_unit_id = None, center.id
    task.candidate_role = Role.CENTER_COORDINATOR
    task.assignee_id, task.claimed_at, task.draft = holder, now if holder is not None else None, None
    record(now, action, actor_id=actor.user_id, actor_label=actor.label,
           instance_id=task.instance_id, task_id=task.id,
           summary={"bpmn_id": task.bpmn_id, "from_department": previous, "to_unit": center.id,
                    "reason": text})
    db.session.flush()


def transfer_task(task_id: str, department_id: int | None, reason: str, *, actor: Actor,
                  clock: Clock) -> HumanTask:
    """转办: offer the task to another department serving the case's area, with a reason."""
    task = open_for_action(task_id, actor)
    text = reason_text(reason)
    move_to_department(task, transfer_target(task, department_id), text, actor=actor, clock=clock)
    return task


def transfer_target(task: HumanTask, department_id: int | None) -> Department:
    """The chosen department if it serves the case's area (and is not the current one)."""
    target = next((d for d in transfer_targets(task) if d.id == department_id), None)
    if target is None:
        raise ValidationFailed("请选择本案所在地区的其他部门",
                               {"department_id": ["请选择服务本案所在地区的其他部门"]})
    return target


def move_to_department(task: HumanTask, target: Department, text: str, *, actor: Actor,
                       clock: Clock, extra: dict | None = None) -> None:
    """Offer the task to `target`, unclaimed, and audit the 转办 with its reason."""
    previous = task.candidate_department_id
    task.candidate_department_id, task.candidate_org_unit_id, task.candidate_role = target.id, None, None
    task.assignee_id, task.claimed_at, task.draft = None, None, None
    record(clock.now(), "task.transferred", actor_id=actor.user_id, actor_label=actor.label,
           instance_id=task.instance_id, task_id=task.id,
           summary={"bpmn_id": task.bpmn_id, "from_department": previous,
                    "to_department": target.id, "reason": text, **(extra or {})})
    db.session.flush()


def may_act_for(actor: Actor, task: HumanTask) -> bool:
    """A coordinator over the case's area may take a department's open task over."""
    return task.state == TaskState.READY and task.candidate_department_id is not None \
        and coordinates(actor, task) and center_of(task) is not None


def act_for(task_id: str, reason: str, *, actor: Actor, clock: Clock) -> HumanTask:
    """代部门办理: the coordinator takes a department's task (nobody there to do it), with a reason."""
    task = open_for_action(task_id, actor)
    if not may_act_for(actor, task):
        raise Forbidden("只有本案所在地区综治中心的调度人员可以代部门办理")
    text = reason_text(reason, "代办")
    center = center_of(task)
    if center is None:
        raise Conflict("本案所在地区没有综治中心调度人员，无法代部门办理")
    move_to_center(task, center, "task.acted_for", text, actor=actor, now=clock.now(), holder=actor.user_id)
    return task


def can_return_to_previous(actor: Actor, task: HumanTask) -> bool:
    """The page offers 退回上一步 to whoever may act on an open task that has a step before it."""
    return task.state == TaskState.READY and may_transfer(actor, task) \
        and rewind.previous_step(task) is not None


def return_to_previous(task_id: str, reason: str, *, actor: Actor, clock: Clock) -> HumanTask:
    """退回上一步: the step before this one opens again for its department or post, with the
    reason shown on its page; this task is cancelled. One unit of work, audited."""
    task = open_for_action(task_id, actor)
    text = reason_text(reason, "退回")
    previous = rewind.back_to_previous(task, clock=clock)
    record(clock.now(), "task.sent_back", actor_id=actor.user_id, actor_label=actor.label,
           instance_id=task.instance_id, task_id=previous.id,
           summary={"bpmn_id": previous.bpmn_id, "from_task": task.id,
                    "from_bpmn_id": task.bpmn_id, "reason": text})
    db.session.flush()
    return previous
