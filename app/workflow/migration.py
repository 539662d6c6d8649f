"""Move a running instance to another deployment of its process (SpiffWorkflow's diff/migrate).

SpiffWorkflow aligns the old and new task specs by BPMN id. We refuse a move when the
history no longer fits the new version: a finished or started step that was removed or
changed (a changed list of outgoing flows alone is harmless), or a current step that was
removed. Current steps that changed are reset and re-predicted on the new version; timers
whose definition did not change keep the due time they were armed with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from app.clock import Clock, FrozenClock
from app.errors import Conflict
from app.extensions import db
from app.org import lanes
from app.workflow import engine, registry
from app.workflow.forms import FORM_SCHEMA_PROPERTY
from app.workflow.models import Deployment, HumanTask, InstanceStatus, ProcessInstance
from app.workflow.models import TaskState as Row
from app.workflow.sync import DUE_PROPERTY, notify_listeners, sync_instance, warn_policy

_REGISTRY = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
# Attributes that change whenever a flow is added next to a step; the path already taken stays valid.
_STRUCTURAL = frozenset({"inputs", "outputs"})
_HISTORY = TaskState.COMPLETED | TaskState.STARTED | TaskState.ERROR
_CURRENT = TaskState.READY | TaskState.WAITING


class MigrationRefused(Conflict):
    """The instance cannot move to the chosen version; `reasons` say why."""

    code = "migration_refused"

    def __init__(self, reasons: list[str]):
        super().__init__("该实例不能迁移：" + "；".join(reasons))
        self.reasons = reasons


@dataclass
class MigrationPlan:
    """What moving one instance would do."""

    movable: bool
    reasons: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)


def _label(task: SpiffTask) -> str:
    spec = task.task_spec
    if spec.bpmn_id is None:  # an engine-internal spec, e.g. "<id>.BoundaryEventSplit"
        return f"{spec.name.split('.')[0]}（边界事件结构）"
    return str(spec.bpmn_name or spec.bpmn_id)


def _diff_reasons(diff: WorkflowDiff, specs_of: str) -> tuple[list[str], list[str]]:
    """(reasons to refuse, current steps that will be reset) for one (sub)workflow's diff."""
    reasons: list[str] = []
    reset: list[str] = []
    for task in diff.removed:
        if task.has_state(_HISTORY):
            reasons.append(f"{specs_of}已办环节「{_label(task)}」在新版本中被删除")
        elif task.has_state(_CURRENT):
            reasons.append(f"{specs_of}当前环节「{_label(task)}」在新版本中被删除")
    for task in diff.changed:
        if task in diff.removed:
            continue
        changes = set(diff_changes(diff, task)) - _STRUCTURAL
        if task.has_state(_HISTORY) and changes:
            reasons.append(f"{specs_of}已办环节「{_label(task)}」在新版本中有改动（{'、'.join(sorted(changes))}）")
        elif task.has_state(_CURRENT) and changes:
            reset.append(_label(task))
    return reasons, reset


def diff_changes(diff: WorkflowDiff, task: SpiffTask) -> list[str]:
    """The changed spec attributes of `task` recorded by the workflow diff."""
    return list(diff.spec_changes.get(task.task_spec, []))


def plan(workflow: BpmnWorkflow, new: engine.LoadedSpecs) -> MigrationPlan:
    """Whether `workflow` can move to the `new` specs, and why not."""
    if workflow.spec.name != new.spec.name:
        return MigrationPlan(False, ["新版本不是同一个流程"])
    reasons: list[str] = []
    reset: list[str] = []
    top, subs = _diff_with_changes(workflow, new)
    found, resets = _diff_reasons(top, "")
    reasons += found
    reset += resets
    for sp_id, sub_diff in subs.items():
        sub = workflow.subprocesses[sp_id]
        if sub_diff is None:
            if not sub.completed:
                reasons.append(f"子流程「{sub.spec.name}」在新版本中不存在")
            continue
        found, resets = _diff_reasons(sub_diff, f"子流程「{sub.spec.description or sub.spec.name}」的")
        reasons += found
        reset += resets
    return MigrationPlan(not reasons, reasons, reset)


