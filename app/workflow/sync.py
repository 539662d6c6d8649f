"""Keep the SQL view of an instance (state, task rows, timers, subscriptions) in step with the engine.

Reconciled from the engine's own task list after every step, never patched by guesswork:
an interrupting boundary event, a multi-instance cancel or a gateway can remove tasks
we did not touch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm.util import identity_key

from app.audit.services import record
from app.clock import Clock
from app.errors import OneDoorError
from app.extensions import db
from app.org import lanes
from app.workflow import engine
from app.workflow.forms import FORM_SCHEMA_PROPERTY
from app.workflow.models import (
    HumanTask,
    InstanceStatus,
    MessageSubscription,
    ProcessInstance,
    TaskState,
    WarnPolicy,
)

DUE_PROPERTY = "dueAt"
DEPARTMENT_PROPERTY = "candidateDepartment"
LANE_PROPERTY = "candidateLane"
# A department code the task is about (e.g. the late department a 催促 task chases): its name
# goes into the task's title, so inboxes and the case file say whom it concerns.
ABOUT_PROPERTY = "aboutDepartment"

# Called after every step with (instance, current process data, clock). Other areas (the
# case record) register here, so app.workflow never imports them.
Listener = Callable[[ProcessInstance, dict[str, Any], Clock], None]
_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    """Call `listener` after every engine step of every instance (registering twice is a no-op)."""
    if listener not in _listeners:
        _listeners.append(listener)


def notify_listeners(instance: ProcessInstance, workflow: Any, clock: Clock) -> None:
    """Tell the registered listeners that `instance` moved; they run in the same unit of work."""
    if not _listeners:
        return
    data = engine.current_data(workflow)
    for listener in list(_listeners):
        listener(instance, data, clock)


# Where new task rows take their case facts (`HumanTask.set_case_facts`) from, given the business
# key, when no row of the same instance is at hand; and the warning-share policy new deadlines
# are set with (`HumanTask.set_due`). Registered by app.cases and app.supervision; unset: no
# case facts, the default share.
CaseFactsSource = Callable[[str], Mapping[str, Any] | None]
_sources: dict[str, Any] = {"case_facts": None, "warn_policy": None}


def set_case_facts_source(source: CaseFactsSource) -> None:
    """New task rows take their case facts from `source(business_key)`."""
    _sources["case_facts"] = source


def set_warn_policy(policy: WarnPolicy) -> None:
    """Deadlines are set with `policy(process_id, bpmn_id)`'s warning share."""
    _sources["warn_policy"] = policy


def warn_policy() -> WarnPolicy | None:
    """The registered warning-share policy, for `HumanTask.set_due` outside this module."""
    policy: WarnPolicy | None = _sources["warn_policy"]
    return policy


class Unassignable(OneDoorError):
    """A new task has nobody to go to; the whole step is refused."""

    code = "unassignable"
    http_status = 422


def sync_instance(instance: ProcessInstance, workflow: Any, now: datetime,
                  before: engine.Snapshot | None = None) -> None:
    """Write state, status, next timer, task rows and subscriptions for `instance`.

    `before` is the snapshot taken when the workflow was loaded (or an empty one for a new
    instance): the rows mirror it, so only the difference is written. Without it every open
    row and subscription of the instance is read and reconciled (migrations, repairs).
    """
    instance.state = engine.serialize(workflow)
    instance.updated_at = now
    if engine.is_completed(workflow):
        instance.status = InstanceStatus.COMPLETED
        instance.completed_at = now
        instance.next_timer_at = None
    else:
        instance.next_timer_at = engine.next_timer_due(workflow)
    ready = {task.id: task for task in engine.ready_user_tasks(workflow)}
    if before is None:
        _reconcile_tasks(instance, workflow, ready, now)
    else:
        _apply_task_changes(instance, workflow, ready, before.ready_task_ids, now)
    waiting = set() if instance.status != InstanceStatus.RUNNING else \
        engine.waiting_message_names(workflow)
    if before is None or waiting != before.message_names:
        _sync_subscriptions(instance, waiting)


def _reconcile_tasks(instance: ProcessInstance, workflow: Any, ready: dict[str, engine.ReadyTask],
                     now: datetime) -> None:
    open_rows = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY)).all()
    open_ids = set()
    for row in open_rows:
        open_ids.add(row.id)
        if row.id not in ready:
            _cancel_row(row, now, engine.ended_by_timer(workflow, row.id))
    facts = _CaseFacts(instance, open_rows)
    for task_id, task in ready.items():
        if task_id not in open_ids and db.session.get(HumanTask, task_id) is None:
            _create_task(instance, workflow, task, now, facts)


