"""The SpiffWorkflow adapter: the only module family that imports SpiffWorkflow.

Everything leaving this module is one of our own small types (ReadyTask) or
plain Python values; `BpmnWorkflow` objects stay inside `app.workflow`.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions import timer as timer_module
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from app.clock import Clock
from app.workflow.limits import LIMITS, EngineStepsExceeded, check_state_size
from app.workflow.parser import OneDoorParser

# --------------------------------------------------------------------------- clock
# SpiffWorkflow reads the time only through `datetime.now(timezone.utc)` of its timer
# module. We swap that module's `datetime` for a subclass whose `now()` asks the clock
# bound to the current context, so tests and simulations move engine time too.

_engine_clock: contextvars.ContextVar[Clock | None] = contextvars.ContextVar(
    "onedoor_engine_clock", default=None)
_RealDatetime = datetime


class _DatetimeMeta(type):
    """Keep `isinstance(x, datetime)` true for ordinary datetimes inside the timer module."""

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, _RealDatetime)


class _EngineDatetime(_RealDatetime, metaclass=_DatetimeMeta):
    """`datetime` whose `now()` reads the context's clock."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> Any:
        moment = current_time()
        return moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)


timer_module.datetime = _EngineDatetime


def current_time() -> datetime:
    """The time the engine sees now (the bound clock, else the wall clock)."""
    clock = _engine_clock.get()
    return clock.now() if clock is not None else _RealDatetime.now(UTC)


@contextlib.contextmanager
def engine_time(clock: Clock) -> Iterator[None]:
    """Bind `clock` as the engine's clock for the duration of the block."""
    token = _engine_clock.set(clock)
    try:
        yield
    finally:
        _engine_clock.reset(token)


# --------------------------------------------------------------------------- specs

@dataclass
class LoadedSpecs:
    """Parsed specs of one deployment, shared read-only between requests."""

    process_id: str
    spec: Any
    subprocess_specs: dict[str, Any]


def new_parser() -> SpiffBpmnParser:
    """A parser that validates against the BPMN 2.0 and spiffworkflow XSDs."""
    return OneDoorParser(validator=VALIDATOR)  # reads Camunda multi-instance collections too


def parse_specs(process_id: str, bpmn: Mapping[str, str], dmn: Mapping[str, str]) -> LoadedSpecs:
    """Parse a deployment's BPMN and DMN texts into specs for `process_id`."""
    parser = new_parser()
    for name, text in bpmn.items():
        parser.add_bpmn_str(text.encode("utf-8"), filename=name)
    for name, text in dmn.items():
        parser.add_dmn_str(text.encode("utf-8"), filename=name)
    spec = parser.get_spec(process_id)
    subprocess_specs = parser.get_subprocess_specs(process_id)
    for process_spec in (spec, *subprocess_specs.values()):
        if process_spec is not None:
            _connect_loop_merges(process_spec)
            _connect_event_subprocesses(process_spec)
    return LoadedSpecs(process_id, spec, subprocess_specs)


def _connect_loop_merges(process_spec: Any) -> None:
    """Hook each loop's and multi-instance's merge onto its child spec, once, at parse time.

    SpiffWorkflow hooks it only when a workflow creates the children (`create_child`), on the
    spec object itself. Specs are cached per process, so a process that loaded the instance
    without having created its children — another worker, another node, any restart —
    completed the children without merging them: opinions lost, the parent never finished.
    Its own spec deserializer makes this same connection; doing it here makes a parsed spec
    complete before any workflow runs, and `create_child` finds it connected and changes nothing.
    """
    for task_spec in process_spec.task_specs.values():
        if isinstance(task_spec, LoopTask):
            child = process_spec.task_specs[task_spec.task_spec]
            if not child.completed_event.is_connected(task_spec.merge_child):
                child.completed_event.connect(task_spec.merge_child)


def _connect_event_subprocesses(process_spec: Any) -> None:
    """Link each event subprocess (message, signal, error start) as SpiffWorkflow does when triggered.

    `BpmnStartTask.trigger_wf` links it into the shared spec on first trigger: another process
    then loads a triggered instance whose event subprocess has no input ("No input task
    connected") and no way to the end. Done here, once: the input side only, so Start does
    not run the event subprocess at every start, and `trigger_wf` finds nothing to change.
    """
    start, end = process_spec.start, process_spec.end
    for name in getattr(start, "trigger_specs", []):
        trigger = process_spec.task_specs[name]
        if start not in trigger.inputs:
            trigger._connect_notify(start)  # noqa: SLF001 - the input half of `start.connect`
        if end not in trigger.outputs:
            trigger.connect(end)