def _diff_with_changes(workflow: BpmnWorkflow, new: engine.LoadedSpecs,
                       ) -> tuple[WorkflowDiff, dict[Any, WorkflowDiff | None]]:
    """SpiffWorkflow's diff_workflow, also keeping each spec diff's changed attributes."""
    def one(wf: BpmnWorkflow, new_spec: Any) -> WorkflowDiff:
        spec_diff = SpecDiff(_REGISTRY, wf.spec, new_spec)
        wf_diff = WorkflowDiff(wf, spec_diff)
        wf_diff.spec_changes = spec_diff.changed
        return wf_diff

    top = one(workflow, new.spec)
    subs = {sp_id: (one(sp, new.subprocess_specs[sp.spec.name])
                    if sp.spec.name in new.subprocess_specs else None)
            for sp_id, sp in workflow.subprocesses.items()}
    return top, subs


def _armed_timers(workflow: BpmnWorkflow, diff_by_workflow: dict[int, WorkflowDiff]) -> dict[Any, Any]:
    """Task id → armed due value of waiting timers whose definition did not change."""
    kept = {}
    for task in workflow.get_tasks(state=TaskState.WAITING):
        value = task.internal_data.get("event_value")
        wf_diff = diff_by_workflow.get(id(task.workflow))
        if value is None or wf_diff is None or wf_diff.spec_changes.get(task.task_spec):
            continue
        kept[task.id] = value
    return kept


def migrate(workflow: BpmnWorkflow, new: engine.LoadedSpecs) -> None:
    """Move `workflow` onto `new` in memory, or raise MigrationRefused."""
    result = plan(workflow, new)
    if not result.movable:
        raise MigrationRefused(result.reasons)
    top, subs = _diff_with_changes(workflow, new)
    by_workflow = {id(workflow): top}
    by_workflow.update({id(workflow.subprocesses[k]): v for k, v in subs.items() if v is not None})
    kept = _armed_timers(workflow, by_workflow)
    workflow.subprocess_specs = new.subprocess_specs
    for sp_id, sub_diff in subs.items():
        sub = workflow.subprocesses.get(sp_id)
        if sub_diff is not None and sub is not None:
            migrate_workflow(sub_diff, sub, new.subprocess_specs[sub.spec.name])
    migrate_workflow(top, workflow, new.spec)
    for task_id, value in kept.items():
        task = workflow.tasks.get(task_id) or _find_task(workflow, task_id)
        if task is not None and task.state == TaskState.WAITING:
            task.internal_data["event_value"] = value
    workflow.do_engine_steps()


def _find_task(workflow: BpmnWorkflow, task_id: Any) -> SpiffTask | None:
    for sub in workflow.subprocesses.values():
        if task_id in sub.tasks:
            return sub.tasks[task_id]
    return None


# --------------------------------------------------------------------------- instances

def _load(instance: ProcessInstance, deployment_id: int,
          state: str) -> tuple[registry.LoadedDeployment, BpmnWorkflow]:
    loaded = registry.load(deployment_id, instance.process_id)
    return loaded, engine.deserialize(loaded.specs, state, registry.script_engine())


def plan_instance(instance: ProcessInstance, target: Deployment) -> MigrationPlan:
    """Dry run: can `instance` move to `target`? Nothing is written."""
    if instance.status != InstanceStatus.RUNNING:
        return MigrationPlan(False, ["实例已结束"])
    if instance.deployment_id == target.id:
        return MigrationPlan(False, ["实例已在该版本上"])
    if target.process_id != instance.process_id:
        return MigrationPlan(False, ["目标版本属于另一个流程"])
    _, workflow = _load(instance, instance.deployment_id, instance.state)
    new = registry.load(target.id, target.process_id)
    with registry.bound(new):
        return plan(workflow, new.specs)


