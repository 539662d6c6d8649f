"""Bulk migration in the background: a confirmed migration of many instances becomes a job the
worker carries out (`flask worker`, job `designer.migrations`), one instance per transaction.

The designer watches its progress page, may pause it (the worker stops before the next
instance) and resume it; every refusal is kept with its reasons in Chinese. Items are worked
in the order chosen; a job whose items are all moved or refused is done.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlalchemy import func, select

from app.clock import Clock
from app.designer import migrations
from app.designer.models import ItemState, JobState, MigrationJob, MigrationJobItem
from app.designer.services import get_deployment
from app.errors import Conflict, NotFound, ValidationFailed
from app.extensions import db
from app.org.services import Actor, load_actor
from app.unit_of_work import run_unit
from app.workflow.models import Deployment

JOB_NAME = "designer.migrations"
# A confirmed migration of more instances than this runs in the background.
BACKGROUND_FROM = migrations.DEFAULT_BATCH
MAX_ITEMS = 10_000
STEP_LIMIT = 200  # instances one worker round takes on before the other jobs get their turn


@dataclass
class Progress:
    """What the progress page shows."""

    job: MigrationJob
    target_version: int
    from_versions: list[int]
    pending: int
    moved: int
    refused: list[MigrationJobItem]

    @property
    def done(self) -> int:
        return self.moved + len(self.refused)

    @property
    def percent(self) -> int:
        return 100 if not self.job.total else self.done * 100 // self.job.total


def start_job(process_id: str, target_id: int, instance_ids: list[str], *, actor: Actor | None,
              now: datetime) -> MigrationJob:
    """A running job over the chosen running instances (flushes; the caller commits)."""
    target = get_deployment(target_id)
    if target.process_id != process_id:
        raise ValidationFailed("目标版本不属于该流程", {"target": ["目标版本不属于该流程"]})
    if len(instance_ids) > MAX_ITEMS:
        message = f"一次最多迁移 {MAX_ITEMS} 件"
        raise ValidationFailed(message, {"instance_id": [message]})
    order = {instance_id: index for index, instance_id in enumerate(instance_ids)}
    # Worked in the order chosen (creation times can tie, so the query's order is not kept).
    chosen = sorted(migrations.chosen(instance_ids, limit=MAX_ITEMS), key=lambda c: order[c.instance_id])
    if not chosen:
        raise ValidationFailed("所选实例都已不在运行中", {"instance_id": ["所选实例都已不在运行中"]})
    job = MigrationJob(batch=str(uuid.uuid4()), process_id=process_id, target_deployment_id=target.id,
                       state=JobState.RUNNING, total=len(chosen),
                       created_by_id=actor.user_id if actor else None, created_at=now, updated_at=now)
    db.session.add(job)
    db.session.flush()
    db.session.add_all([MigrationJobItem(job_id=job.id, instance_id=c.instance_id,
                                         business_key=c.business_key, from_version=c.version,
                                         state=ItemState.PENDING, reasons=[]) for c in chosen])
    db.session.flush()
    return job


def get_job(job_id: int) -> MigrationJob:
    job = db.session.get(MigrationJob, job_id)
    if job is None:
        raise NotFound("迁移任务不存在")
    return job


def pause(job_id: int, *, now: datetime) -> MigrationJob:
    """Stop the job before its next instance (those already moved stay moved)."""
    job = _locked(job_id)
    if job.state != JobState.RUNNING:
        raise Conflict("只有进行中的迁移可以暂停")
    job.state, job.updated_at = JobState.PAUSED, now
    db.session.flush()
    return job


def resume(job_id: int, *, now: datetime) -> MigrationJob:
    """Let the worker carry on with the instances not yet done."""
    job = _locked(job_id)
    if job.state != JobState.PAUSED:
        raise Conflict("只有已暂停的迁移可以继续")
    job.state, job.updated_at = JobState.RUNNING, now
    db.session.flush()
    return job


def _locked(job_id: int) -> MigrationJob:
    job = db.session.scalar(select(MigrationJob).where(MigrationJob.id == job_id).with_for_update())
    if job is None:
        raise NotFound("迁移任务不存在")
    return job


def progress(job_id: int) -> Progress:
    job = get_job(job_id)
    counts = dict(db.session.execute(select(MigrationJobItem.state, func.count())
                                     .where(MigrationJobItem.job_id == job.id)
                                     .group_by(MigrationJobItem.state)).all())
    refused = list(db.session.scalars(select(MigrationJobItem).where(
        MigrationJobItem.job_id == job.id, MigrationJobItem.state == ItemState.REFUSED)
        .order_by(MigrationJobItem.id)))
    versions = sorted(db.session.scalars(select(MigrationJobItem.from_version).distinct()
                                         .where(MigrationJobItem.job_id == job.id)))
    target = db.session.get_one(Deployment, job.target_deployment_id)
    return Progress(job, target.version, versions, counts.get(ItemState.PENDING, 0),
                    counts.get(ItemState.MOVED, 0), refused)


def recent_jobs(process_id: str, limit: int = 10) -> list[MigrationJob]:
    return list(db.session.scalars(select(MigrationJob).where(MigrationJob.process_id == process_id)
                                   .order_by(MigrationJob.id.desc()).limit(limit)))


def run_step(job_id: int, *, clock: Clock, limit: int = STEP_LIMIT) -> int:
    """Work up to `limit` pending instances of a running job, each in its own transaction,
    re-reading the job's state before each one so a pause takes effect at once. Returns how
    many instances were worked."""
    worked = 0
    while worked < limit:
        db.session.expire_all()
        job = db.session.get(MigrationJob, job_id)
        if job is None or job.state != JobState.RUNNING:
            break
        item = db.session.scalar(select(MigrationJobItem).where(
            MigrationJobItem.job_id == job_id, MigrationJobItem.state == ItemState.PENDING)
            .order_by(MigrationJobItem.id).limit(1))
        if item is None:
            run_unit(partial(_finish, job, clock.now()))
            break
        _work(job, item, clock)
        worked += 1
    return worked


def _work(job: MigrationJob, item: MigrationJobItem, clock: Clock) -> None:
    actor = load_actor(job.created_by_id) if job.created_by_id else None
    item_id, instance_id, target_id, batch = item.id, item.instance_id, job.target_deployment_id, job.batch

    def move() -> None:
        # Another worker may hold this item (PostgreSQL): leave it to that worker.
        if db.session.scalar(select(MigrationJobItem.id).where(
                MigrationJobItem.id == item_id, MigrationJobItem.state == ItemState.PENDING)
                .with_for_update(skip_locked=True)) is None:
            return
        migrations.migrate_one(instance_id, target_id, batch=batch, actor=actor, clock=clock)
        _mark(item_id, ItemState.MOVED, [], clock.now())

    try:
        run_unit(move)
    except Exception as error:  # noqa: BLE001 - any failure is this instance's, said in Chinese
        reasons = migrations.refusal_reasons(instance_id, target_id, error)
        run_unit(lambda: _mark(item_id, ItemState.REFUSED, reasons, clock.now()))


def _mark(item_id: int, state: ItemState, reasons: list[str], now: datetime) -> None:
    item = db.session.get_one(MigrationJobItem, item_id)
    item.state, item.reasons, item.done_at = state, reasons, now
    db.session.flush()


def _finish(job: MigrationJob, now: datetime) -> None:
    job.state, job.finished_at, job.updated_at = JobState.DONE, now, now
    db.session.flush()


def run_running_jobs(clock: Clock) -> int:
    """The worker's periodic job: carry every running migration job forward."""
    worked = 0
    for job_id in list(db.session.scalars(select(MigrationJob.id).where(
            MigrationJob.state == JobState.RUNNING).order_by(MigrationJob.id))):
        worked += run_step(job_id, clock=clock)
    return worked
