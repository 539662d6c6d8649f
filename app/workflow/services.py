"""Operations on process instances and their tasks.

Each public function is one unit of work: it writes the instance state, the task
rows and the audit events through the session and flushes; the caller commits once
(`app.unit_of_work.run_unit`). Services never commit.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Select, Table, Update, bindparam, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.audit.services import record
from app.clock import Clock
from app.errors import Conflict, Forbidden, NotFound, ProcessFault, ValidationFailed
from app.extensions import db
from app.org.services import Actor, can_work
from app.unit_of_work import rows_changed
from app.workflow import engine, registry
from app.workflow.forms import local_day, validate_submission
from app.workflow.limits import ScriptLimitExceeded
from app.workflow.models import (
    Deployment,
    HumanTask,
    InstanceStatus,
    MessageSubscription,
    ProcessInstance,
    TaskState,
)
from app.workflow.sync import notify_listeners, sync_instance


@dataclass
class _Loaded:
    instance: ProcessInstance
    deployment: registry.LoadedDeployment
    workflow: Any
    before: engine.Snapshot


def latest_deployment(process_id: str) -> Deployment:
    """The newest deployment of a process."""
    deployment = db.session.scalar(
        select(Deployment).where(Deployment.process_id == process_id)
        .order_by(Deployment.version.desc()).limit(1))
    if deployment is None:
        raise NotFound(f"流程「{process_id}」尚未部署")
    return deployment


def start_instance(process_id: str, *, business_key: str, org_unit_id: int | None,
                   data: Mapping[str, Any], clock: Clock, actor: Actor | None = None,
                   deployment_id: int | None = None) -> ProcessInstance:
    """Start a process on its newest (or a given) deployment and run it to its first wait."""
    return start_instance_with_open_tasks(
        process_id, business_key=business_key, org_unit_id=org_unit_id, data=data, clock=clock,
        actor=actor, deployment_id=deployment_id)[0]


def start_instance_with_open_tasks(
        process_id: str, *, business_key: str, org_unit_id: int | None, data: Mapping[str, Any],
        clock: Clock, actor: Actor | None = None,
        deployment_id: int | None = None) -> tuple[ProcessInstance, list[str]]:
    """`start_instance`, and the ids of the tasks open once it waits (their rows were just
    written from the same engine state, so no query is needed), sorted."""
    deployment = (db.session.get(Deployment, deployment_id) if deployment_id
                  else latest_deployment(process_id))
    if deployment is None or deployment.process_id != process_id:
        raise NotFound("指定的流程版本不存在")
    loaded = registry.load(deployment.id, deployment.process_id)
    now = clock.now()
    seed = {**data, "business_key": business_key, "org_unit_id": org_unit_id}
    instance = ProcessInstance(
        id=str(uuid.uuid4()), deployment_id=deployment.id, process_id=process_id,
        business_key=business_key, org_unit_id=org_unit_id, status=InstanceStatus.RUNNING,
        state="", created_at=now, updated_at=now,
        started_by_id=actor.user_id if actor else None)
    db.session.add(instance)
    with engine.engine_time(clock), registry.bound(loaded), \
            diagram_faults(now, None, {"process_id": process_id, "version": deployment.version}):
        workflow = engine.new_workflow(loaded.specs, seed, registry.script_engine())
        engine.run_engine(workflow)
        sync_instance(instance, workflow, now, engine.Snapshot())
        notify_listeners(instance, workflow, clock)
    _audit(now, "instance.started", actor, instance.id,
           {"process_id": process_id, "version": deployment.version})
    db.session.flush()
    return instance, sorted(task.id for task in engine.ready_user_tasks(workflow))


def deployed_form(process_id: str, name: str, deployment: Deployment | None = None) -> dict[str, Any]:
    """A form schema deployed with the newest (or the given) version of a process."""
    deployment = deployment or latest_deployment(process_id)
    schema = registry.load(deployment.id, process_id).forms.get(name)
    if schema is None:
        raise NotFound(f"表单「{name}」不在流程「{process_id}」中")
    return schema


def load_instance(instance_id: str) -> _Loaded:
    """The instance, its deployment and its workflow, loaded, with a snapshot of what its rows say."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在")
    return _load(instance)


def _load(instance: ProcessInstance) -> _Loaded:
    loaded = registry.load(instance.deployment_id, instance.process_id)
    workflow = engine.deserialize(loaded.specs, instance.state, registry.script_engine())
    return _Loaded(instance, loaded, workflow, engine.snapshot(workflow))


