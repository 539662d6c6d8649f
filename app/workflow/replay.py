"""Replay a finished instance on other specs: what route and due dates it would have taken.

Nothing is written. The instance's seed data comes from its stored state, each human task it
completed is re-submitted with the same fields at the same moment (timers due by then fire
first, as the worker would), and the ready tasks of the replay are recorded with the due
dates the other specs give them. Messages from other processes are not replayed: a route that
waited for one stops there, and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.clock import FrozenClock
from app.extensions import db
from app.workflow import engine, registry
from app.workflow.helpers import bound_rules
from app.workflow.models import HumanTask, ProcessInstance, TaskState
from app.workflow.sync import _due_at as due_at  # noqa: PLC2701 - the one rule for due dates


@dataclass(frozen=True)
class Step:
    """One human task on a route, with its due date."""

    bpmn_id: str
    title: str
    due_at: datetime | None


@dataclass
class Route:
    """The steps an instance went (or would go) through."""

    steps: list[Step] = field(default_factory=list)
    completed: bool = False
    stopped: str = ""


@dataclass(frozen=True)
class Submission:
    """A completed human task as recorded: when, which step, the fields submitted."""

    at: datetime
    bpmn_id: str
    values: dict[str, Any]


def recorded_route(instance: ProcessInstance) -> Route:
    """The human tasks the instance went through, oldest first."""
    rows = db.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)
                              .order_by(HumanTask.created_at, HumanTask.bpmn_id))
    return Route([Step(t.bpmn_id, t.title, t.due_at) for t in rows], completed=True)


def submissions(instance: ProcessInstance) -> tuple[dict[str, Any], list[Submission]]:
    """The instance's seed data and every completed task's submitted fields, in order."""
    loaded = registry.load(instance.deployment_id, instance.process_id)
    workflow = engine.deserialize(loaded.specs, instance.state, registry.script_engine())
    fields = {e.task_id: e.summary.get("fields", []) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == instance.id,
                                 AuditEvent.action == "task.completed"))}
    done = db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.COMPLETED)
        .order_by(HumanTask.completed_at))
    found = []
    for task in done:
        data = engine.task_data(workflow, task.id)
        found.append(Submission(task.completed_at or task.created_at, task.bpmn_id,
                                {name: data.get(name) for name in fields.get(task.id, [])}))
    return dict(workflow.task_tree.data), found


def replay(specs: engine.LoadedSpecs, rules: Mapping[str, Any], seed: Mapping[str, Any],
           started_at: datetime, steps: list[Submission]) -> Route:
    """Run `specs` from `seed` at `started_at` and re-submit `steps`; the route it takes."""
    clock, route = FrozenClock(started_at), Route()
    seen: set[str] = set()
    with engine.engine_time(clock), bound_rules(rules):
        workflow = engine.new_workflow(specs, seed, registry.script_engine())
        engine.run_engine(workflow)
        _note_ready(workflow, route, seen)
        for step in steps:
            clock.set(step.at)
            engine.fire_timers(workflow)
            _note_ready(workflow, route, seen)
            ready = [t for t in engine.ready_user_tasks(workflow) if t.bpmn_id == step.bpmn_id]
            if not ready:
                route.stopped = f"此时没有「{_title(workflow, step.bpmn_id)}」可办"
                return route
            engine.complete_user_task(workflow, ready[0].id, step.values)
            _note_ready(workflow, route, seen)
        route.completed = engine.is_completed(workflow)
        if not route.completed and not route.stopped:
            route.stopped = "按原办理记录走完后，流程仍未结束"
    return route


def _note_ready(workflow: Any, route: Route, seen: set[str]) -> None:
    for task in engine.ready_user_tasks(workflow):
        if task.id not in seen:
            seen.add(task.id)
            route.steps.append(Step(task.bpmn_id, task.title, due_at(workflow, task)))


def _title(workflow: Any, bpmn_id: str) -> str:
    for spec in workflow.spec.task_specs.values():
        if spec.bpmn_id == bpmn_id:
            return spec.bpmn_name or bpmn_id
    return "原环节"