def _apply_task_changes(instance: ProcessInstance, workflow: Any, ready: dict[str, engine.ReadyTask],
                        before: frozenset[str], now: datetime) -> None:
    """Rows for tasks that became ready; cancel rows of tasks the step took away (a completed
    task's row is already marked by the caller, and is found in the session, not queried)."""
    gone = []
    for task_id in before - ready.keys():
        row = db.session.get(HumanTask, task_id)
        if row is not None:
            gone.append(row)
            if row.state == TaskState.READY:
                _cancel_row(row, now, engine.ended_by_timer(workflow, task_id))
    new = ready.keys() - before
    if new:
        loaded = [db.session.identity_map.get(identity_key(HumanTask, task_id)) for task_id in before]
        facts = _CaseFacts(instance, gone + [row for row in loaded if row is not None])
        for task_id in new:
            _create_task(instance, workflow, ready[task_id], now, facts)


class _CaseFacts:
    """The case facts of the rows one step creates: a loaded row of the same instance carries
    them (same business key, kept in step by app.cases.taskfacts), else the registered source
    answers once."""

    def __init__(self, instance: ProcessInstance, siblings: Sequence[HumanTask]):
        self._instance = instance
        self._siblings = siblings

    @cached_property
    def found(self) -> Mapping[str, Any] | None:
        for row in self._siblings:
            state = inspect(row)
            if not state.expired_attributes and row.business_key == self._instance.business_key:
                return row.case_facts()
        source = _sources["case_facts"]
        return source(self._instance.business_key) if source is not None else None


def _cancel_row(row: HumanTask, now: datetime, timed_out: bool = False) -> None:
    row.state = TaskState.CANCELLED
    row.completed_at = now
    row.timed_out = timed_out
    record(now, "task.cancelled", instance_id=row.instance_id, task_id=row.id,
           summary={"bpmn_id": row.bpmn_id})


def _create_task(instance: ProcessInstance, workflow: Any, task: engine.ReadyTask,
                 now: datetime, facts: _CaseFacts) -> None:
    department = _property_value(workflow, task, DEPARTMENT_PROPERTY)
    lane = _property_value(workflow, task, LANE_PROPERTY) or task.lane
    try:
        who = lanes.resolve(lane, instance.org_unit_id, department, at=now)
    except lanes.LaneError as exc:
        raise Unassignable(f"任务「{task.title}」无法分派: {exc}") from exc
    row = HumanTask(
        id=task.id, instance_id=instance.id, process_id=task.process_id,
        business_key=instance.business_key, bpmn_id=task.bpmn_id,
        title=_title(instance, workflow, task),
        lane=lane, candidate_department_id=who.department_id,
        candidate_org_unit_id=who.org_unit_id, candidate_role=who.role,
        state=TaskState.READY, created_at=now,
        form_key=task.properties.get(FORM_SCHEMA_PROPERTY))
    row.set_due(_due_at(workflow, task), warn_policy())
    row.set_case_facts(facts.found)
    db.session.add(row)
    record(now, "task.created", instance_id=instance.id, task_id=task.id,
           summary={"bpmn_id": task.bpmn_id, "lane": lane})


def _title(instance: ProcessInstance, workflow: Any, task: engine.ReadyTask) -> str:
    code = _property_value(workflow, task, ABOUT_PROPERTY)
    if not code or instance.org_unit_id is None:
        return task.title
    try:
        department = lanes.department_for(str(code), instance.org_unit_id)
    except lanes.LaneError:
        return task.title
    return f"{task.title}（{department.name}）"[:255]


def _property_value(workflow: Any, task: engine.ReadyTask, name: str) -> Any:
    expression = task.properties.get(name)
    if not expression:
        return None
    return engine.evaluate(workflow, task.id, expression)


def _due_at(workflow: Any, task: engine.ReadyTask) -> datetime | None:
    value = _property_value(workflow, task, DUE_PROPERTY)
    if value is None:
        return task.boundary_due
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise Unassignable(f"任务「{task.title}」的期限表达式没有给出带时区的时间")
    return moment


def _sync_subscriptions(instance: ProcessInstance, waiting: set[str]) -> None:
    rows = db.session.scalars(select(MessageSubscription).where(
        MessageSubscription.instance_id == instance.id)).all()
    for row in rows:
        if row.message_name not in waiting:
            db.session.delete(row)
    for name in waiting - {row.message_name for row in rows}:
        db.session.add(MessageSubscription(instance_id=instance.id, message_name=name,
                                           correlation_key=instance.business_key))


def reopen_task(row: HumanTask, workflow: Any, now: datetime) -> None:
    """Open a completed task's row again after the engine made its task ready anew (退回上一步):
    offered to the same department or post as before, unclaimed, with its deadline re-read."""
    task = next(t for t in engine.ready_user_tasks(workflow) if t.id == row.id)
    row.state = TaskState.READY
    row.completed_at, row.completed_by_id = None, None
    row.assignee_id, row.claimed_at, row.draft = None, None, None
    row.timed_out = False
    row.created_at = now
    row.set_due(_due_at(workflow, task), warn_policy())