def migrate_instance(instance: ProcessInstance, target: Deployment, clock: Clock) -> str:
    """Move `instance` onto `target`, reconcile its task rows; return the state before the move."""
    current = plan_instance(instance, target)
    if not current.movable:
        raise MigrationRefused(current.reasons)
    old_state = instance.state
    _, workflow = _load(instance, instance.deployment_id, old_state)
    new = registry.load(target.id, target.process_id)
    with engine.engine_time(clock), registry.bound(new):
        migrate(workflow, new.specs)
        state = engine.serialize(workflow)
        instance.deployment_id = target.id
        _resync(instance, new, state, clock)
    return old_state


def restore_instance(instance: ProcessInstance, deployment_id: int, state: str,
                     clock: Clock) -> None:
    """Put `instance` back on `deployment_id` with its saved engine `state` (a rollback)."""
    loaded = registry.load(deployment_id, instance.process_id)
    instance.deployment_id = deployment_id
    instance.status = InstanceStatus.RUNNING
    instance.completed_at = None
    with engine.engine_time(clock), registry.bound(loaded):
        _resync(instance, loaded, state, clock)


def _resync(instance: ProcessInstance, loaded: registry.LoadedDeployment, state: str,
            clock: Clock) -> None:
    """Reload the workflow from `state` (a clean event index) and reconcile the SQL view."""
    now = clock.now()
    workflow = engine.deserialize(loaded.specs, state, registry.script_engine())
    sync_instance(instance, workflow, now)
    _refresh_open_rows(instance, workflow)
    notify_listeners(instance, workflow, clock)
    db.session.flush()


def _refresh_open_rows(instance: ProcessInstance, workflow: BpmnWorkflow) -> None:
    """Open task rows take the (possibly changed) title, form, lane and deadline of their spec.

    A changed deadline counts from when the task was created, as if the new rule had applied.
    """
    ready = {task.id: task for task in engine.ready_user_tasks(workflow)}
    rows = db.session.query(HumanTask).filter(HumanTask.instance_id == instance.id,
                                              HumanTask.state == Row.READY).all()
    for row in rows:
        task = ready.get(row.id)
        if task is None:
            continue
        row.title = task.title
        row.form_key = task.properties.get(FORM_SCHEMA_PROPERTY)
        row.set_due(_due_from(workflow, task, row.created_at) or row.due_at, warn_policy())
        _reassign(instance, workflow, task, row)


def _due_from(workflow: BpmnWorkflow, task: engine.ReadyTask, created_at: datetime) -> datetime | None:
    expression = task.properties.get(DUE_PROPERTY)
    if not expression:
        return task.boundary_due
    with engine.engine_time(FrozenClock(created_at)):
        value = engine.evaluate(workflow, task.id, expression)
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if isinstance(moment, datetime) and moment.tzinfo else None


def _reassign(instance: ProcessInstance, workflow: BpmnWorkflow, task: engine.ReadyTask,
              row: HumanTask) -> None:
    department = task.properties.get("candidateDepartment")
    lane_expr = task.properties.get("candidateLane")
    department = engine.evaluate(workflow, task.id, department) if department else None
    lane = (engine.evaluate(workflow, task.id, lane_expr) if lane_expr else None) or task.lane
    try:
        who = lanes.resolve(lane, instance.org_unit_id, department)
    except lanes.LaneError as exc:
        raise MigrationRefused([f"任务「{task.title}」在新版本中无法分派：{exc}"]) from exc
    before = (row.candidate_department_id, row.candidate_org_unit_id, row.candidate_role)
    after = (who.department_id, who.org_unit_id, who.role)
    row.lane = lane
    if before != after:
        row.candidate_department_id, row.candidate_org_unit_id, row.candidate_role = after
        row.assignee_id = None
        row.claimed_at = None
