"""`flask doctor`: does every instance's SQL view agree with its engine state?

A running instance must be able to move on: an open task for people, an armed timer or an
awaited message. One with none of these is stuck for ever and nobody would notice (issue
12: a lost multi-instance merge left instances RUNNING with nothing to wait for).

Two depths. The *row check* is a few indexed statements over all instances (stuck by its
rows; open task rows of instances that ended). The *engine check* loads each workflow and
compares it with its rows: ready user tasks vs task rows, armed timers vs `next_timer_at`,
awaited messages vs subscriptions, a finished process still marked running, and a
workflow that waits for nothing. The worker runs the row check over everything and the
engine check over the instances that moved since its last run; `flask doctor` runs both
over everything. Findings are kept in `instance_finding` until a check finds them gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Exists, delete, exists, select, text

from app.audit.services import record
from app.clock import Clock
from app.extensions import db
from app.workflow import engine, registry
from app.workflow.models import (
    HumanTask,
    InstanceFinding,
    InstanceStatus,
    MessageSubscription,
    Problem,
    ProcessInstance,
    TaskState,
)

PROBLEM_TEXT = {
    Problem.STUCK: "流程停滞：实例仍在运行，但没有待办任务、没有定时器，也不在等待消息",
    Problem.TASKS_DIFFER: "待办任务记录与流程状态不一致",
    Problem.TIMER_DIFFERS: "定时器记录与流程状态不一致",
    Problem.MESSAGES_DIFFER: "消息订阅与流程状态不一致",
    Problem.FINISHED_UNMARKED: "流程已结束，但实例仍标记为运行中",
    Problem.OPEN_TASK_CLOSED: "实例已结束或取消，但仍有未关闭的待办任务",
    Problem.UNREADABLE: "流程状态无法读取",
}
ROW_PROBLEMS = frozenset({Problem.STUCK, Problem.OPEN_TASK_CLOSED})
ENGINE_PROBLEMS = frozenset(Problem) - {Problem.OPEN_TASK_CLOSED}
DOCTOR_EVERY = timedelta(minutes=5)
CHUNK = 200
# Any constant: the key of the advisory lock that lets one worker at a time run the job.
_LOCK_KEY = 120_012


@dataclass(frozen=True)
class Finding:
    """One problem of one instance."""

    instance_id: str
    business_key: str
    process_id: str
    org_unit_id: int | None
    problem: Problem
    detail: str

    @property
    def text(self) -> str:
        """The problem in Chinese, with its detail."""
        return f"{PROBLEM_TEXT[self.problem]}{'（' + self.detail + '）' if self.detail else ''}"


def _finding(instance: ProcessInstance, problem: Problem, detail: str = "") -> Finding:
    return Finding(instance.id, instance.business_key, instance.process_id, instance.org_unit_id,
                   problem, detail[:400])


# --------------------------------------------------------------------------- row check

def _open_task_exists() -> Exists:
    return exists().where(HumanTask.instance_id == ProcessInstance.id,
                          HumanTask.state == TaskState.READY)


def row_check() -> list[Finding]:
    """Problems visible in the rows alone, over every instance (indexed, no workflow loaded)."""
    stuck = db.session.scalars(select(ProcessInstance).where(
        ProcessInstance.status == InstanceStatus.RUNNING,
        ProcessInstance.next_timer_at.is_(None),
        ~_open_task_exists(),
        ~exists().where(MessageSubscription.instance_id == ProcessInstance.id)))
    found = [_finding(i, Problem.STUCK) for i in stuck]
    closed = db.session.scalars(select(ProcessInstance).where(
        ProcessInstance.status != InstanceStatus.RUNNING, _open_task_exists()))
    found += [_finding(i, Problem.OPEN_TASK_CLOSED, i.status.value) for i in closed]
    return found


# --------------------------------------------------------------------------- engine check

def _rows_of(instance: ProcessInstance) -> tuple[set[str], set[str]]:
    tasks = set(db.session.scalars(select(HumanTask.id).where(
        HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY)))
    messages = set(db.session.scalars(select(MessageSubscription.message_name).where(
        MessageSubscription.instance_id == instance.id)))
    return tasks, messages


def _same_moment(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) < 1


def check_instance(instance: ProcessInstance) -> list[Finding]:
    """Compare one running instance's engine state with its rows."""
    try:
        loaded = registry.load(instance.deployment_id, instance.process_id)
        workflow = engine.deserialize(loaded.specs, instance.state, registry.script_engine())
    except Exception as exc:  # noqa: BLE001 - whatever breaks the load is the finding
        return [_finding(instance, Problem.UNREADABLE, exc.__class__.__name__)]
    if engine.is_completed(workflow):
        return [_finding(instance, Problem.FINISHED_UNMARKED)]
    ready = {task.id for task in engine.ready_user_tasks(workflow)}
    timer = engine.next_timer_due(workflow)
    messages = engine.waiting_message_names(workflow)
    task_rows, message_rows = _rows_of(instance)
    found = []
    if not ready and timer is None and not messages:
        found.append(_finding(instance, Problem.STUCK, engine.describe_waiting(workflow)))
    if ready != task_rows:
        found.append(_finding(instance, Problem.TASKS_DIFFER,
                              f"流程中 {len(ready)} 项，记录 {len(task_rows)} 项"))
    if not _same_moment(timer, instance.next_timer_at):
        found.append(_finding(instance, Problem.TIMER_DIFFERS))
    if messages != message_rows:
        found.append(_finding(instance, Problem.MESSAGES_DIFFER, "、".join(sorted(messages))))
    return found


