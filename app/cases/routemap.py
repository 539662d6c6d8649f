"""路线图: which procedure a case is in and every step it has passed, with who, when and how long."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.cases.labels import ROUTES, label
from app.cases.models import Case
from app.extensions import db
from app.inbox.deadlines import deadline_state, time_left_words
from app.org.models import ROLE_LABELS, Department, OrgUnit, User
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from app.workflow.queries import process_names


@dataclass
class Step:
    """One user task the case has gone through (or is at)."""

    title: str
    procedure: str
    who: str
    done_by: str
    started: datetime
    finished: datetime | None
    took: str
    due_at: datetime | None
    state: str          # done | active | warning | overdue | cancelled
    time_left: str
    process_id: str
    bpmn_id: str
    lane: str | None
    task_state: str     # the task row's state: ready | completed | cancelled
    minutes: int        # taken so far (or in all)
    overdue: bool       # finished, or still open, past its due time (cancelled steps never are)


@dataclass
class RouteMap:
    """The current procedure and the steps, oldest first."""

    route: str
    procedure: str
    current: list[Step]
    steps: list[Step]


def duration_words(delta: timedelta) -> str:
    """'2 天 3 小时', '45 分钟'."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时"
    return f"{hours} 小时 {minutes} 分钟" if hours else f"{minutes} 分钟"


def _labels(tasks: list[HumanTask]) -> dict[str, dict[int | None, str]]:
    departments = {t.candidate_department_id for t in tasks} - {None}
    units = {t.candidate_org_unit_id for t in tasks} - {None}
    users = {t.assignee_id for t in tasks} | {t.completed_by_id for t in tasks}
    return {
        "dept": {d.id: d.org_unit.name + d.name for d in
                 db.session.scalars(select(Department).where(Department.id.in_(departments)))},
        "unit": {u.id: u.name for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(units)))},
        "user": {u.id: u.display_name for u in
                 db.session.scalars(select(User).where(User.id.in_(users - {None})))},
    }


def _who(task: HumanTask, labels: dict[str, dict[int | None, str]]) -> str:
    if task.candidate_department_id:
        return labels["dept"].get(task.candidate_department_id, "")
    return labels["unit"].get(task.candidate_org_unit_id, "") + \
        (f" · {ROLE_LABELS[task.candidate_role]}" if task.candidate_role else "")


def task_places(tasks: list[HumanTask]) -> dict[str, str]:
    """Task id → the department or post it was offered to ('甘州区人社局', '梁家墩镇 · 调解员')."""
    labels = _labels(tasks)
    return {task.id: _who(task, labels) for task in tasks}


def _step(task: HumanTask, names: dict[str, str], labels: dict[str, dict[int | None, str]],
          now: datetime) -> Step:
    who = _who(task, labels)
    done_by = labels["user"].get(task.completed_by_id or task.assignee_id, "")
    end = task.completed_at or now
    if task.state == TaskState.READY:
        deadline = deadline_state(task.created_at, task.due_at, now, warn_at=task.warn_at)
        state = deadline.value if deadline and deadline.value != "normal" else "active"
    else:
        state = "done" if task.state == TaskState.COMPLETED else "cancelled"
    return Step(task.title, names.get(task.process_id, task.process_id), who, done_by,
                task.created_at, task.completed_at, duration_words(end - task.created_at),
                task.due_at, state,
                time_left_words(task.due_at, now) if task.state == TaskState.READY else "",
                task.process_id, task.bpmn_id, task.lane, task.state.value,
                int((end - task.created_at).total_seconds() // 60),
                task.due_at is not None and end > task.due_at and task.state != TaskState.CANCELLED)


def route_map(case: Case, now: datetime) -> RouteMap:
    """The route map of `case` from its task rows (no workflow is loaded): the one route map
    of the case page and the API's case detail."""
    tasks = list(db.session.scalars(select(HumanTask).where(HumanTask.business_key == case.code)
                                    .order_by(HumanTask.created_at, HumanTask.id)))
    names: dict[str, str] = {}
    for instance in db.session.scalars(select(ProcessInstance).where(
            ProcessInstance.business_key == case.code)):
        names.update(process_names(instance))
    labels = _labels(tasks)
    steps = sorted((_step(t, names, labels, now) for t in tasks),
                   key=lambda s: (s.started, s.finished is None, s.finished or s.started))
    current = [s for s in steps if s.state in ("active", "warning", "overdue")]
    procedure = current[0].procedure if current else ("已办结" if case.closed_at else "")
    return RouteMap(label(ROUTES, case.route), procedure, current, steps)


def department_name(code: str | None) -> str:
    """The name of a stationed department from its code ('hrss' → '人社局'); '' when unknown."""
    if not code:
        return ""
    return db.session.scalar(select(Department.name).where(Department.code == code)
                             .order_by(Department.id).limit(1)) or ""
