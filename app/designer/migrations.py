"""Moving running instances to another version: choose, dry run, migrate in batches, roll back.

Each instance moves in its own transaction (`migrate_many` calls `run_unit` once per instance,
like the worker's sweep), so one refusal or conflict never undoes the others.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from app.audit.services import record
from app.clock import Clock
from app.designer import refusals
from app.designer.models import InstanceMigration, MigrationState
from app.designer.services import get_deployment
from app.errors import Conflict, NotFound, OneDoorError
from app.extensions import db
from app.org.services import Actor
from app.unit_of_work import run_unit
from app.workflow import migration
from app.workflow.models import (
    Deployment,
    DeploymentFile,
    FileKind,
    HumanTask,
    InstanceStatus,
    ProcessInstance,
    TaskState,
)

DEFAULT_BATCH = 20
MAX_SELECTED = 1000


@dataclass
class InstanceFilter:
    """Which running instances to consider."""

    process_id: str
    from_version: int | None = None
    business_key: str = ""
    at_step: str = ""


@dataclass
class Candidate:
    """A running instance and whether it can move."""

    instance_id: str
    business_key: str
    version: int
    steps: list[str]
    movable: bool | None = None
    reasons: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)


@dataclass
class MigrationReport:
    """The outcome of one migration run."""

    batch: str
    target_version: int
    moved: list[Candidate] = field(default_factory=list)
    refused: list[Candidate] = field(default_factory=list)


def select_instances(criteria: InstanceFilter) -> list[Candidate]:
    """Running instances of a process matching the filters, oldest first."""
    query = (select(ProcessInstance, Deployment.version)
             .join(Deployment, Deployment.id == ProcessInstance.deployment_id)
             .where(ProcessInstance.process_id == criteria.process_id,
                    ProcessInstance.status == InstanceStatus.RUNNING))
    if criteria.from_version:
        query = query.where(Deployment.version == criteria.from_version)
    if criteria.business_key:
        query = query.where(ProcessInstance.business_key.contains(criteria.business_key.strip()))
    if criteria.at_step:
        query = query.where(ProcessInstance.id.in_(select(HumanTask.instance_id).where(
            HumanTask.state == TaskState.READY, HumanTask.bpmn_id == criteria.at_step)))
    rows = db.session.execute(query.order_by(ProcessInstance.created_at).limit(MAX_SELECTED)).all()
    steps = _open_steps([instance.id for instance, _ in rows])
    return [Candidate(instance.id, instance.business_key, version, steps.get(instance.id, []))
            for instance, version in rows]


def step_choices(process_id: str) -> list[tuple[str, str]]:
    """(step id, step name) of the steps running instances of a process wait at."""
    rows = db.session.execute(
        select(HumanTask.bpmn_id, HumanTask.title).distinct()
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(ProcessInstance.process_id == process_id, ProcessInstance.status == InstanceStatus.RUNNING,
               HumanTask.state == TaskState.READY)
        .order_by(HumanTask.title)).all()
    return list(dict(rows).items())


def _open_steps(instance_ids: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if not instance_ids:
        return found
    for instance_id, title in db.session.execute(
            select(HumanTask.instance_id, HumanTask.title).where(
                HumanTask.instance_id.in_(instance_ids), HumanTask.state == TaskState.READY)):
        found.setdefault(instance_id, []).append(title)
    return found


def _names(*deployment_ids: int) -> dict[str, str]:
    """Element names of the BPMN files of some deployments (refusals name elements)."""
    files = db.session.scalars(select(DeploymentFile.content).where(
        DeploymentFile.deployment_id.in_(set(deployment_ids)), DeploymentFile.kind == FileKind.BPMN))
    return refusals.element_names(files)


def dry_run(candidates: Iterable[Candidate], target: Deployment) -> list[Candidate]:
    """Fill in, for each candidate, whether it can move to `target` and why not. Writes nothing."""
    result, names = [], {}
    for candidate in candidates:
        instance = db.session.get_one(ProcessInstance, candidate.instance_id)
        plan = migration.plan_instance(instance, target)
        if not plan.movable and instance.deployment_id not in names:
            names[instance.deployment_id] = _names(instance.deployment_id, target.id)
        candidate.movable, candidate.reset = plan.movable, plan.reset
        candidate.reasons = refusals.readable(plan.reasons, names.get(instance.deployment_id, {}))
        result.append(candidate)
    return result


def chosen(instance_ids: list[str], limit: int = MAX_SELECTED) -> list[Candidate]:
    """The chosen running instances with their versions, for the confirmation."""
    rows = db.session.execute(
        select(ProcessInstance, Deployment.version)
        .join(Deployment, Deployment.id == ProcessInstance.deployment_id)
        .where(ProcessInstance.id.in_(instance_ids[:limit]),
               ProcessInstance.status == InstanceStatus.RUNNING)
        .order_by(ProcessInstance.created_at)).all()
    return [Candidate(instance.id, instance.business_key, version, []) for instance, version in rows]


def migrate_one(instance_id: str, target_id: int, *, batch: str, actor: Actor | None,
                clock: Clock) -> InstanceMigration:
    """Move one instance (one unit of work: flushes, the caller commits)."""
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound("流程实例不存在")
    target = get_deployment(target_id)
    source = db.session.get_one(Deployment, instance.deployment_id)
    old_version = instance.version
    old_state = migration.migrate_instance(instance, target, clock)
    db.session.flush()
    now = clock.now()
    entry = InstanceMigration(
        batch=batch, instance_id=instance.id, from_deployment_id=source.id,
        to_deployment_id=target.id, state=MigrationState.MIGRATED, old_state=old_state,
        old_version=old_version, new_version=instance.version, migrated_at=now,
        migrated_by_id=actor.user_id if actor else None)
    db.session.add(entry)
    record(now, "instance.migrated", instance_id=instance.id,
           actor_id=actor.user_id if actor else None, actor_label=actor.label if actor else "系统",
           summary={"process_id": instance.process_id, "from_version": source.version,
                    "to_version": target.version, "batch": batch})
    db.session.flush()
    return entry


def migrate_many(instance_ids: list[str], target_id: int, *, actor: Actor | None, clock: Clock,
                 batch_size: int = DEFAULT_BATCH) -> MigrationReport:
    """Migrate the instances in batches, each instance in its own transaction."""
    target = get_deployment(target_id)
    report = MigrationReport(str(uuid.uuid4()), target.version)
    for start in range(0, len(instance_ids), batch_size):
        for instance_id in instance_ids[start:start + batch_size]:
            _migrate_reported(instance_id, target_id, actor, clock, report)
        db.session.expire_all()
    return report


def _migrate_reported(instance_id: str, target_id: int, actor: Actor | None, clock: Clock,
                      report: MigrationReport) -> None:
    instance = db.session.get(ProcessInstance, instance_id)
    key = instance.business_key if instance else instance_id
    version = instance.deployment.version if instance else 0
    candidate = Candidate(instance_id, key, version, [])
    try:
        run_unit(lambda: migrate_one(instance_id, target_id, batch=report.batch, actor=actor,
                                     clock=clock))
    except migration.MigrationRefused as refused:
        names = _names(instance.deployment_id, target_id) if instance else {}
        candidate.movable, candidate.reasons = False, refusals.readable(refused.reasons, names)
        report.refused.append(candidate)
    except OneDoorError as error:
        candidate.movable, candidate.reasons = False, [error.message]
        report.refused.append(candidate)
    else:
        candidate.movable = True
        report.moved.append(candidate)


def refusal_reasons(instance_id: str, target_id: int, error: Exception) -> list[str]:
    """Why an instance did not move, in Chinese and without engine names, each reason once."""
    if isinstance(error, migration.MigrationRefused):
        instance = db.session.get(ProcessInstance, instance_id)
        names = _names(instance.deployment_id, target_id) if instance else {}
        return refusals.readable(error.reasons, names)
    if isinstance(error, OneDoorError):
        return [error.message]
    return ["迁移时出错，该实例保持原版本未动，可稍后单独重试"]


def recent_migrations(process_id: str, limit: int = 50) -> list[tuple[InstanceMigration, ProcessInstance]]:
    """The newest migration records of a process with their instances."""
    return list(db.session.execute(
        select(InstanceMigration, ProcessInstance)
        .join(ProcessInstance, ProcessInstance.id == InstanceMigration.instance_id)
        .where(ProcessInstance.process_id == process_id)
        .order_by(InstanceMigration.id.desc()).limit(limit)).all())


def rollback(migration_id: int, *, actor: Actor | None, clock: Clock) -> InstanceMigration:
    """Put a migrated instance back exactly as it was, unless it has moved on since."""
    entry = db.session.get(InstanceMigration, migration_id)
    if entry is None:
        raise NotFound("迁移记录不存在")
    if entry.state != MigrationState.MIGRATED:
        raise Conflict("该迁移已回退")
    instance = db.session.get_one(ProcessInstance, entry.instance_id)
    if instance.version != entry.new_version or instance.deployment_id != entry.to_deployment_id:
        raise Conflict("实例迁移后已继续办理，不能回退")
    migration.restore_instance(instance, entry.from_deployment_id, entry.old_state, clock)
    now = clock.now()
    entry.state = MigrationState.ROLLED_BACK
    entry.rolled_back_at = now
    entry.rolled_back_by_id = actor.user_id if actor else None
    source = db.session.get_one(Deployment, entry.from_deployment_id)
    record(now, "instance.migration_rolled_back", instance_id=instance.id,
           actor_id=actor.user_id if actor else None, actor_label=actor.label if actor else "系统",
           summary={"process_id": instance.process_id, "to_version": source.version,
                    "batch": entry.batch})
    db.session.flush()
    return entry
