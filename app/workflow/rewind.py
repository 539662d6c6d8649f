"""退回上一步: the engine goes back to the user task before this one, which opens again.

SpiffWorkflow resets the branch from that earlier task (`reset_from_task_id`): the tasks after
it leave the tree, its data is what it was given, and it becomes ready with the same id — so
its own row is opened again instead of a new one being made.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState as SpiffState
from sqlalchemy import select

from app.clock import Clock
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.workflow import engine, registry
from app.workflow.models import HumanTask, TaskState
from app.workflow.services import diagram_faults, load_instance
from app.workflow.sync import notify_listeners, reopen_task, sync_instance

NOWHERE = {"reason": ["该任务之前没有可退回的办理环节"]}


def previous_user_task(workflow: Any, task_id: str) -> str | None:
    """The id of the nearest completed user task the given task descends from (across a
    subprocess boundary), or None."""
    node = workflow.get_task_from_id(UUID(task_id)).parent
    while node is not None:
        if node.task_spec.manual and node.state == SpiffState.COMPLETED:
            return str(node.id)
        parent_id = node.workflow.parent_task_id if node.parent is None else None
        node = workflow.get_task_from_id(parent_id) if parent_id else node.parent
    return None


def reset_to(workflow: Any, task_id: str) -> None:
    """Reset the branch from `task_id`. The library leaves the removed tasks' waiting timers in
    its event manager (their parent gone, the next timer refresh fails): drop those too."""
    workflow.reset_from_task_id(UUID(task_id))
    manager = workflow.event_manager
    for waiting_id, waiting in list(manager.tasks.items()):
        if waiting.workflow.tasks.get(waiting_id) is not waiting:
            manager.remove_task(waiting)


def previous_step(task: HumanTask) -> HumanTask | None:
    """The completed row the task would go back to, for the page (no engine load): the last
    step of the same instance completed before this task was made."""
    return db.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == task.instance_id,
                                   HumanTask.state == TaskState.COMPLETED,
                                   HumanTask.completed_at <= task.created_at)
        .order_by(HumanTask.completed_at.desc()).limit(1)).first()


def back_to_previous(task: HumanTask, *, clock: Clock) -> HumanTask:
    """Reset the workflow to the step before `task` (locked by the caller); return that step's
    row, open again. `task` and whatever else ran after that step are cancelled by the sync."""
    loaded = load_instance(task.instance_id)
    if not engine.is_ready_user_task(loaded.workflow, task.id):
        raise Conflict("该任务已不在可办理状态")
    previous_id = previous_user_task(loaded.workflow, task.id)
    row = db.session.get(HumanTask, previous_id) if previous_id else None
    if previous_id is None or row is None or row.state != TaskState.COMPLETED:
        raise ValidationFailed("该任务无法退回上一步", NOWHERE)
    now = clock.now()
    with engine.engine_time(clock), registry.bound(loaded.deployment), \
            diagram_faults(now, loaded.instance.id, {"bpmn_id": task.bpmn_id}):
        reset_to(loaded.workflow, previous_id)
        engine.run_engine(loaded.workflow)
        if not engine.is_ready_user_task(loaded.workflow, previous_id):
            raise Conflict("上一步无法重新打开，请退回综治中心")
        reopen_task(row, loaded.workflow, now)
        before = engine.Snapshot(loaded.before.ready_task_ids | {previous_id},
                                 loaded.before.message_names)
        sync_instance(loaded.instance, loaded.workflow, now, before)
        notify_listeners(loaded.instance, loaded.workflow, clock)
    db.session.flush()
    return row