# --------------------------------------------------------------------------- serialization

_load_specs: contextvars.ContextVar[LoadedSpecs | None] = contextvars.ContextVar(
    "onedoor_load_specs", default=None)


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]  # SpiffWorkflow ships no types
    """Store a workflow without its spec: the deployment row already holds the files.

    Embedding the spec made every instance several times larger and slower to load.
    """

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        # BpmnWorkflowConverter.to_dict without the spec: converting the specs only to drop them
        # was two thirds of the cost of every save.
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        specs = _load_specs.get()
        if specs is None:
            raise RuntimeError("deserialize called without specs bound")
        workflow = self.target_class(specs.spec, specs.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = _SpeclessWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


_SERIALIZER = _make_serializer()


def serialize(workflow: BpmnWorkflow) -> str:
    """Workflow state as JSON, without the spec (StateTooLarge past ONEDOOR_MAX_STATE_BYTES)."""
    state: str = _SERIALIZER.serialize_json(workflow)
    check_state_size(state)  # task data a diagram grew without bound must not be saved
    return state


def deserialize(specs: LoadedSpecs, state: str, script_engine: Any) -> BpmnWorkflow:
    """Restore a workflow from `state` using the deployment's parsed `specs`."""
    token = _load_specs.set(specs)
    try:
        workflow = _SERIALIZER.deserialize_json(state)
    finally:
        _load_specs.reset(token)
    workflow.script_engine = script_engine
    return workflow


def new_workflow(specs: LoadedSpecs, data: Mapping[str, Any], script_engine: Any) -> BpmnWorkflow:
    """A fresh workflow with `data` seeded before the first engine step."""
    workflow = BpmnWorkflow(specs.spec, specs.subprocess_specs, script_engine=script_engine)
    workflow.task_tree.data.update(data)
    return workflow


# --------------------------------------------------------------------------- tasks

@dataclass(frozen=True)
class ReadyTask:
    """A user task waiting for people, as the rest of the app sees it."""

    id: str
    bpmn_id: str
    title: str
    lane: str | None
    process_id: str
    properties: dict[str, str] = field(default_factory=dict)
    boundary_due: datetime | None = None


def ready_user_tasks(workflow: BpmnWorkflow) -> list[ReadyTask]:
    """Every READY manual task of the workflow and its subprocesses."""
    found = []
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        spec = task.task_spec
        found.append(ReadyTask(
            id=str(task.id),
            bpmn_id=spec.bpmn_id or spec.name,
            title=spec.bpmn_name or spec.bpmn_id or spec.name,
            lane=spec.lane,
            process_id=task.workflow.spec.name,
            properties=dict((spec.extensions or {}).get("properties", {})),
            boundary_due=_boundary_timer_due(task),
        ))
    return found


@dataclass(frozen=True)
class Snapshot:
    """What the SQL view mirrors of a workflow: its ready user tasks and awaited messages.

    Taken when a workflow is loaded, it tells `sync_instance` what the rows already say, so a
    step only writes what changed instead of re-reading every row of the instance.
    """

    ready_task_ids: frozenset[str] = frozenset()
    message_names: frozenset[str] = frozenset()


def snapshot(workflow: BpmnWorkflow) -> Snapshot:
    """The workflow's ready user task ids and waiting message names, as they stand."""
    ready = frozenset(str(task.id) for task in workflow.get_tasks(state=TaskState.READY, manual=True))
    return Snapshot(ready, frozenset(waiting_message_names(workflow)))


def _timer_due(task: SpiffTask) -> datetime | None:
    """The armed due time of a waiting timer task, if it has one."""
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str):
        return None
    try:
        due: datetime = TimerEventDefinition.parse_time_or_duration(value)
    except (ValueError, TypeError):
        return None
    return due