def engine_check(since: datetime | None = None) -> tuple[list[Finding], set[str]]:
    """Engine check of running instances (those updated at or after `since`); and which were checked."""
    query = select(ProcessInstance.id).where(ProcessInstance.status == InstanceStatus.RUNNING)
    if since is not None:
        query = query.where(ProcessInstance.updated_at >= since)
    ids = list(db.session.scalars(query.order_by(ProcessInstance.id)))
    found: list[Finding] = []
    for first in range(0, len(ids), CHUNK):  # a chunk of states in memory at a time, not all
        chunk = db.session.scalars(select(ProcessInstance).where(
            ProcessInstance.id.in_(ids[first:first + CHUNK]))).all()
        for instance in chunk:
            found.extend(check_instance(instance))
        for instance in chunk:
            db.session.expunge(instance)
    return found, set(ids)


# --------------------------------------------------------------------------- findings

def examine(now: datetime, since: datetime | None = None) -> list[Finding]:
    """Run both checks, keep the findings in `instance_finding`, and return them (deduplicated)."""
    rows = row_check()
    deep, checked = engine_check(since)
    unique = {(f.instance_id, f.problem): f for f in [*rows, *deep]}
    _store(list(unique.values()), now, checked_by_engine=checked, full=since is None)
    return sorted(unique.values(), key=lambda f: (f.business_key, f.instance_id, f.problem.value))


def _store(findings: list[Finding], now: datetime, *, checked_by_engine: set[str], full: bool) -> None:
    keys = {(f.instance_id, f.problem) for f in findings}
    existing = {(r.instance_id, r.problem): r for r in db.session.scalars(select(InstanceFinding))}
    for key, stale in existing.items():
        instance_id, problem = key
        covered = full or problem in ROW_PROBLEMS or instance_id in checked_by_engine
        if key not in keys and covered:
            db.session.delete(stale)
    for finding in findings:
        row = existing.get((finding.instance_id, finding.problem))
        if row is None:
            db.session.add(InstanceFinding(
                instance_id=finding.instance_id, problem=finding.problem, detail=finding.detail,
                business_key=finding.business_key, process_id=finding.process_id,
                org_unit_id=finding.org_unit_id, found_at=now, seen_at=now))
            record(now, "doctor.found", instance_id=finding.instance_id,
                   summary={"problem": finding.problem.value, "detail": finding.detail})
        else:
            row.detail, row.seen_at = finding.detail, now
    db.session.flush()


def clear_findings(instance_ids: Iterable[str]) -> None:
    """Forget the findings of instances (after a repair)."""
    ids = list(instance_ids)
    if ids:
        db.session.execute(delete(InstanceFinding).where(InstanceFinding.instance_id.in_(ids)))


def open_findings(limit: int = 200) -> list[InstanceFinding]:
    """The findings on record, newest first."""
    return list(db.session.scalars(select(InstanceFinding).order_by(
        InstanceFinding.found_at.desc(), InstanceFinding.instance_id).limit(limit)))


def findings_for_units(unit_ids: Iterable[int], limit: int = 50) -> list[InstanceFinding]:
    """Findings of instances located in the subtrees of `unit_ids`, newest first."""
    from app.org.models import OrgUnit  # noqa: PLC0415

    units = list(db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(list(unit_ids)))))
    if not units:
        return []
    in_subtree = select(OrgUnit.id).where(
        db.or_(*(OrgUnit.path.startswith(unit.path) for unit in units)))
    return list(db.session.scalars(select(InstanceFinding).where(
        InstanceFinding.org_unit_id.in_(in_subtree))
        .order_by(InstanceFinding.found_at.desc()).limit(limit)))


def _only_runner() -> bool:
    """True unless another worker is running the check right now (PostgreSQL advisory lock)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return True  # SQLite: one worker is supported
    return bool(db.session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _LOCK_KEY}))


class PeriodicCheck:
    """The worker's job: the row check over everything, the engine check over what moved."""

    def __init__(self) -> None:
        self.last_run: datetime | None = None

    def __call__(self, clock: Clock) -> list[Finding]:
        if not _only_runner():
            return []
        now = clock.now()
        # Overlap the windows so an instance written while the last run was reading is not missed.
        since = self.last_run - DOCTOR_EVERY if self.last_run is not None else None
        found = examine(now, since)
        self.last_run = now
        return found