def instance_data(instance_id: str) -> dict[str, Any]:
    """The instance's process data as it stands now (read-only)."""
    return engine.current_data(load_instance(instance_id).workflow)


def _open_task(task_id: str) -> HumanTask:
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("任务不存在")
    if task.state != TaskState.READY:
        raise Conflict("该任务已办结或已取消")
    return task


def _check_candidate(task: HumanTask, actor: Actor) -> None:
    if not can_work(actor, task.candidate_department_id, task.candidate_org_unit_id,
                    task.candidate_role):
        raise Forbidden("您无权办理该任务")


def claim_task(task_id: str, *, actor: Actor, clock: Clock) -> HumanTask:
    """Claim an open task for the actor; only one person can hold it."""
    task = _open_task(task_id)
    _check_candidate(task, actor)
    if task.assignee_id == actor.user_id:
        return task
    now = clock.now()
    # A conditional UPDATE, so two people claiming at once cannot both win.
    claimed = rows_changed(
        update(HumanTask)
        .where(HumanTask.id == task_id, HumanTask.assignee_id.is_(None),
               HumanTask.state == TaskState.READY)
        .values(assignee_id=actor.user_id, claimed_at=now)
        .execution_options(synchronize_session=False))
    if claimed != 1:
        raise Conflict("该任务已被他人认领")
    # The row now says what we wrote; tell the session without reading it back.
    set_committed_value(task, "assignee_id", actor.user_id)
    set_committed_value(task, "claimed_at", now)
    _audit(now, "task.claimed", actor, task.instance_id, {"bpmn_id": task.bpmn_id}, task_id=task.id)
    return task


def release_task(task_id: str, *, actor: Actor, clock: Clock) -> HumanTask:
    """Give a claimed task back to its candidates."""
    task = _open_task(task_id)
    if task.assignee_id != actor.user_id:
        raise Forbidden("只有认领人可以退回该任务")
    task.assignee_id = None
    task.claimed_at = None
    _audit(clock.now(), "task.released", actor, task.instance_id, {"bpmn_id": task.bpmn_id},
           task_id=task.id)
    db.session.flush()
    return task


# Called with (task, the deployment's forms, validated values, now) before a task completes;
# a check raises ValidationFailed to refuse the submission. Other areas register here.
SubmissionCheck = Callable[[HumanTask, Mapping[str, Any], dict[str, Any], datetime], None]
_submission_checks: list[SubmissionCheck] = []


def add_submission_check(check: SubmissionCheck) -> None:
    """Run `check` on every task submission, after the form's own validation."""
    if check not in _submission_checks:
        _submission_checks.append(check)


def complete_task(task_id: str, data: Mapping[str, Any], *, actor: Actor,
                  clock: Clock, claim: bool = False) -> HumanTask:
    """Validate the form data, complete the task and run the engine to its next wait.

    With `claim`, an unclaimed task is claimed first in the same unit of work (one call for
    a client); a task someone else holds is still refused.

    On the SQL side: the task and its instance are read together (one SELECT, unless the
    caller already holds both, as `visible_task(..., with_instance=True)` does), the task row
    is written by one conditional UPDATE (which also claims it with `claim`, so two people
    completing at once cannot both win), then the flush writes the instance (version-checked),
    the new task rows and the audit events.
    """
    task = _open_task_with_instance(task_id)
    _check_candidate(task, actor)
    claiming = claim and task.assignee_id is None
    if task.assignee_id != actor.user_id and not claiming:
        raise Conflict("该任务已被他人认领" if claim else "请先认领该任务再办理")
    loaded = _load(task.instance)
    if not engine.is_ready_user_task(loaded.workflow, task_id):
        raise Conflict("该任务已不在可办理状态")
    now = clock.now()
    values = _validated(loaded.deployment, task.form_key, data, local_day(now))
    for check in _submission_checks:  # rules outside the form's schema (e.g. staffed departments)
        check(task, loaded.deployment.forms, values, now)
    with engine.engine_time(clock), registry.bound(loaded.deployment), \
            diagram_faults(now, loaded.instance.id, {"bpmn_id": task.bpmn_id}):
        engine.complete_user_task(loaded.workflow, task_id, values)
        # After the engine step (nothing is locked while it runs): two people completing the
        # same task at once both get here; the second waits on the row, then finds it done.
        _write_completion(task, actor, now, claiming)
        sync_instance(loaded.instance, loaded.workflow, now, loaded.before)
        notify_listeners(loaded.instance, loaded.workflow, clock)
    _audit(now, "task.completed", actor, loaded.instance.id,
           {"bpmn_id": task.bpmn_id, "fields": sorted(values), "values": values}, task_id=task.id)
    db.session.flush()
    return task