def _boundary_timer_due(task: SpiffTask) -> datetime | None:
    """Earliest due time among timer boundary events attached to `task`."""
    parent = task.parent
    if parent is None:
        return None
    armed = [
        _timer_due(sibling) for sibling in parent.children
        if sibling is not task
        and isinstance(getattr(sibling.task_spec, "event_definition", None), TimerEventDefinition)
        and sibling.state == TaskState.WAITING
    ]
    dues = [d for d in armed if d is not None]
    return min(dues) if dues else None


def move_boundary_timers(workflow: BpmnWorkflow, task_id: str, due: datetime) -> int:
    """Re-arm the waiting date/duration timer boundary events of a ready task at `due`.

    The library fixes a timer's due time when it is armed (`internal_data['event_value']`)
    and never re-evaluates it, so a granted extension must rewrite that value. Cycle timers
    (reminders) keep their rhythm. Returns how many timers were moved.
    """
    task = workflow.get_task_from_id(UUID(task_id))
    parent = task.parent
    moved = 0
    for sibling in parent.children if parent is not None else []:
        definition = getattr(sibling.task_spec, "event_definition", None)
        if sibling is task or sibling.state != TaskState.WAITING \
                or not isinstance(definition, TimerEventDefinition) \
                or isinstance(sibling.internal_data.get("event_value"), dict):
            continue
        sibling.internal_data["event_value"] = due.isoformat()
        moved += 1
    return moved


def ended_by_timer(workflow: BpmnWorkflow, task_id: str) -> bool:
    """True when a timer boundary event attached to the task has fired (the task timed out)."""
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except Exception:  # noqa: BLE001 - removed from the tree (a cancelled multi-instance child)
        return False
    parent = task.parent
    return parent is not None and any(
        sibling is not task and sibling.state == TaskState.COMPLETED
        and isinstance(getattr(sibling.task_spec, "event_definition", None), TimerEventDefinition)
        for sibling in parent.children)


