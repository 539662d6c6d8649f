"""Tasks never stall when a department loses its staff.

One rule decides whether a department can receive tasks (`can_receive`: stationed today and with
an active member); the 吹哨 selection offers only such departments (app/inbox/whistle.py), and
every change that can take a department's people away — removing a membership, disabling a user,
rotating a 轮驻 department out (app/admin/) — calls `after_staff_change` in the same unit of work:

1. the open tasks the person held there are released (an inactive or departed holder cannot
   finish them, and nobody else may);
2. when the department is left unable to receive, its open tasks nobody active holds move to the
   center coordinators of the case's area (the org model has no head-of-department post), each
   audited as `task.rehomed` and shown on the task and in the case file as
   「因部门无人接收，…转由…综治中心调度办理」.
"""

from datetime import date, datetime

from sqlalchemy import select

from app.audit.services import record
from app.clock import local_zone
from app.extensions import db
from app.inbox.actions import center_of, move_to_center
from app.org import lanes
from app.org.models import Department, Membership, Role, User
from app.org.services import Actor
from app.workflow.models import HumanTask, TaskState


def active_member_ids(department_id: int) -> set[int]:
    """Users with a membership in the department whose accounts are active."""
    return set(db.session.scalars(select(User.id).join(Membership, Membership.user_id == User.id).where(
        Membership.department_id == department_id, User.active.is_(True))))


def can_receive(department: Department, day: date, members: set[int] | None = None) -> bool:
    """Someone can receive the department's tasks on `day`: stationed (轮驻) and staffed
    (`members`: its `active_member_ids`, when the caller has them)."""
    if department.id in lanes.off_rotation([department], day):
        return False
    return bool(active_member_ids(department.id) if members is None else members)


def _open(*where):
    return list(db.session.scalars(select(HumanTask).where(HumanTask.state == TaskState.READY, *where)
                                   .order_by(HumanTask.created_at, HumanTask.id)))


def release_held(user_id: int, *, department_id: int | None = None,
                 post: tuple[int, Role] | None = None, cause: str, actor: Actor, now: datetime) -> int:
    """Give back the open tasks `user_id` holds (in one department or post, or all of them)."""
    where = [HumanTask.assignee_id == user_id]
    if department_id is not None:
        where.append(HumanTask.candidate_department_id == department_id)
    elif post is not None:
        where += [HumanTask.candidate_org_unit_id == post[0], HumanTask.candidate_role == post[1]]
    held = _open(*where)
    for task in held:
        task.assignee_id, task.claimed_at = None, None
        record(now, "task.released", actor_id=actor.user_id, actor_label=actor.label,
               instance_id=task.instance_id, task_id=task.id,
               summary={"bpmn_id": task.bpmn_id, "reason": cause})
    db.session.flush()
    return len(held)


def rehome_if_unstaffed(department_id: int, *, cause: str, actor: Actor, now: datetime) -> int:
    """Move the department's open, unheld tasks to the coordinators when nobody can receive them."""
    department = db.session.get(Department, department_id)
    working = active_member_ids(department_id)
    if department is None or can_receive(department, now.astimezone(local_zone()).date(), working):
        return 0
    moved = 0
    for task in _open(HumanTask.candidate_department_id == department_id):
        if task.assignee_id in working:
            continue  # a member still on it finishes it (a rotated-out department's own work)
        center = center_of(task)
        if center is None:
            continue  # no coordinator anywhere above the case: nowhere better to put it
        move_to_center(task, center, "task.rehomed", f"{department.name}已无可接收任务的人员：{cause}",
                       actor=actor, now=now)
        moved += 1
    return moved


def after_staff_change(department_ids, *, user_id: int | None = None,
                       post: tuple[int, Role] | None = None, everywhere: bool = False, cause: str,
                       actor: Actor, now: datetime) -> int:
    """The one function every staff change calls: release what `user_id` held (in those
    departments, that post, or `everywhere`), then rehome what nobody can receive.
    Returns how many tasks moved to the coordinators."""
    ids = sorted(set(department_ids))
    if user_id is not None and everywhere:
        release_held(user_id, cause=cause, actor=actor, now=now)
    elif user_id is not None:
        if post is not None:
            release_held(user_id, post=post, cause=cause, actor=actor, now=now)
        for department_id in ids:
            release_held(user_id, department_id=department_id, cause=cause, actor=actor, now=now)
    return sum(rehome_if_unstaffed(d, cause=cause, actor=actor, now=now) for d in ids)
