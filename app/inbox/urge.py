"""催办 / 督办 started by hand from the overdue list (逾期台账), not only by the deadline sweep.

A supervisor (or center coordinator) over the case's area picks an overdue open task and writes a
requirement: 催办 sends a notice to the holder and the department; 督办 starts the existing
supervision_order process with the requirement already in its 签发督办单 form (as its draft).
One notice per task and kind, shared with the sweep: the sweep then does not repeat it.
"""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.clock import Clock
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.inbox.actions import coordinates
from app.org.services import Actor
from app.supervision import orders
from app.supervision.models import DeadlineNotice, NoticeKind, OrderStatus
from app.supervision.policies import overdue_working_days
from app.workflow.assignment import supervises
from app.workflow.models import HumanTask, ProcessInstance, TaskState

KINDS = {"chase": NoticeKind.CHASE, "supervise": NoticeKind.SUPERVISION}
KIND_LABELS = {"chase": "催办", "supervise": "督办"}
MIN_REQUIREMENT = 5
ISSUE_STEP = "issue_order"


def may_urge(actor: Actor, task: HumanTask) -> bool:
    """Supervisors and center coordinators over the case's area."""
    return supervises(actor, task) or coordinates(actor, task)


def urgings_of(task_id: str) -> list[DeadlineNotice]:
    """The task's 催办 and 督办 (by hand, with the requirement, or by the sweep), oldest first:
    the task page shows them to the department that must act."""
    return list(db.session.scalars(select(DeadlineNotice).where(
        DeadlineNotice.task_id == task_id, DeadlineNotice.kind.in_(list(KINDS.values())))
        .order_by(DeadlineNotice.created_at, DeadlineNotice.id)))


def done_kinds(task_id: str) -> set[str]:
    """Which of 催办 / 督办 the task already had (by hand or by the sweep)."""
    have = set(db.session.scalars(select(DeadlineNotice.kind).where(DeadlineNotice.task_id == task_id)))
    return {key for key, kind in KINDS.items() if kind in have}


def _checked(task_id: str, kind: str, requirement: str, actor: Actor, clock: Clock):
    task = db.session.get(HumanTask, task_id, with_for_update=True)
    if task is None:
        raise NotFound("任务不存在")
    if not may_urge(actor, task):
        raise Forbidden("只有本案所在地区的督办人员或综治中心调度人员可以催办、督办")
    if task.state != TaskState.READY or task.due_at is None or task.due_at >= clock.now():
        raise Conflict("该任务未逾期或已办结，无需催办、督办")
    errors = {}
    if kind not in KINDS:
        errors["kind"] = ["请选择催办或督办"]
    elif kind in done_kinds(task.id):
        errors["kind"] = [f"该任务已{KIND_LABELS[kind]}过"]
    text = (requirement or "").strip()
    if len(text) < MIN_REQUIREMENT:
        what = KIND_LABELS.get(kind, "催办、督办")
        errors["requirement"] = [f"请填写{what}要求（至少 {MIN_REQUIREMENT} 个字）"]
    if errors:
        raise ValidationFailed("请检查催办、督办内容", errors)
    return task, text[:2000]


def urge(task_id: str, kind: str, requirement: str, *, actor: Actor, clock: Clock) -> DeadlineNotice:
    """Start 催办 (kind "chase") or 督办 (kind "supervise") of an overdue task, with a requirement."""
    task, text = _checked(task_id, kind, requirement, actor, clock)
    now = clock.now()
    unit = db.session.scalar(select(ProcessInstance.org_unit_id)
                             .where(ProcessInstance.id == task.instance_id))
    days = overdue_working_days(task.due_at, now)
    notice = DeadlineNotice(
        task_id=task.id, kind=KINDS[kind], created_at=now, business_key=task.business_key,
        title=task.title, due_at=task.due_at, overdue_working_days=days, org_unit_id=unit,
        candidate_department_id=task.candidate_department_id,
        candidate_org_unit_id=task.candidate_org_unit_id, candidate_role=task.candidate_role,
        assignee_id=task.assignee_id, note=text)
    try:
        with db.session.begin_nested():
            db.session.add(notice)
            db.session.flush()
    except IntegrityError:  # the sweep wrote it a moment ago
        raise ValidationFailed("请勿重复操作", {"kind": [f"该任务已{KIND_LABELS[kind]}过"]}) from None
    if kind == "supervise":
        _open_order(task, unit, days, text, clock)
    record(now, "task.chased" if kind == "chase" else "task.supervised", actor_id=actor.user_id,
           actor_label=actor.label, instance_id=task.instance_id, task_id=task.id,
           summary={"bpmn_id": task.bpmn_id, "requirement": text, "overdue_working_days": days})
    db.session.flush()
    return notice


def _open_order(task: HumanTask, unit: int | None, days: int, text: str, clock: Clock) -> None:
    """The supervision order, its 签发 form already holding the supervisor's requirement."""
    order = orders.open_order(task, unit, days, clock)
    if order.status == OrderStatus.FAILED:
        raise ValidationFailed("督办单未能发起", {"kind": ["督办单未能发起，请联系系统管理员"]})
    issue = db.session.scalar(select(HumanTask).where(
        HumanTask.instance_id == order.instance_id, HumanTask.bpmn_id == ISSUE_STEP,
        HumanTask.state == TaskState.READY))
    if issue is not None:
        issue.draft = {"supervision_requirement": text}