def task_data(workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
    """A copy of a task's data."""
    return dict(workflow.get_task_from_id(UUID(task_id)).data)


def evaluate(workflow: BpmnWorkflow, task_id: str, expression: str) -> Any:
    """Evaluate an expression against a task's data with the workflow's script engine."""
    task = workflow.get_task_from_id(UUID(task_id))
    return workflow.script_engine.evaluate(task, expression)


def is_ready_user_task(workflow: BpmnWorkflow, task_id: str) -> bool:
    """True when `task_id` names a READY manual task of this workflow."""
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises its own TaskNotFound variants
        return False
    return task is not None and task.state == TaskState.READY and task.task_spec.manual


def complete_user_task(workflow: BpmnWorkflow, task_id: str, data: Mapping[str, Any]) -> None:
    """Merge `data` into the task, run it and let the engine move on."""
    task = workflow.get_task_from_id(UUID(task_id))
    task.set_data(**data)
    task.run()
    _engine_steps(workflow)


def run_engine(workflow: BpmnWorkflow) -> None:
    """Run automatic steps until only people, timers or messages are awaited."""
    _engine_steps(workflow)


def _engine_steps(workflow: BpmnWorkflow) -> None:
    """`do_engine_steps` with a budget: a diagram loop of automatic tasks with no wait state
    (script → gateway → back) would otherwise never return, however short each script is."""
    budget = LIMITS.max_engine_steps
    done = 0

    def counted(_task: SpiffTask) -> None:
        nonlocal done
        done += 1
        if done > budget:
            raise EngineStepsExceeded

    workflow.do_engine_steps(did_complete_task=counted)


def fire_timers(workflow: BpmnWorkflow) -> None:
    """Fire due timers and move on. Timers first, always, before any message."""
    workflow.refresh_timers()
    _engine_steps(workflow)


def is_completed(workflow: BpmnWorkflow) -> bool:
    """True when the top-level process has ended."""
    return bool(workflow.completed)


def current_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """The process data as it stands now: the final data, or the frontier tasks' data merged.

    Waiting and ready tasks carry the newest data of their branch; deeper subprocesses
    (called later) win over their callers, later state changes over earlier ones.
    """
    if workflow.completed:
        return final_data(workflow)
    frontier = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    frontier.sort(key=lambda task: (task.workflow.depth, task.last_state_change))
    merged: dict[str, Any] = {}
    for task in frontier:
        merged.update(task.data)
    return merged


def final_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    """Data of a finished workflow (or of the last completed task)."""
    if workflow.data:
        return dict(workflow.data)
    last = workflow.last_task
    return dict(last.data) if last is not None else {}


def describe_waiting(workflow: BpmnWorkflow) -> str:
    """Where an unfinished workflow stands: the names of its started, ready or waiting steps."""
    names = []
    for task in workflow.get_tasks(state=TaskState.STARTED | TaskState.READY | TaskState.WAITING):
        spec = task.task_spec
        name = spec.bpmn_name  # never an element id: people read this
        if name and name not in names:
            names.append(name)
    return "停在：" + "、".join(names) if names else ""


# --------------------------------------------------------------------------- events

def _waiting_event_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    return list(workflow.event_manager.tasks.values())


def next_timer_due(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest armed timer among waiting tasks, for the indexed `next_timer_at`."""
    armed: list[datetime | None] = []
    for task in _waiting_event_tasks(workflow):
        definition = task.task_spec.event_definition
        if isinstance(definition, TimerEventDefinition):
            armed.append(_timer_due(task))
        elif isinstance(definition, MultipleEventDefinition):
            armed.extend(_timer_due(child) for child in task.children)
            armed.append(_timer_due(task))
    dues = [due for due in armed if due is not None]
    return min(dues) if dues else None


def waiting_message_names(workflow: BpmnWorkflow) -> set[str]:
    """Names of messages some waiting task of the workflow can catch."""
    names: set[str] = set()
    for task in _waiting_event_tasks(workflow):
        definition = task.task_spec.event_definition
        definitions = getattr(definition, "event_definitions", [definition])
        names.update(d.name for d in definitions if isinstance(d, MessageEventDefinition))
    return names


def send_message(workflow: BpmnWorkflow, name: str, payload: Mapping[str, Any]) -> None:
    """Deliver message `name` with `payload` to a waiting catch event, then step on."""
    for task in _waiting_event_tasks(workflow):
        definition = task.task_spec.event_definition
        definitions = getattr(definition, "event_definitions", [definition])
        for candidate in definitions:
            if isinstance(candidate, MessageEventDefinition) and candidate.name == name:
                correlations = candidate.calculate_correlations(
                    workflow.script_engine, candidate.correlation_properties, dict(payload))
                workflow.send_event(BpmnEvent(candidate, dict(payload), correlations))
                _engine_steps(workflow)
                return
    raise LookupError(name)


# --------------------------------------------------------------------------- diagrams

def element_states(workflow: BpmnWorkflow) -> dict[str, dict[str, str]]:
    """Per process id, each BPMN element's state: "done", or "active" when ready or waiting."""
    states: dict[str, dict[str, str]] = {}
    for task in workflow.get_tasks():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        per_process = states.setdefault(task.workflow.spec.name, {})
        if task.has_state(TaskState.READY | TaskState.WAITING | TaskState.STARTED):
            per_process[bpmn_id] = "active"
        elif task.state == TaskState.COMPLETED and per_process.get(bpmn_id) != "active":
            per_process[bpmn_id] = "done"
    return states


def task_spec_properties(specs: LoadedSpecs, process_id: str, bpmn_id: str) -> dict[str, str]:
    """The `spiffworkflow:properties` of the user task `bpmn_id` in `process_id` ({} if none)."""
    process_spec = specs.spec if process_id == specs.process_id else specs.subprocess_specs.get(process_id)
    for task_spec in (process_spec.task_specs.values() if process_spec else ()):
        if (task_spec.bpmn_id or task_spec.name) == bpmn_id:
            return dict((task_spec.extensions or {}).get("properties", {}))
    return {}


def process_files(specs: LoadedSpecs) -> dict[str, tuple[str, str]]:
    """Process id → (display name, BPMN file name) for a deployment's process and its callees."""
    found = {specs.process_id: (specs.spec.description or specs.process_id, specs.spec.file)}
    for process_id, spec in specs.subprocess_specs.items():
        if spec is not None:
            found[process_id] = (spec.description or process_id, spec.file)
    return found


def parse_timer_value(value: str, kind: str = "timeDate") -> Any:
    """Parse a timer expression's result as SpiffWorkflow will (ValueError when it cannot)."""
    if kind == "timeCycle":
        return TimerEventDefinition.parse_iso_recurring_interval(value)
    return TimerEventDefinition.parse_time_or_duration(value)