def _open_task_with_instance(task_id: str) -> HumanTask:
    """The open task with its instance loaded (one SELECT with a join; none when both are
    already in the session)."""
    held = db.session.identity_map
    task = held.get(identity_key(HumanTask, task_id))
    if task is None or held.get(identity_key(ProcessInstance, task.instance_id)) is None:
        task = db.session.scalar(_task_with_instance(), {"p_task": task_id})
    if task is None:
        raise NotFound("任务不存在")
    if task.state != TaskState.READY:
        raise Conflict("该任务已办结或已取消")
    return task


@functools.cache
def _completion_statement(claiming: bool) -> Update:
    """The completion's UPDATE, built once per kind: Core over human_task (the unit of work
    would only add a flush and a read-back), ready rows held by the actor (or unclaimed)."""
    table = cast(Table, HumanTask.__table__)
    rows = table.c
    held = rows.assignee_id.is_(None) if claiming else rows.assignee_id == bindparam("p_actor")
    values: dict[str, Any] = {"state": TaskState.COMPLETED, "completed_at": bindparam("p_now"),
                              "completed_by_id": bindparam("p_actor")}
    if claiming:
        values.update(assignee_id=bindparam("p_actor"), claimed_at=bindparam("p_now"))
    return update(table).where(
        rows.id == bindparam("p_task"), rows.state == TaskState.READY, held).values(**values)


@functools.cache
def _task_with_instance() -> Select[HumanTask]:
    return (select(HumanTask).where(HumanTask.id == bindparam("p_task"))
            .options(joinedload(HumanTask.instance, innerjoin=True)))


def _write_completion(task: HumanTask, actor: Actor, now: datetime, claiming: bool) -> None:
    """Mark the task row completed (and claimed, with `claiming`) by one conditional UPDATE:
    refused when someone else completed or claimed it meanwhile."""
    values: dict[str, Any] = {"state": TaskState.COMPLETED, "completed_at": now,
                              "completed_by_id": actor.user_id}
    if claiming:
        values.update(assignee_id=actor.user_id, claimed_at=now)
    written = rows_changed(_completion_statement(claiming),
                           {"p_task": task.id, "p_actor": actor.user_id, "p_now": now})
    if written != 1:
        raise Conflict("该任务已被他人认领" if claiming else "该任务已办结或已取消")
    for name, value in values.items():  # the row says what we wrote; no read back, no second write
        set_committed_value(task, name, value)
    if claiming:
        _audit(now, "task.claimed", actor, task.instance_id, {"bpmn_id": task.bpmn_id}, task_id=task.id)


def _validated(deployment: registry.LoadedDeployment, form_key: str | None,
               data: Mapping[str, Any], today: date) -> dict[str, Any]:
    if form_key is None:
        if data:
            unknown = {key: ["该任务没有表单，不接受提交字段"] for key in data}
            raise ValidationFailed("该任务不需要填写表单", unknown)
        return {}
    schema = deployment.forms.get(form_key)
    if schema is None:
        raise NotFound(f"表单「{form_key}」不在该流程版本中")
    return validate_submission(schema, data, today=today, validator=deployment.validator(form_key, today))


def fire_timers(instance_id: str, *, clock: Clock, claimed: bool = False, flush: bool = True) -> bool:
    """Fire the instance's due timers if any; False when there was nothing due.

    The row is locked (SKIP LOCKED on PostgreSQL) so concurrent workers never fire
    the same instance twice; the version check backs that up everywhere. `claimed` says
    the caller already holds that lock on a due, running instance (the worker's batch claim);
    `flush=False` leaves the writes to the caller's flush, so a batch sends them together.
    """
    now = clock.now()
    if not claimed:
        locked = db.session.scalar(
            select(ProcessInstance)
            .where(ProcessInstance.id == instance_id, ProcessInstance.next_timer_at <= now,
                   ProcessInstance.status == InstanceStatus.RUNNING)
            .with_for_update(skip_locked=True))
        if locked is None:
            return False
    loaded = load_instance(instance_id)
    with engine.engine_time(clock), registry.bound(loaded.deployment):
        engine.fire_timers(loaded.workflow)
        sync_instance(loaded.instance, loaded.workflow, now, loaded.before)
        notify_listeners(loaded.instance, loaded.workflow, clock)
    _audit(now, "timers.fired", None, loaded.instance.id, {})
    if flush:
        db.session.flush()
    return True


