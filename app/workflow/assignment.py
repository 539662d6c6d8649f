"""Hand a claimed task to a colleague, or (supervisors) reassign it; save a form draft."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from app.audit.services import record
from app.clock import Clock
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.org.models import Membership, OrgUnit, Role, User
from app.org.services import Actor, can_work, load_actor
from app.workflow.models import HumanTask, ProcessInstance, TaskState

MAX_DRAFT_BYTES = 64 * 1024


def _open(task_id: str) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("任务不存在")
    if task.state != TaskState.READY:
        raise Conflict("该任务已办结或已取消")
    return task


def candidates(task: HumanTask) -> list[User]:
    """Active users who may work the task (its department, or its role at its org unit)."""
    if task.candidate_department_id is not None:
        scope = Membership.department_id == task.candidate_department_id
    else:
        scope = Membership.org_unit_id == task.candidate_org_unit_id
        if task.candidate_role is not None:
            scope = scope & (Membership.role == task.candidate_role)
    return list(db.session.scalars(select(User).join(Membership, Membership.user_id == User.id)
                                   .where(scope, User.active.is_(True)).order_by(User.id).distinct()))


def supervises(actor: Actor, task: HumanTask) -> bool:
    """True when the actor supervises the org subtree the task's case lies in."""
    units = [unit for unit, role in actor.unit_roles if role == Role.SUPERVISOR]
    if not units:
        return False
    instance = db.session.get(ProcessInstance, task.instance_id)
    location = db.session.get(OrgUnit, instance.org_unit_id) if instance and instance.org_unit_id else None
    paths = db.session.scalars(select(OrgUnit.path).where(OrgUnit.id.in_(units))).all()
    return location is not None and any(location.path.startswith(p) for p in paths)


def assign_task(task_id: str, to_user_id: int, *, actor: Actor, clock: Clock) -> HumanTask:
    """Hand over (the holder) or reassign (a supervisor of the case's area) to a candidate."""
    task = _open(task_id)
    holder = task.assignee_id == actor.user_id
    if not holder and not supervises(actor, task):
        raise Forbidden("只有认领人或上级督办人员可以转交该任务")
    target = load_actor(to_user_id)
    if not can_work(target, task.candidate_department_id, task.candidate_org_unit_id,
                    task.candidate_role):
        raise ValidationFailed("接收人不在该任务的办理范围内", {"to_user_id": ["请选择本部门（岗位）的人员"]})
    previous = task.assignee_id
    task.assignee_id = to_user_id
    task.claimed_at = clock.now()
    record(clock.now(), "task.handed_over" if holder else "task.reassigned",
           actor_id=actor.user_id, actor_label=actor.label, instance_id=task.instance_id,
           task_id=task.id, summary={"from": previous, "to": to_user_id, "bpmn_id": task.bpmn_id})
    db.session.flush()
    return task


def save_draft(task_id: str, values: Mapping[str, Any], *, actor: Actor) -> HumanTask:
    """Keep unfinished form values on the task (only its holder may)."""
    task = _open(task_id)
    if task.assignee_id != actor.user_id:
        raise Forbidden("请先认领该任务")
    if len(repr(values).encode("utf-8")) > MAX_DRAFT_BYTES:
        raise ValidationFailed("草稿过大", {"_form": ["草稿内容过多，请精简后再保存"]})
    task.draft = dict(values)
    db.session.flush()
    return task