def move_task_due(task_id: str, due: datetime, *, clock: Clock) -> int:
    """Move a ready task's boundary timers to `due` and re-index the instance's next timer."""
    task = _open_task(task_id)
    db.session.get(ProcessInstance, task.instance_id, with_for_update=True)
    loaded = load_instance(task.instance_id)
    with engine.engine_time(clock), registry.bound(loaded.deployment):
        moved = engine.move_boundary_timers(loaded.workflow, task_id, due)
        sync_instance(loaded.instance, loaded.workflow, clock.now(), loaded.before)
    db.session.flush()
    return moved


def due_timer_instances(now_clock: Clock, limit: int) -> list[str]:
    """Ids of running instances whose next timer is due, earliest first (indexed)."""
    return list(db.session.scalars(
        select(ProcessInstance.id)
        .where(ProcessInstance.next_timer_at <= now_clock.now(),
               ProcessInstance.status == InstanceStatus.RUNNING)
        .order_by(ProcessInstance.next_timer_at).limit(limit)))


def deliver_message(name: str, correlation_key: str, payload: Mapping[str, Any], *,
                    clock: Clock, actor: Actor | None = None) -> list[str]:
    """Deliver a message to every instance waiting for it under `correlation_key`."""
    ids = list(db.session.scalars(
        select(MessageSubscription.instance_id).where(
            MessageSubscription.message_name == name,
            MessageSubscription.correlation_key == correlation_key)))
    if not ids:
        raise NotFound(f"没有等待消息「{name}」的案件 {correlation_key}")
    now = clock.now()
    for instance_id in ids:
        loaded = load_instance(instance_id)
        with engine.engine_time(clock), registry.bound(loaded.deployment), \
                diagram_faults(now, instance_id, {"message": name}):
            # Due timers first: otherwise an event-based gateway could run both branches.
            engine.fire_timers(loaded.workflow)
            if name in engine.waiting_message_names(loaded.workflow):
                engine.send_message(loaded.workflow, name, payload)
            sync_instance(loaded.instance, loaded.workflow, now, loaded.before)
            notify_listeners(loaded.instance, loaded.workflow, clock)
        _audit(now, "message.delivered", actor, loaded.instance.id,
               {"message": name, "fields": sorted(payload)})
    db.session.flush()
    return ids


def cancel_instance(instance_id: str, *, clock: Clock, actor: Actor | None = None,
                    reason: str = "") -> ProcessInstance:
    """Stop a running instance (e.g. a case merged into another): its open tasks are cancelled
    and no timer or message wakes it again. The engine state is kept as it was."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在")
    if instance.status != InstanceStatus.RUNNING:
        return instance
    now = clock.now()
    instance.status = InstanceStatus.CANCELLED
    instance.completed_at = now
    instance.next_timer_at = None
    for task in db.session.scalars(select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.state == TaskState.READY)):
        task.state = TaskState.CANCELLED
        task.completed_at = now
    for subscription in db.session.scalars(select(MessageSubscription).where(
            MessageSubscription.instance_id == instance_id)):
        db.session.delete(subscription)
    _audit(now, "instance.cancelled", actor, instance.id, {"reason": reason})
    db.session.flush()
    return instance


@contextlib.contextmanager
def diagram_faults(now: datetime, instance_id: str | None, summary: dict[str, Any]) -> Iterator[None]:
    """A diagram script past its bounds during a person's step: a 409 naming the fault, not a 500."""
    try:
        yield
    except ScriptLimitExceeded as exc:
        raise ProcessFault(f"流程无法继续：{exc}。请联系流程设计人员。", at=now,
                           instance_id=instance_id, summary={**summary, "limit": type(exc).__name__}) from exc


def _audit(now: datetime, action: str, actor: Actor | None, instance_id: str,
           summary: dict[str, Any], *, task_id: str | None = None) -> None:
    kwargs: dict[str, Any] = {"instance_id": instance_id, "task_id": task_id, "summary": summary}
    if actor is not None:
        kwargs.update(actor_id=actor.user_id, actor_label=actor.label)
    record(now, action, **kwargs)
